"""Containers errors: stable codes for clients, message keys for translators.

Every policy refusal has a code of its own, so that a client (or a person reading the audit)
knows exactly which rule said no.
"""

from app.core.errors import (
    AppError,
    ConflictError,
    DependencyUnavailable,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)


class ContainerNotFound(NotFoundError):
    """Also the answer for someone else's container: its existence is not revealed."""

    error_code = "container_not_found"

    def __init__(self, container_id: str) -> None:
        super().__init__(container_id=container_id)


class ContainerNameTaken(ConflictError):
    """The caller already has a container with this name (names are per user)."""

    error_code = "container_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


class ContainerNotRunning(ConflictError):
    """Stop of a container that is not running."""

    error_code = "container_not_running"

    def __init__(self, container_id: str) -> None:
        super().__init__(container_id=container_id)


class ContainerAlreadyRunning(ConflictError):
    """Start of a container that is running."""

    error_code = "container_already_running"

    def __init__(self, container_id: str) -> None:
        super().__init__(container_id=container_id)


class ContainerRunning(ConflictError):
    """Removing a running container needs `force=true`."""

    error_code = "container_running"

    def __init__(self, container_id: str) -> None:
        super().__init__(container_id=container_id)


class RuntimeConflict(ConflictError):
    """The engine refused the change because of the object's state (its words are logged)."""

    error_code = "container_conflict"


class ImageNotFound(NotFoundError):
    """The image is not on the engine (pull it first), or no such image to remove."""

    error_code = "image_not_found"

    def __init__(self, image: str) -> None:
        super().__init__(image=image)


class ImageInUse(ConflictError):
    """The image is used by a container (`force=true` removes it from stopped ones)."""

    error_code = "image_in_use"

    def __init__(self, image: str) -> None:
        super().__init__(image=image)


class DockerUnavailable(DependencyUnavailable):
    """The Docker engine does not answer; `Retry-After: 5`."""

    error_code = "docker_unavailable"


class PolicyRefusal(PermissionDeniedError):
    """A create or pull the containers policy does not allow; each rule has its own code."""


class ImageNotAllowed(PolicyRefusal):
    """The image matches no pattern of `KEEL_CONTAINERS_ALLOWED_IMAGES`."""

    error_code = "image_not_allowed"

    def __init__(self, image: str) -> None:
        super().__init__(image=image)


class PrivilegedNotAllowed(PolicyRefusal):
    """`privileged: true` (members always; admins unless `KEEL_CONTAINERS_ADMIN_HOST_ACCESS`)."""

    error_code = "privileged_not_allowed"


class CapabilitiesNotAllowed(PolicyRefusal):
    """`cap_add` is not empty (members always; admins unless `KEEL_CONTAINERS_ADMIN_HOST_ACCESS`)."""

    error_code = "capabilities_not_allowed"


class DevicesNotAllowed(PolicyRefusal):
    """`devices` is not empty (members always; admins unless `KEEL_CONTAINERS_ADMIN_HOST_ACCESS`)."""

    error_code = "devices_not_allowed"


class HostNamespaceNotAllowed(PolicyRefusal):
    """`host_namespaces` asks for the host's network, PID, IPC or UTS namespace (same rule as
    `privileged`)."""

    error_code = "host_namespace_not_allowed"

    def __init__(self, namespaces: list[str]) -> None:
        super().__init__(namespaces=", ".join(namespaces), details={"namespaces": namespaces})


class BindMountsNotAllowed(PolicyRefusal):
    """`binds` mounts host paths (same rule as `privileged`); named `volumes` are fine."""

    error_code = "bind_mounts_not_allowed"


class SecurityOptionsNotAllowed(PolicyRefusal):
    """`security_opt` is not empty (same rule as `privileged`); `no-new-privileges` is always on."""

    error_code = "security_options_not_allowed"


class PublicPortNotAllowed(PolicyRefusal):
    """A port published on an address other than loopback, unless `KEEL_CONTAINERS_PUBLIC_PORTS`."""

    error_code = "public_port_not_allowed"

    def __init__(self, host_ip: str) -> None:
        super().__init__(host_ip=host_ip)


class LimitExceeded(PolicyRefusal):
    """`memory_mb`, `cpus` or `pids_limit` above the policy's maximum; `details` names it."""

    error_code = "limit_exceeded"

    def __init__(self, *, limit: str, requested: float, maximum: float) -> None:
        details = {"limit": limit, "requested": requested, "maximum": maximum}
        super().__init__(details=details, limit=limit, requested=f"{requested:g}", maximum=f"{maximum:g}")


class ContainerQuotaExceeded(PolicyRefusal):
    """The owner already has `KEEL_CONTAINERS_QUOTA_COUNT` containers (stopped ones count)."""

    error_code = "container_quota_exceeded"

    def __init__(self, *, quota: int) -> None:
        super().__init__(details={"quota": quota}, quota=quota)


class MemoryQuotaExceeded(PolicyRefusal):
    """The owner's containers' memory limits would exceed `KEEL_CONTAINERS_QUOTA_MEMORY_MB`."""

    error_code = "memory_quota_exceeded"

    def __init__(self, *, quota_mb: int, in_use_mb: int, requested_mb: int) -> None:
        details = {"quota_mb": quota_mb, "in_use_mb": in_use_mb, "requested_mb": requested_mb}
        super().__init__(details=details, quota_mb=quota_mb, in_use_mb=in_use_mb, requested_mb=requested_mb)


class ReservedLabel(ValidationFailed):
    """Labels under `io.keel.` are the server's: ownership must not be forgeable."""

    error_code = "reserved_label"

    def __init__(self, labels: list[str]) -> None:
        super().__init__(details={"labels": labels}, labels=", ".join(labels))


class VolumeTargetReserved(ValidationFailed):
    """A volume target (`..`, `.`, `//` resolved) under `/proc`, `/sys` or `/dev`, `/` itself, or
    a file the engine writes (`/etc/hosts`, …); `details.target`.

    The engine would create the container and then fail to start it, or hide /sys or /dev.
    """

    error_code = "volume_target_reserved"

    def __init__(self, *, target: str) -> None:
        super().__init__(details={"target": target}, target=target)


class VolumeTargetNotAbsolute(ValidationFailed):
    """A volume target that does not start with `/`; `details.target`."""

    error_code = "volume_target_not_absolute"

    def __init__(self, *, target: str) -> None:
        super().__init__(details={"target": target}, target=target)


class RuntimeRejected(ValidationFailed):
    """The engine refused the request as invalid (its words are logged)."""

    error_code = "runtime_rejected"


class RuntimeFailed(AppError):
    """The engine failed at something it should have done (its words are logged)."""

    status_code = 502
    error_code = "runtime_failed"


class ContainerCreateBusy(ConflictError):
    """Another create of the same owner held the quota lock for too long; `Retry-After: 1`."""

    error_code = "container_create_busy"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})
