"""The panel itself: sqladmin with Keel's login and the views of every installed domain
(each domain's `admin.py`), built by `app.admin.LazyPanel`."""

import importlib

from sqladmin import Admin, ModelView
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import State

from app.admin.auth import AdminAuth
from app.core.config import Settings
from app.domains import installed_domains


def installed_views() -> list[type[ModelView]]:
    return [
        view
        for domain in installed_domains()
        if domain.admin_module
        for view in importlib.import_module(domain.admin_module).VIEWS
    ]


def build_panel(
    state: State,
    *,
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> Starlette:
    auth = AdminAuth(secret_key=settings.secret_key.get_secret_value(), secure=settings.cookie_secure)
    # sqladmin mounts its app on the one it is given; Keel mounts it itself.
    admin = Admin(
        Starlette(),
        engine=engine,
        session_maker=session_factory,
        authentication_backend=auth,
        title="Keel admin",
    )
    auth.templates = admin.templates
    admin.admin.state = state  # the application's: the views reach its runtime as routes do
    for view in installed_views():
        admin.add_view(view)
    return admin.admin
