"""Authentication endpoints: tokens for API clients, cookies for browsers."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.core.errors import CacheUnavailable, TooManyRequests
from app.domains.accounts.dependencies import (
    REFRESH_COOKIE,
    AuthServiceDep,
    CurrentPrincipal,
    CurrentUser,
    RecoveryServiceDep,
    RequestClient,
    check_csrf,
)
from app.domains.accounts.errors import (
    AccountInactive,
    CsrfFailed,
    EmailTaken,
    InvalidActionToken,
    InvalidCredentials,
    InvalidRefreshToken,
    PasswordRejected,
    RefreshTokenReused,
    SessionNotFound,
)
from app.domains.accounts.router.cookies import clear_auth_cookies, set_auth_cookies
from app.domains.accounts.schemas import (
    Accepted,
    EmailVerificationConfirm,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    SessionRead,
    TokenResponse,
    UserRead,
)
from app.domains.accounts.service.auth import IssuedTokens
from app.web.ids import PathId
from app.web.responses import errors

router = APIRouter(prefix="/auth", tags=["auth"])

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# What a rate-limited route may answer: the limit reached, or its store (Redis) unreachable.
RATE_LIMITED = (TooManyRequests, CacheUnavailable)

LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginRequest.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "description": "The e-mail address."},
                        "password": {"type": "string", "format": "password"},
                    },
                }
            },
        },
    }
}


async def login_credentials(request: Request) -> LoginRequest:
    """JSON for API clients, or the OAuth2 password form that the docs' Authorize button posts."""
    try:
        if request.headers.get("content-type", "").startswith(FORM_TYPES):
            form = await request.form()
            return LoginRequest.model_validate(
                {"email": form.get("username"), "password": form.get("password")}
            )
        return LoginRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from exc


def token_response(tokens: IssuedTokens) -> TokenResponse:
    return TokenResponse(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=errors(EmailTaken, PasswordRejected, *RATE_LIMITED),
)
async def register(body: RegisterRequest, auth: AuthServiceDep, client: RequestClient) -> UserRead:
    """Create a member account; a verification e-mail is sent to the address."""
    user = await auth.register(
        email=body.email, password=body.password, display_name=body.display_name, client=client
    )
    return UserRead.model_validate(user)


@router.post(
    "/login",
    openapi_extra=LOGIN_BODY,
    responses=errors(InvalidCredentials, AccountInactive, *RATE_LIMITED),
)
async def login(
    credentials: Annotated[LoginRequest, Depends(login_credentials)],
    auth: AuthServiceDep,
    client: RequestClient,
    request: Request,
    response: Response,
) -> TokenResponse:
    """Tokens in the body for API clients, and the same as HttpOnly cookies for browsers."""
    tokens = await auth.login(email=credentials.email, password=credentials.password, client=client)
    set_auth_cookies(response, tokens, request.app.state.settings)
    return token_response(tokens)


@router.post(
    "/refresh", responses=errors(InvalidRefreshToken, RefreshTokenReused, AccountInactive, CsrfFailed)
)
async def refresh(
    auth: AuthServiceDep, request: Request, response: Response, body: RefreshRequest | None = None
) -> TokenResponse:
    """Rotate: the refresh token presented is spent; presenting it again ends the session."""
    refresh_token = body.refresh_token if body else None
    if refresh_token is None:
        refresh_token = request.cookies.get(REFRESH_COOKIE)
        if refresh_token is None:
            raise InvalidRefreshToken
        check_csrf(request)
    tokens = await auth.refresh(refresh_token=refresh_token)
    set_auth_cookies(response, tokens, request.app.state.settings)
    return token_response(tokens)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    principal: CurrentPrincipal, auth: AuthServiceDep, request: Request, response: Response
) -> None:
    """End this session; its access token stops working at once."""
    await auth.logout(principal=principal)
    clear_auth_cookies(response, request.app.state.settings)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(
    principal: CurrentPrincipal, auth: AuthServiceDep, request: Request, response: Response
) -> None:
    """End every session of the account, this one included."""
    await auth.logout_all(principal=principal)
    clear_auth_cookies(response, request.app.state.settings)


@router.get("/sessions")
async def list_sessions(principal: CurrentPrincipal, auth: AuthServiceDep) -> list[SessionRead]:
    sessions = await auth.list_sessions(principal=principal)
    return [
        SessionRead.model_validate(s).model_copy(update={"current": s.id == principal.session_id})
        for s in sessions
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(SessionNotFound),
)
async def revoke_session(session_id: PathId, principal: CurrentPrincipal, auth: AuthServiceDep) -> None:
    await auth.revoke_session(principal=principal, session_id=session_id)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, responses=errors(*RATE_LIMITED))
async def request_password_reset(
    body: PasswordResetRequest, recovery: RecoveryServiceDep, auth: AuthServiceDep, client: RequestClient
) -> Accepted:
    """Always 202: whether the address has an account is not revealed."""
    await auth.limit_mail_requests(client)
    await recovery.request_password_reset(email=body.email)
    return Accepted()


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    # Every session of the account ends, and their access tokens are revoked in the cache.
    responses=errors(InvalidActionToken, PasswordRejected, CacheUnavailable),
)
async def reset_password(body: PasswordResetConfirm, recovery: RecoveryServiceDep) -> None:
    """Set a new password with the e-mailed token; every session of the account ends."""
    await recovery.reset_password(token=body.token, new_password=body.new_password)


@router.post("/verify-email", status_code=status.HTTP_202_ACCEPTED)
async def request_verification(user: CurrentUser, recovery: RecoveryServiceDep) -> Accepted:
    """Send (again) the verification link; nothing happens if the address is verified."""
    await recovery.request_verification(user=user)
    return Accepted()


@router.post(
    "/verify-email/confirm", status_code=status.HTTP_204_NO_CONTENT, responses=errors(InvalidActionToken)
)
async def confirm_verification(body: EmailVerificationConfirm, recovery: RecoveryServiceDep) -> None:
    await recovery.confirm_verification(token=body.token)
