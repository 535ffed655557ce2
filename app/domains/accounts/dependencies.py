"""Who is calling, what they may do, and the accounts services wired for one request.

Other domains' routers import `CurrentCaller`, `CurrentAdmin` and `require` from here: they
identify the caller from the access token alone. `CurrentUser` reads the caller's row, for the
operations that change it; `ShownUser` reads it without the ORM, for those that only return it.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, OAuth2PasswordBearer

from app.core.errors import CacheUnavailable, raises
from app.core.security import same_secret
from app.domains.accounts.errors import (
    CrossSiteRequest,
    CsrfFailed,
    InvalidToken,
    NotAuthenticated,
    PermissionDenied,
    SessionRevoked,
    TokenExpired,
)
from app.domains.accounts.models import User
from app.domains.accounts.permissions import all_permissions
from app.domains.accounts.repository import UserRow
from app.domains.accounts.service.assembly import AccountServices, account_services, authenticator
from app.domains.accounts.service.auth import AuthService, Caller, Client
from app.domains.accounts.service.recovery import RecoveryService
from app.domains.accounts.service.users import UserService
from app.infrastructure.runtime import UoW, runtime_of
from app.web.origins import comes_from_another_site

ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Declared as security schemes so that OpenAPI shows both ways in.
# The OAuth2 password flow makes the docs' "Authorize" button log in with e-mail and password,
# through the form operation of its own (`/auth/token`); `/auth/login` takes JSON only.
TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret
bearer_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL, auto_error=False, description="Bearer access token from login."
)
cookie_scheme = APIKeyCookie(
    name=ACCESS_COOKIE, auto_error=False, description="Set by login; needs X-CSRF-Token."
)


async def _services(request: Request, uow: UoW) -> AccountServices:
    return account_services(runtime_of(request), uow)


Services = Annotated[AccountServices, Depends(_services)]


async def auth_service(services: Services) -> AuthService:
    return services.auth


async def user_service(services: Services) -> UserService:
    return services.users


async def recovery_service(services: Services) -> RecoveryService:
    return services.recovery


AuthServiceDep = Annotated[AuthService, Depends(auth_service)]
UserServiceDep = Annotated[UserService, Depends(user_service)]
RecoveryServiceDep = Annotated[RecoveryService, Depends(recovery_service)]


async def client_of(request: Request) -> Client:
    return Client(
        address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


RequestClient = Annotated[Client, Depends(client_of)]


def check_csrf(request: Request) -> None:
    """A browser sends cookies on cross-site requests too; only our own pages can read this one."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    header = request.headers.get(CSRF_HEADER)
    if not cookie or not header or not same_secret(cookie, header):
        raise CsrfFailed


async def refuse_cross_site(request: Request) -> None:
    """For the endpoints that set the login cookies: a page of another site may not (login CSRF)."""
    if comes_from_another_site(request, runtime_of(request).settings):
        raise CrossSiteRequest


# What authentication may answer (the revocation store being the cache).
AUTH_ERRORS = (NotAuthenticated, InvalidToken, TokenExpired, SessionRevoked, CsrfFailed)


@raises(*AUTH_ERRORS, CacheUnavailable)
async def current_caller(
    request: Request,
    bearer: Annotated[str | None, Security(bearer_scheme)],
    cookie: Annotated[str | None, Security(cookie_scheme)],
) -> Caller:
    """The caller, from a Bearer header (API clients) or the access cookie (browsers): the
    token's claims and the revocation list; no database, so no unit of work."""
    token = bearer
    if token is None:
        if not cookie:
            raise NotAuthenticated
        check_csrf(request)
        token = cookie
    caller = await authenticator(runtime_of(request)).authenticate(access_token=token)
    request.state.user_id = caller.id  # for an error report, should the request fail
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


@raises(SessionRevoked)
async def current_user(request: Request, caller: CurrentCaller, uow: UoW) -> User:
    """The caller's own user row: only for the operations that return or change it."""
    return await authenticator(runtime_of(request)).user_of(caller, uow=uow)


CurrentUser = Annotated[User, Depends(current_user)]


@raises(SessionRevoked)
async def shown_user(request: Request, caller: CurrentCaller, uow: UoW) -> UserRow:
    """The caller's own user as shown, read without the ORM: for the reads that return it."""
    return await authenticator(runtime_of(request)).shown_user_of(caller, uow=uow)


ShownUser = Annotated[UserRow, Depends(shown_user)]


REQUIRED_PERMISSIONS: set[str] = set()


def require(permission: str) -> Callable[[Caller], Awaitable[Caller]]:
    """`Depends(require("todos:write"))`: the caller, if their role grants the permission.

    Routers call it while the domains are still being imported, before the permissions are
    known: `check_required_permissions()` holds every one of them to the declared ones at start.
    """
    REQUIRED_PERMISSIONS.add(permission)

    @raises(PermissionDenied)
    async def permitted_caller(caller: CurrentCaller) -> Caller:
        if not caller.may(permission):
            raise PermissionDenied(permission=permission)
        return caller

    return permitted_caller


CurrentAdmin = Annotated[Caller, Depends(require("users:admin"))]


def check_required_permissions() -> None:
    """A permission a route requires that no installed domain declares is a typo or a missing
    domain: refused at start, not found by the first request that needs it."""
    unknown = sorted(REQUIRED_PERMISSIONS - all_permissions())
    if unknown:
        raise ValueError(f"routes require permissions no installed domain declares: {unknown}")
