"""The containers policy: which images may run, what reaches the host, limits and quotas.

Built from settings; every refusal is a domain error of its own. Members never get host
access; admins get it only where `KEEL_CONTAINERS_ADMIN_HOST_ACCESS` says so.
"""

import ipaddress
import posixpath
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
    VolumeTargetNotAbsolute,
    VolumeTargetReserved,
)
from app.domains.containers.labels import RESERVED_PREFIX
from app.domains.containers.ports import Container, HostAccess, Image, PublishedPort
from app.domains.containers.references import IMAGE_ID, ImageName, parse_image_name
from app.domains.containers.schemas import ContainerCreate, VolumeRequest

MIB = 1024 * 1024
# Where a volume may not go: the kernel's file systems and what the engine mounts itself.
# Under /proc the runtime refuses to start (502 after a 201); over /sys or /dev a volume
# hides the container's view of the kernel and its devices; the files the engine writes
# (/etc/hosts, …) and `/` fail at create or start.
RESERVED_TARGET_TREES = ("/proc", "/sys", "/dev")
RESERVED_TARGETS = frozenset({"/", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/.dockerenv"})


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

    def check_image(self, reference: str) -> ImageName:
        """The reference as the engine reads it, if the allowlist allows that image."""
        if IMAGE_ID.fullmatch(reference):
            raise ImageNotAllowed(image=reference)  # an id names no repository to allow
        image = parse_image_name(reference)
        if not self._allows(image):
            raise ImageNotAllowed(image=reference)
        return image

    def check_resolved(self, image: Image, *, reference: str) -> None:
        """The image the engine found for `reference` must go by an allowed name itself."""
        if not any(self._allows(parse_image_name(name)) for name in (*image.tags, *image.digests)):
            raise ImageNotAllowed(image=reference)

    def _allows(self, image: ImageName) -> bool:
        names = image.names()
        return any(fnmatchcase(name, pattern) for pattern in self.allowed_images for name in names)

    def volumes(self, request: ContainerCreate) -> tuple[VolumeRequest, ...]:
        """The volumes, their targets as the engine will read them, none where it may not go."""
        return tuple(
            volume.model_copy(update={"target": volume_target(volume.target)}) for volume in request.volumes
        )

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


def volume_target(target: str) -> str:
    """`target` cleaned as the engine cleans it (`..`, `.`, `//`, a trailing `/`), if a
    volume may be mounted there."""
    if not target.startswith("/"):
        raise VolumeTargetNotAbsolute(target=target)
    cleaned = "/" + posixpath.normpath(target).lstrip("/")  # normpath keeps a leading "//"
    if cleaned in RESERVED_TARGETS or any(
        cleaned == tree or cleaned.startswith(f"{tree}/") for tree in RESERVED_TARGET_TREES
    ):
        raise VolumeTargetReserved(target=target)
    return cleaned
