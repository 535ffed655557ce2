"""Jobs errors: stable codes for clients, message keys for translators."""

from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed


class JobNotFound(NotFoundError):
    error_code = "job_not_found"


class JobNotCancellable(ConflictError):
    error_code = "job_not_cancellable"


class UnknownJobKind(ValidationFailed):
    error_code = "unknown_job_kind"


class JobKindNotAllowed(PermissionDeniedError):
    """The kind exists (it is documented), but the caller's role may not submit it."""

    error_code = "job_kind_not_allowed"
