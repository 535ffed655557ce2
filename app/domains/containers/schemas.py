"""The containers API's own shapes: Keel's create schema, never Docker's JSON."""

import ipaddress
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.schemas import JsonObject
from app.domains.containers.ports import ContainerState
from app.domains.containers.references import REFERENCE_MAX_LENGTH, REFERENCE_PATTERN
from app.web.ids import EntityId
from app.web.moments import Moment
from app.web.pagination import Page

Name = Annotated[str, Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$", examples=["web"])]
ImageReference = Annotated[
    str,
    Field(
        pattern=REFERENCE_PATTERN,
        max_length=REFERENCE_MAX_LENGTH,
        examples=["library/busybox:latest"],
        description="An image name, optionally with a registry, tag or digest.",
    ),
]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
LabelKey = Annotated[str, Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._/-]{0,127}$")]
Argument = Annotated[str, Field(max_length=4096)]
# Docker's ids: 64 hex digits, or a prefix of at least 12.
CONTAINER_ID_PATTERN = r"^[a-f0-9]{12,64}$"
MAX_ITEMS = 16


class PortRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    container_port: int = Field(ge=1, le=65535)
    protocol: Literal["tcp", "udp"] = "tcp"
    host_ip: str = Field(
        default="127.0.0.1",
        description="Where the port is published; 127.0.0.1 unless the policy allows others.",
    )
    host_port: int | None = Field(default=None, ge=1, le=65535, description="None: any free port.")

    @field_validator("host_ip")
    @classmethod
    def _an_address(cls, host_ip: str) -> str:
        return str(ipaddress.ip_address(host_ip))  # a ValueError is a 422 naming the field


class VolumeRequest(BaseModel):
    """A named volume, private to its owner. Host paths (bind mounts) are not volumes."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    # Absolute, and where a volume may go: the policy says (`volume_target_*`), as its own refusal.
    target: str = Field(pattern=r"^[^:\x00-\x1f\x7f]{1,255}$", examples=["/data"])  # no control characters
    read_only: bool = False


class ContainerCreate(BaseModel):
    """What a container may be. Unknown fields are refused, so nothing reaches the engine
    that Keel did not check."""

    model_config = ConfigDict(extra="forbid")

    image: ImageReference
    name: Name
    command: list[Argument] | None = Field(default=None, max_length=64, examples=[["sleep", "600"]])
    env: dict[EnvName, Argument] = Field(default_factory=dict, max_length=64)
    volumes: list[VolumeRequest] = Field(default_factory=list, max_length=MAX_ITEMS)
    ports: list[PortRequest] = Field(default_factory=list, max_length=MAX_ITEMS)
    memory_mb: int | None = Field(default=None, ge=6, le=1_048_576, description="None: the policy's default.")
    # Below 0.01 the engine's nano-CPUs round towards 0, which it reads as no limit at all.
    cpus: float | None = Field(default=None, ge=0.01, le=1024, description="None: the policy's default.")
    pids_limit: int | None = Field(
        default=None, ge=8, le=4_194_304, description="None: the policy's default."
    )
    labels: dict[LabelKey, Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=dict, max_length=32
    )

    # Reaching past the sandbox: refused, unless the policy grants it to admins.
    privileged: bool = False
    cap_add: list[Annotated[str, Field(pattern=r"^[A-Z_]{1,32}$")]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    devices: list[Annotated[str, Field(pattern=r"^/dev/[^:\x00]{1,250}$")]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    host_namespaces: list[Literal["network", "pid", "ipc", "uts"]] = Field(default_factory=list, max_length=4)
    binds: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="host-path:container-path[:ro]"
    )
    security_opt: list[Annotated[str, Field(min_length=1, max_length=256)]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )

    @field_validator("host_namespaces")
    @classmethod
    def _distinct(cls, namespaces: list[str]) -> list[str]:
        return list(dict.fromkeys(namespaces))


class PortRead(BaseModel):
    container_port: int
    protocol: str
    host_ip: str
    host_port: int | None


class VolumeRead(BaseModel):
    name: str
    target: str
    read_only: bool


class ContainerSummary(BaseModel):
    id: str
    name: str = Field(
        description="The name its owner chose (the engine's, for containers made outside Keel)."
    )
    image: str
    state: ContainerState
    owner_id: int | None = Field(description="None: created outside Keel (admins only see these).")
    labels: dict[str, str]
    created_at: datetime


class ContainerRead(ContainerSummary):
    command: list[str] | None
    memory_mb: int | None
    cpus: float | None
    pids_limit: int | None
    ports: list[PortRead]
    volumes: list[VolumeRead]
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None


class ContainerFilter(BaseModel):
    """The listing's filters, read from the query string."""

    status: ContainerState | None = None
    name: str | None = Field(default=None, max_length=63, description="Part of the name.")
    label: str | None = Field(
        default=None, max_length=1200, pattern=r"^[^=]{1,128}(=.*)?$", description="`key` or `key=value`."
    )
    owner_id: EntityId | None = Field(default=None, description="Admins only; others always see their own.")


class ContainerLogs(BaseModel):
    lines: list[str]


class ContainerStats(BaseModel):
    cpu_percent: float = Field(description="Of one core: 200 means two cores busy.")
    memory_bytes: int
    memory_limit_bytes: int
    memory_percent: float
    pids: int
    read_at: datetime


class ImageRead(BaseModel):
    id: str
    tags: list[str]
    size_bytes: int
    created_at: datetime


class ImagePull(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image: ImageReference


class AuditOutcome(StrEnum):
    """How an audited action ended: done, refused (a 4xx), or failed (a 5xx)."""

    SUCCEEDED = "succeeded"
    REFUSED = "refused"
    FAILED = "failed"


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    actor_id: int | None
    actor_email: str | None
    action: str
    target: str
    outcome: AuditOutcome
    error_code: str | None
    request_id: str | None
    details: JsonObject | None


class AuditPage(Page[AuditRead]):
    pass


class AuditFilter(BaseModel):
    model_config = ConfigDict(use_enum_values=True)  # the repository compares plain strings

    actor_id: EntityId | None = None
    action: str | None = Field(default=None, max_length=64, examples=["container.create"])
    target: str | None = Field(default=None, max_length=255)
    outcome: AuditOutcome | None = None
    since: Moment | None = Field(default=None, description="With a time zone.")
    until: Moment | None = Field(default=None, description="With a time zone.")
