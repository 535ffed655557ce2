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
    error_code = "container_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


class ContainerNotRunning(ConflictError):
    error_code = "container_not_running"

    def __init__(self, container_id: str) -> None:
        super().__init__(container_id=container_id)


class ContainerAlreadyRunning(ConflictError):
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
    error_code = "image_not_found"

    def __init__(self, image: str) -> None:
        super().__init__(image=image)


class ImageInUse(ConflictError):
    error_code = "image_in_use"

    def __init__(self, image: str) -> None:
        super().__init__(image=image)


class DockerUnavailable(DependencyUnavailable):
    error_code = "docker_unavailable"


class PolicyRefusal(PermissionDeniedError):
    """A create or pull the containers policy does not allow; each rule has its own code."""


class ImageNotAllowed(PolicyRefusal):
    error_code = "image_not_allowed"

    def __init__(self, image: str) -> None:
        super().__init__(image=image)


class PrivilegedNotAllowed(PolicyRefusal):
    error_code = "privileged_not_allowed"


class CapabilitiesNotAllowed(PolicyRefusal):
    error_code = "capabilities_not_allowed"


class DevicesNotAllowed(PolicyRefusal):
    error_code = "devices_not_allowed"


class HostNamespaceNotAllowed(PolicyRefusal):
    error_code = "host_namespace_not_allowed"

    def __init__(self, namespaces: list[str]) -> None:
        super().__init__(namespaces=", ".join(namespaces), details={"namespaces": namespaces})


class BindMountsNotAllowed(PolicyRefusal):
    error_code = "bind_mounts_not_allowed"


class SecurityOptionsNotAllowed(PolicyRefusal):
    error_code = "security_options_not_allowed"


class PublicPortNotAllowed(PolicyRefusal):
    error_code = "public_port_not_allowed"

    def __init__(self, host_ip: str) -> None:
        super().__init__(host_ip=host_ip)


class LimitExceeded(PolicyRefusal):
    """A memory, CPU or PID limit above the policy's maximum."""

    error_code = "limit_exceeded"

    def __init__(self, *, limit: str, requested: float, maximum: float) -> None:
        details = {"limit": limit, "requested": requested, "maximum": maximum}
        super().__init__(details=details, limit=limit, requested=f"{requested:g}", maximum=f"{maximum:g}")


class ContainerQuotaExceeded(PolicyRefusal):
    error_code = "container_quota_exceeded"

    def __init__(self, *, quota: int) -> None:
        super().__init__(details={"quota": quota}, quota=quota)


class MemoryQuotaExceeded(PolicyRefusal):
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
    """A volume over the kernel's file systems or what the engine mounts itself: the
    engine would create the container and then fail to start it, or hide /sys or /dev."""

    error_code = "volume_target_reserved"

    def __init__(self, *, target: str) -> None:
        super().__init__(details={"target": target}, target=target)


class VolumeTargetNotAbsolute(ValidationFailed):
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
    """Another create of the same owner held the quota lock for too long."""

    error_code = "container_create_busy"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})
