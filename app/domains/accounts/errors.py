"""Accounts errors: stable codes for clients, message keys for translators."""

from app.core.errors import (
    AppError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class NotAuthenticated(AuthenticationError):
    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class InvalidCredentials(AuthenticationError):
    error_code = "invalid_credentials"


class InvalidToken(AuthenticationError):
    error_code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class TokenExpired(AuthenticationError):
    error_code = "token_expired"

    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class SessionRevoked(AuthenticationError):
    error_code = "session_revoked"

    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class InvalidRefreshToken(AuthenticationError):
    error_code = "invalid_refresh_token"


class RefreshTokenReused(AuthenticationError):
    error_code = "refresh_token_reused"


class AccountInactive(AuthenticationError):
    error_code = "account_inactive"


class CsrfFailed(PermissionDeniedError):
    error_code = "csrf_failed"


class CrossSiteRequest(PermissionDeniedError):
    """A page of another site asked for login cookies (login CSRF)."""

    error_code = "cross_site_request"


class PermissionDenied(PermissionDeniedError):
    error_code = "permission_denied"

    def __init__(self, *, permission: str) -> None:
        super().__init__(permission=permission)


class WrongPassword(PermissionDeniedError):
    error_code = "wrong_password"


class EmailTaken(ConflictError):
    error_code = "email_taken"


class ProfileExists(ConflictError):
    """Requests mending a missing profile at once: one made it, the others may retry."""

    error_code = "profile_exists"


class LastAdmin(ConflictError):
    error_code = "last_admin"


class PasswordRejected(ValidationFailed):
    error_code = "password_rejected"

    def __init__(self, *, reason: str) -> None:
        super().__init__(details={"reason": reason})


class InvalidActionToken(AppError):
    status_code = 400
    error_code = "invalid_action_token"


class UserNotFound(NotFoundError):
    error_code = "user_not_found"

    def __init__(self, *, entity_id: int) -> None:
        super().__init__(user_id=entity_id)


class SessionNotFound(NotFoundError):
    error_code = "session_not_found"

    def __init__(self, *, entity_id: int) -> None:
        super().__init__(session_id=entity_id)
