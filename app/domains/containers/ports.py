"""The containers domain's view of a runtime: what Keel asks of Docker today, of Kubernetes later.

Only Keel's own types cross this line. Adapters (`runtimes/`) translate them to their engine
and translate the engine's failures to the domain errors in `errors.py`; nothing above the
adapter sees aiodocker, Docker JSON or a Kubernetes object.
"""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class ContainerState(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    RESTARTING = "restarting"
    REMOVING = "removing"
    EXITED = "exited"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class PublishedPort:
    container_port: int
    protocol: str  # tcp | udp
    host_ip: str
    host_port: int | None  # None: the runtime picks a free one


@dataclass(frozen=True, slots=True)
class VolumeMount:
    volume: str  # the runtime's name for it, already scoped to its owner
    target: str
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class HostAccess:
    """What reaches past the container's sandbox. All off unless policy grants it (admins only)."""

    privileged: bool = False
    add_capabilities: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    host_namespaces: tuple[str, ...] = ()  # any of network, pid, ipc, uts
    bind_mounts: tuple[str, ...] = ()  # host-path:container-path[:ro]
    security_options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """A container to create, after the policy has had its say."""

    name: str
    image: str
    command: tuple[str, ...] | None
    env: Mapping[str, str]
    labels: Mapping[str, str]
    volumes: tuple[VolumeMount, ...]
    ports: tuple[PublishedPort, ...]
    memory_bytes: int
    cpus: float
    pids_limit: int
    network: str
    host: HostAccess = field(default_factory=HostAccess)


@dataclass(frozen=True, slots=True)
class Container:
    """A container as the runtime reports it; `inspect` fills in the limits and the run."""

    id: str
    name: str
    image: str
    state: ContainerState
    labels: Mapping[str, str]
    created_at: datetime
    command: tuple[str, ...] | None = None
    memory_bytes: int | None = None
    cpus: float | None = None
    pids_limit: int | None = None
    ports: tuple[PublishedPort, ...] = ()
    volumes: tuple[VolumeMount, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None


@dataclass(frozen=True, slots=True)
class StatsSnapshot:
    cpu_percent: float  # of one core: 200.0 is two cores busy
    memory_bytes: int
    memory_limit_bytes: int
    pids: int
    read_at: datetime


@dataclass(frozen=True, slots=True)
class Image:
    id: str
    tags: tuple[str, ...]
    size_bytes: int
    created_at: datetime
    digests: tuple[str, ...] = ()  # repository@digest, for images pulled from a registry


@dataclass(frozen=True, slots=True)
class PullProgress:
    """One step of a pull: a layer's status, and its bytes so far where the runtime says."""

    layer: str | None
    status: str
    current: int | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class LogRequest:
    tail: int | None  # None: all
    since: datetime | None
    timestamps: bool


class ContainerRuntime(Protocol):
    """Containers and images on one engine (or cluster), as Keel uses them."""

    async def ping(self) -> None:
        """Returns when the engine answers; raises `RuntimeUnavailable` otherwise."""

    async def list_containers(self, *, labels: Mapping[str, str]) -> list[Container]:
        """Containers carrying all of `labels` (every container when empty), running or not."""

    async def inspect(self, container_id: str) -> Container: ...

    async def create(self, spec: ContainerSpec) -> Container: ...

    async def start(self, container_id: str) -> None: ...

    async def stop(self, container_id: str, *, timeout_seconds: int) -> None: ...

    async def restart(self, container_id: str, *, timeout_seconds: int) -> None: ...

    async def remove(self, container_id: str, *, force: bool) -> None: ...

    async def logs(self, container_id: str, request: LogRequest) -> list[str]: ...

    def follow_logs(self, container_id: str, request: LogRequest) -> AsyncIterator[str]:
        """Lines as the container writes them, until it stops or the caller stops reading."""

    async def stats(self, container_id: str) -> StatsSnapshot: ...

    async def list_images(self) -> list[Image]: ...

    async def inspect_image(self, reference: str) -> Image:
        """The image the runtime would use for `reference`; `ImageNotFound` if none."""

    def pull_image(self, reference: str) -> AsyncIterator[PullProgress]: ...

    async def remove_image(self, image: str, *, force: bool) -> None:
        """By tag: only the tag goes while others name the image. By id: the image."""

    async def close(self) -> None: ...
