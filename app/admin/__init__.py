"""The admin panel at /admin (sqladmin), for the people who operate a Keel deployment.

It is built on first use: sqladmin, Jinja2 and WTForms are 6 MB that every API process
would otherwise carry, and most never serve the panel (docs/decisions.md, "The admin
panel is built on first use").
"""

from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from app.core.config import Settings


class LazyPanel:
    """An ASGI app that builds the panel the first time it is needed: for a request, or for
    the URL of one of its pages (`url_for("admin:index")` reads its routes)."""

    def __init__(self, build: Callable[[], Starlette]) -> None:
        self._build = build
        self._panel: Starlette | None = None

    @property
    def routes(self) -> list[BaseRoute]:
        return self.panel.routes

    @property
    def panel(self) -> Starlette:
        if self._panel is None:
            self._panel = self._build()
        return self._panel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.panel(scope, receive, send)


def mount_admin(
    app: FastAPI,
    *,
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    def build() -> Starlette:
        from app.admin.panel import build_panel

        return build_panel(app.state, settings=settings, engine=engine, session_factory=session_factory)

    app.mount("/admin", LazyPanel(build), name="admin")
