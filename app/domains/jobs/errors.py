"""Jobs errors: stable codes for clients, message keys for translators."""

from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed


class JobNotFound(NotFoundError):
    error_code = "job_not_found"
    message_key = "errors.jobs.not_found"


class JobNotCancellable(ConflictError):
    error_code = "job_not_cancellable"
    message_key = "errors.jobs.not_cancellable"


class UnknownJobKind(ValidationFailed):
    error_code = "unknown_job_kind"
    message_key = "errors.jobs.unknown_kind"


class JobKindNotAllowed(PermissionDeniedError):
    """The kind exists (it is documented), but the caller's role may not submit it."""

    error_code = "job_kind_not_allowed"
    message_key = "errors.jobs.kind_not_allowed"
