"""The admin panel at /admin (sqladmin), for the people who operate a Keel deployment."""

from fastapi import FastAPI
from sqladmin import Admin
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.admin.auth import AdminAuth
from app.admin.views import VIEWS
from app.core.config import Settings


def mount_admin(
    app: FastAPI,
    *,
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> Admin:
    auth = AdminAuth(secret_key=settings.secret_key.get_secret_value(), secure=settings.cookie_secure)
    admin = Admin(
        app,
        engine=engine,
        session_maker=session_factory,
        authentication_backend=auth,
        title="Keel admin",
    )
    auth.templates = admin.templates
    admin.admin.state.keel = app.state  # the panel's views reach Keel's services through it
    for view in VIEWS:
        admin.add_view(view)
    return admin
