"""The panel itself: sqladmin with Keel's login and the views of every installed domain
(each domain's `admin.py`), built by `app.admin.LazyPanel`."""

import importlib
from pathlib import Path

from sqladmin import Admin, ModelView
from sqladmin.authentication import login_required
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response

from app.admin import dashboard
from app.admin.auth import AdminAuth
from app.core.config import Settings
from app.domains import installed_domains
from app.infrastructure.runtime import runtime_of


def installed_views() -> list[type[ModelView]]:
    return [
        view
        for domain in installed_domains()
        if domain.admin_module
        for view in importlib.import_module(domain.admin_module).VIEWS
    ]


# Keel's pages first (the front page, the login that asks for an e-mail), then sqladmin's.
TEMPLATES = Path(__file__).parent / "templates"


class KeelAdmin(Admin):
    @login_required
    async def index(self, request: Request) -> Response:
        """The front page: counts and recent activity (app/admin/dashboard.py)."""
        views = [view for view in self.views if isinstance(view, ModelView)]
        session_factory = runtime_of(request).session_factory
        context = {
            "counts": await dashboard.counts(request, views, session_factory),
            "recent": await dashboard.recent(request, views, session_factory),
        }
        response: Response = await self.templates.TemplateResponse(request, "sqladmin/index.html", context)
        return response


def build_panel(
    state: State,
    *,
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> Starlette:
    auth = AdminAuth(secret_key=settings.secret_key.get_secret_value(), secure=settings.cookie_secure)
    # sqladmin mounts its app on the one it is given; Keel mounts it itself.
    admin = KeelAdmin(
        Starlette(),
        engine=engine,
        session_maker=session_factory,
        authentication_backend=auth,
        title="Keel admin",
        templates_dir=str(TEMPLATES),
    )
    auth.templates = admin.templates
    admin.admin.state = state  # the application's: the views reach its runtime as routes do
    for view in installed_views():
        admin.add_view(view)
    return admin.admin
