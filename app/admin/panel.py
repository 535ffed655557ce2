"""The panel itself: sqladmin with Keel's login and views (built by `app.admin.LazyPanel`)."""

from sqladmin import Admin
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import State

from app.admin.auth import AdminAuth
from app.admin.views import VIEWS
from app.core.config import Settings


def build_panel(
    keel: State,
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
    admin.admin.state.keel = keel  # the panel's views reach Keel's services through it
    for view in VIEWS:
        admin.add_view(view)
    return admin.admin
