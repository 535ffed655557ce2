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
    """Wrong e-mail or password: the same answer for both."""

    error_code = "invalid_credentials"


class InvalidToken(AuthenticationError):
    """The access token is malformed, forged, or for another audience or issuer."""

    error_code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class TokenExpired(AuthenticationError):
    """The access token is past its `exp`."""

    error_code = "token_expired"

    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class SessionRevoked(AuthenticationError):
    """The token's session was ended (logout, password change, deactivation, role change)."""

    error_code = "session_revoked"

    def __init__(self) -> None:
        super().__init__(headers=BEARER_CHALLENGE)


class InvalidRefreshToken(AuthenticationError):
    """An unknown or expired refresh token."""

    error_code = "invalid_refresh_token"


class RefreshTokenReused(AuthenticationError):
    """A rotated refresh token presented again: the whole session is revoked."""

    error_code = "refresh_token_reused"


class AccountInactive(AuthenticationError):
    """The account is deactivated."""

    error_code = "account_inactive"


class CsrfFailed(PermissionDeniedError):
    """A cookie-authenticated unsafe request without the matching `X-CSRF-Token`."""

    error_code = "csrf_failed"


class CrossSiteRequest(PermissionDeniedError):
    """A page of another site asked for login cookies (login CSRF)."""

    error_code = "cross_site_request"


class PermissionDenied(PermissionDeniedError):
    """The caller's role lacks the permission the route requires."""

    error_code = "permission_denied"

    def __init__(self, *, permission: str) -> None:
        super().__init__(permission=permission)


class WrongPassword(PermissionDeniedError):
    """The current password given to change a password or e-mail is wrong."""

    error_code = "wrong_password"


class EmailTaken(ConflictError):
    """Another account uses this e-mail (in any case)."""

    error_code = "email_taken"


class ProfileExists(ConflictError):
    """Requests mending a missing profile at once: one made it, the others may retry."""

    error_code = "profile_exists"


class LastAdmin(ConflictError):
    """The change would leave no active admin."""

    error_code = "last_admin"


class PasswordRejected(ValidationFailed):
    """Too short, too long, or the account's own e-mail; `details.reason`."""

    error_code = "password_rejected"

    def __init__(self, *, reason: str) -> None:
        super().__init__(details={"reason": reason})


class InvalidActionToken(AppError):
    """A reset or verification token that is unknown, used, expired or for another purpose."""

    status_code = 400
    error_code = "invalid_action_token"


class UserNotFound(NotFoundError):
    """No such user."""

    error_code = "user_not_found"

    def __init__(self, *, entity_id: int) -> None:
        super().__init__(user_id=entity_id)


class SessionNotFound(NotFoundError):
    """No such session of the caller's."""

    error_code = "session_not_found"

    def __init__(self, *, entity_id: int) -> None:
        super().__init__(session_id=entity_id)
