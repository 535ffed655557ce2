"""The accounts domain: users, profiles, roles, sessions and the pages mailed links open."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from starlette.routing import Mount

from app.domains.accounts.dependencies import check_required_permissions
from app.domains.accounts.router import pages
from app.domains.accounts.router import routers as api_routers
from app.domains.accounts.service.maintenance import AccountsMaintenance
from app.domains.accounts.service.recovery import AccountEmails
from app.infrastructure.domain import Domain
from app.infrastructure.runtime import Runtime


@asynccontextmanager
async def startup(runtime: Runtime) -> AsyncIterator[None]:
    check_required_permissions()  # every route's permission is one an installed domain declares
    yield


async def maintenance(runtime: Runtime, now: datetime) -> dict[str, int]:
    """Purge expired sessions and spent tokens; retry unsent mail."""
    async with runtime.unit_of_work() as uow:
        emails = AccountEmails(uow=uow, settings=runtime.settings, mailer=runtime.mailer)
        accounts = AccountsMaintenance(uow=uow, emails=emails)
        purged = await accounts.purge_expired(now=now)
        return {**purged, "mail_delivered": await accounts.retry_unsent_mail()}


DOMAIN = Domain(
    name="accounts",
    api={"v1": api_routers},
    routes=(pages.router,),
    mounts=(Mount(pages.ASSETS_PATH, app=pages.assets, name="account-pages"),),
    permissions={"users:admin": "admin"},
    maintenance=(maintenance,),
    startup=startup,
)
