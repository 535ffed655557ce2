"""The admin panel reaches Keel's services through the main application's state."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import Request

from app.core.errors import AppError
from app.core.i18n import negotiate_locale, translate
from app.domains.accounts.service.assembly import AccountServices, account_services
from app.domains.accounts.service.auth import Principal
from app.infrastructure.unit_of_work import UnitOfWork

SESSION_KEY = "keel_session_id"


def keel_state(request: Request) -> Any:
    """The FastAPI app's state (the panel runs as a mounted sub-application)."""
    return request.app.state.keel


@asynccontextmanager
async def accounts(request: Request) -> AsyncIterator[AccountServices]:
    uow = UnitOfWork(keel_state(request).session_factory)
    try:
        yield account_services(keel_state(request), uow)
    finally:
        await uow.close()


async def current_admin(request: Request, services: AccountServices) -> Principal:
    return await services.auth.resume(session_id=int(request.session[SESSION_KEY]))


def readable(request: Request, error: AppError) -> str:
    """A domain error as the sentence the API would answer, for the panel's error banner."""
    locale = negotiate_locale(request.headers.get("accept-language"))
    return translate(error.message_key, locale, **error.params)
