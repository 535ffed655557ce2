"""Jobs errors: stable codes for clients, message keys for translators."""

from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed


class JobNotFound(NotFoundError):
    """No such job, or not the caller's."""

    error_code = "job_not_found"


class JobNotCancellable(ConflictError):
    """The job is no longer queued."""

    error_code = "job_not_cancellable"


class UnknownJobKind(ValidationFailed):
    """No job of this kind that a user may submit."""

    error_code = "unknown_job_kind"


class JobKindNotAllowed(PermissionDeniedError):
    """The kind exists (it is documented), but the caller's role may not submit it
    (`maintenance`: admins only)."""

    error_code = "job_kind_not_allowed"
