"""Authentication endpoints: tokens for API clients, cookies for browsers."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

from app.core.errors import CacheUnavailable, ServerBusy, TooManyRequests
from app.domains.accounts.dependencies import (
    REFRESH_COOKIE,
    AuthServiceDep,
    CurrentCaller,
    CurrentUser,
    RecoveryServiceDep,
    RequestClient,
    check_csrf,
    refuse_cross_site,
)
from app.domains.accounts.errors import (
    AccountInactive,
    CrossSiteRequest,
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
    TokenForm,
    TokenResponse,
    UserRead,
)
from app.domains.accounts.service.assembly import hand_off_password_reset
from app.domains.accounts.service.auth import IssuedTokens
from app.infrastructure.runtime import runtime_of
from app.web.ids import PathId
from app.web.responses import errors

router = APIRouter(prefix="/auth", tags=["auth"])

# What a rate-limited route may answer: the limit reached, or its store (Redis) unreachable.
RATE_LIMITED = (TooManyRequests, CacheUnavailable)


def token_response(tokens: IssuedTokens) -> TokenResponse:
    return TokenResponse(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=errors(EmailTaken, PasswordRejected, *RATE_LIMITED),
)
async def register(
    body: RegisterRequest, auth: AuthServiceDep, client: RequestClient, response: Response
) -> UserRead:
    """Create a member account; a verification e-mail is sent to the address."""
    user = await auth.register(
        email=body.email, password=body.password, display_name=body.display_name, client=client
    )
    response.headers["Location"] = "/api/v1/users/me"  # where its owner reads it, once logged in
    return UserRead.model_validate(user)


LOGIN_ERRORS = (InvalidCredentials, AccountInactive, *RATE_LIMITED)


@router.post(
    "/login",
    dependencies=[Depends(refuse_cross_site)],
    responses=errors(*LOGIN_ERRORS, CrossSiteRequest),
)
async def login(
    credentials: LoginRequest,
    auth: AuthServiceDep,
    client: RequestClient,
    request: Request,
    response: Response,
) -> TokenResponse:
    """Tokens in the body for API clients, and the same as HttpOnly cookies for browsers."""
    tokens = await auth.login(email=credentials.email, password=credentials.password, client=client)
    set_auth_cookies(response, tokens, runtime_of(request).settings)
    return token_response(tokens)


@router.post("/token", responses=errors(*LOGIN_ERRORS))
async def login_with_form(
    form: Annotated[TokenForm, Form()], auth: AuthServiceDep, client: RequestClient
) -> TokenResponse:
    """The OAuth2 password form, for the docs' Authorize button: the same login, tokens in
    the body only. It sets no cookies, so a form posted by another site gains nothing."""
    tokens = await auth.login(email=form.username, password=form.password, client=client)
    return token_response(tokens)


@router.post(
    "/refresh",
    dependencies=[Depends(refuse_cross_site)],
    responses=errors(InvalidRefreshToken, RefreshTokenReused, AccountInactive, CsrfFailed, CrossSiteRequest),
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
    set_auth_cookies(response, tokens, runtime_of(request).settings)
    return token_response(tokens)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(caller: CurrentCaller, auth: AuthServiceDep, request: Request, response: Response) -> None:
    """End this session; its access token stops working at once."""
    await auth.logout(caller=caller)
    clear_auth_cookies(response, runtime_of(request).settings)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(
    caller: CurrentCaller, auth: AuthServiceDep, request: Request, response: Response
) -> None:
    """End every session of the account, this one included."""
    await auth.logout_all(caller=caller)
    clear_auth_cookies(response, runtime_of(request).settings)


@router.get("/sessions")
async def list_sessions(caller: CurrentCaller, auth: AuthServiceDep) -> list[SessionRead]:
    sessions = await auth.list_sessions(caller=caller)
    return [
        SessionRead.model_validate(s).model_copy(update={"current": s.id == caller.session_id})
        for s in sessions
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(SessionNotFound),
)
async def revoke_session(session_id: PathId, caller: CurrentCaller, auth: AuthServiceDep) -> None:
    await auth.revoke_session(caller=caller, session_id=session_id)


@router.post(
    "/password-reset", status_code=status.HTTP_202_ACCEPTED, responses=errors(*RATE_LIMITED, ServerBusy)
)
async def request_password_reset(
    body: PasswordResetRequest, auth: AuthServiceDep, client: RequestClient, request: Request
) -> Accepted:
    """Always 202, at once: whether the address has an account is revealed neither by the
    answer nor by its time; the mail is prepared and sent after the response."""
    await auth.limit_mail_requests(client)
    hand_off_password_reset(runtime_of(request), email=body.email)
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
