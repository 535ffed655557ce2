"""The containers policy: which images may run, what reaches the host, limits and quotas.

Built from settings; every refusal is a domain error of its own. Members never get host
access; admins get it only where `KEEL_CONTAINERS_ADMIN_HOST_ACCESS` says so.
"""

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from app.core.config import Settings
from app.domains.containers.errors import (
    BindMountsNotAllowed,
    CapabilitiesNotAllowed,
    ContainerQuotaExceeded,
    DevicesNotAllowed,
    HostNamespaceNotAllowed,
    ImageNotAllowed,
    LimitExceeded,
    MemoryQuotaExceeded,
    PrivilegedNotAllowed,
    PublicPortNotAllowed,
    ReservedLabel,
    SecurityOptionsNotAllowed,
)
from app.domains.containers.labels import RESERVED_PREFIX
from app.domains.containers.ports import Container, HostAccess, PublishedPort
from app.domains.containers.schemas import ContainerCreate

MIB = 1024 * 1024
DOCKER_HUB = "docker.io"
# The engine takes these as image ids (or id prefixes), whatever the allowlist says of names.
IMAGE_ID = re.compile(r"(sha256:)?[a-f0-9]{12,64}")


@dataclass(frozen=True, slots=True)
class Limits:
    memory_bytes: int
    cpus: float
    pids: int


@dataclass(frozen=True, slots=True)
class ContainerPolicy:
    allowed_images: tuple[str, ...]
    network: str
    default_memory_mb: int
    max_memory_mb: int
    default_cpus: float
    max_cpus: float
    default_pids: int
    max_pids: int
    quota_count: int
    quota_memory_mb: int
    public_ports: bool
    admin_host_access: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> "ContainerPolicy":
        return cls(
            allowed_images=tuple(settings.containers_allowed_images),
            network=settings.containers_network,
            default_memory_mb=settings.containers_default_memory_mb,
            max_memory_mb=settings.containers_max_memory_mb,
            default_cpus=settings.containers_default_cpus,
            max_cpus=settings.containers_max_cpus,
            default_pids=settings.containers_default_pids,
            max_pids=settings.containers_max_pids,
            quota_count=settings.containers_quota_count,
            quota_memory_mb=settings.containers_quota_memory_mb,
            public_ports=settings.containers_public_ports,
            admin_host_access=settings.containers_admin_host_access,
        )

    def check_image(self, reference: str) -> None:
        if IMAGE_ID.fullmatch(reference):
            raise ImageNotAllowed(image=reference)  # an id names no repository to allow
        names = image_names(reference)
        if not any(fnmatchcase(name, pattern) for pattern in self.allowed_images for name in names):
            raise ImageNotAllowed(image=reference)

    def check_labels(self, labels: Mapping[str, str]) -> None:
        reserved = sorted(key for key in labels if key.lower().startswith(RESERVED_PREFIX))
        if reserved:
            raise ReservedLabel(reserved)

    def host_access(self, request: ContainerCreate, *, is_admin: bool) -> HostAccess:
        """What the request asks past the sandbox, if it may have it; the first refusal otherwise."""
        if is_admin and self.admin_host_access:
            return HostAccess(
                privileged=request.privileged,
                add_capabilities=tuple(request.cap_add),
                devices=tuple(request.devices),
                host_namespaces=tuple(request.host_namespaces),
                bind_mounts=tuple(request.binds),
                security_options=tuple(request.security_opt),
            )
        if request.privileged:
            raise PrivilegedNotAllowed
        if request.cap_add:
            raise CapabilitiesNotAllowed
        if request.devices:
            raise DevicesNotAllowed
        if request.host_namespaces:
            raise HostNamespaceNotAllowed(list(request.host_namespaces))
        if request.binds:
            raise BindMountsNotAllowed
        if request.security_opt:
            raise SecurityOptionsNotAllowed
        return HostAccess()

    def limits(self, request: ContainerCreate) -> Limits:
        memory_mb = request.memory_mb or self.default_memory_mb
        cpus = request.cpus or self.default_cpus
        pids = request.pids_limit or self.default_pids
        for limit, requested, maximum in (
            ("memory_mb", memory_mb, self.max_memory_mb),
            ("cpus", cpus, self.max_cpus),
            ("pids_limit", pids, self.max_pids),
        ):
            if requested > maximum:
                raise LimitExceeded(limit=limit, requested=requested, maximum=maximum)
        return Limits(memory_bytes=memory_mb * MIB, cpus=cpus, pids=pids)

    def ports(self, request: ContainerCreate) -> tuple[PublishedPort, ...]:
        for port in request.ports:
            if not self.public_ports and not ipaddress.ip_address(port.host_ip).is_loopback:
                raise PublicPortNotAllowed(host_ip=port.host_ip)
        return tuple(PublishedPort(**port.model_dump()) for port in request.ports)

    def check_quota(self, owned: Sequence[Container], *, memory_bytes: int) -> None:
        """`owned`: the owner's containers, inspected (their limits known), stopped ones included."""
        if len(owned) >= self.quota_count:
            raise ContainerQuotaExceeded(quota=self.quota_count)
        in_use = sum(container.memory_bytes or 0 for container in owned)
        if in_use + memory_bytes > self.quota_memory_mb * MIB:
            raise MemoryQuotaExceeded(
                quota_mb=self.quota_memory_mb, in_use_mb=in_use // MIB, requested_mb=memory_bytes // MIB
            )


def image_names(reference: str) -> set[str]:
    """The names an image reference goes by, for matching against the allowlist.

    `busybox` is also `library/busybox`, `docker.io/library/busybox` and each of those with
    `:latest`; `registry.local/team/app:1.2` is that and `registry.local/team/app`.
    """
    name, _, digest = reference.partition("@")
    tag = "latest"
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    if digest:
        tag = ""  # the engine pulls by digest alone: a tag beside it names nothing
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    names = {f"{registry}/{path}"}
    if registry == DOCKER_HUB:
        names.add(path)
    suffix = f":{tag}" if tag else f"@{digest}"
    return names | {f"{base}{suffix}" for base in names}
