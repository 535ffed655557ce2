"""Admin panel login with Keel's own accounts: only `users:admin` gets in.

A panel login is a Keel login session (it appears in the user's sessions); the panel's
cookie holds only its id, so revoking the session or deactivating the user ends the
panel session on the next request.
"""

from typing import Any

from sqladmin.authentication import AuthenticationBackend
from starlette.requests import Request
from starlette.responses import Response

from app.core.errors import AppError
from app.domains.accounts.admin import accounts
from app.domains.accounts.errors import CrossSiteRequest, PermissionDenied
from app.domains.accounts.service.auth import Client
from app.infrastructure.runtime import runtime_of
from app.web.admin import PANEL_SESSION_KEY, readable
from app.web.origins import comes_from_another_site

ADMIN_PERMISSION = "users:admin"
COOKIE_NAME = "keel_admin"


class AdminAuth(AuthenticationBackend):
    def __init__(self, *, secret_key: str, secure: bool) -> None:
        # HttpOnly always (Starlette's session cookie); Strict: never sent cross-site.
        super().__init__(
            secret_key=secret_key,
            session_cookie=COOKIE_NAME,
            path="/admin",
            same_site="strict",
            https_only=secure,
        )
        self.templates: Any = None  # the panel's templates, set when it is mounted

    async def login(self, request: Request) -> Response | bool:
        if comes_from_another_site(request, runtime_of(request).settings):
            return await self._refuse(request, CrossSiteRequest())  # login CSRF
        form = await request.form()
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        client = Client(
            address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )
        async with accounts(request) as services:
            try:
                tokens = await services.auth.login(email=email, password=password, client=client)
                caller = await services.auth.resume(session_id=tokens.session_id)
                if not caller.may(ADMIN_PERMISSION):
                    await services.auth.logout(caller=caller)  # no half-open session left behind
                    raise PermissionDenied(permission=ADMIN_PERMISSION)
            except AppError as error:
                return await self._refuse(request, error)
        request.session.clear()
        request.session[PANEL_SESSION_KEY] = tokens.session_id
        return True

    async def logout(self, request: Request) -> Response | bool:
        session_id = request.session.get(PANEL_SESSION_KEY)
        request.session.clear()
        if session_id is not None:
            async with accounts(request) as services:
                try:
                    caller = await services.auth.resume(session_id=int(session_id))
                except AppError:
                    return True  # already ended elsewhere
                await services.auth.logout(caller=caller)
        return True

    async def authenticate(self, request: Request) -> Response | bool:
        session_id = request.session.get(PANEL_SESSION_KEY)
        if session_id is None:
            return False
        async with accounts(request) as services:
            try:
                caller = await services.auth.resume(session_id=int(session_id))
            except AppError:  # revoked, expired, or the user deactivated
                request.session.clear()
                return False
        if not caller.may(ADMIN_PERMISSION):  # demoted since logging in
            request.session.clear()
            return False
        return True

    async def _refuse(self, request: Request, error: AppError) -> Response:
        status = 403 if isinstance(error, PermissionDenied) else error.status_code
        message = (
            "This account may not use the admin panel."
            if isinstance(error, PermissionDenied)
            else readable(request, error)
        )
        response: Response = await self.templates.TemplateResponse(
            request, "sqladmin/login.html", {"error": message}, status_code=status
        )
        return response
