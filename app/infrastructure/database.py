"""The async engine, the session factory and the declarative base every model extends."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

from app.core.config import Settings
from app.core.errors import DatabaseUnavailable, handle_app_error
from app.infrastructure.constraints import translate_conflicts

# Explicit names make migrations deterministic on every database (and droppable by name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Every table has an integer id and UTC creation and update times."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    engine = _create_sqlite_engine(settings) if sqlite else _create_postgres_engine(settings)
    translate_conflicts(engine, Base.metadata)
    return engine


def _create_postgres_engine(settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        make_url(settings.database_url),
        echo=settings.database_echo,
        # A failed statement's message, logged with its traceback, would carry the values it
        # bound: addresses, password hashes, whatever a client sent.
        hide_parameters=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout,
        # asyncpg waits 60 s for a connection by default; an outage should answer sooner.
        connect_args={"timeout": settings.database_connect_timeout},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: PoolProxiedConnection) -> None:
    """A pre-ping without the round trip: a pooled connection the server has closed (a
    restart, an administrator) is replaced before a request gets it.

    asyncpg notices the server's goodbye on its own, so asking it costs nothing; SQLAlchemy's
    `pool_pre_ping` sent a query on every checkout instead, one more round trip per request.
    A connection lost without a goodbye fails its request (503), and SQLAlchemy then drops
    every connection the pool held.
    """
    if proxy.driver_connection is not None and proxy.driver_connection.is_closed():
        raise DisconnectionError


def _create_sqlite_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    pool: dict[str, Any]
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        pool = {"poolclass": StaticPool}  # an in-memory database lives in its one connection
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        pool = {
            "pool_size": settings.database_pool_size,
            "max_overflow": settings.database_max_overflow,
            "pool_timeout": settings.database_pool_timeout,
        }
    engine = create_async_engine(
        url, echo=settings.database_echo, hide_parameters=True, connect_args={"timeout": 30}, **pool
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers run beside the writer; SQLite leaves foreign keys off unless asked.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit: services return them to routers for serialization.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# What reaching the database can raise when the server is down, restarting or overloaded:
# asyncpg's connect raises bare OSError / TimeoutError; a dropped connection surfaces as
# OperationalError or InterfaceError; an exhausted pool as SQLAlchemy's TimeoutError.
# Keel's other adapters translate their own failures into AppErrors, so a bare OSError
# that reaches the application comes from the database driver.
DATABASE_UNREACHABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
)


async def answer_lost_connection(request: Request, exc: Exception) -> Response:
    """A connection lost in the middle of a statement (the server went away, the network
    cut) is an outage like a refused connection: 503, not a bug's 500."""
    if not (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        raise exc
    return await handle_app_error(request, DatabaseUnavailable(f"{type(exc).__name__}: {exc.orig}"))


PROBE_FAILURES: tuple[type[Exception], ...] = (SQLAlchemyError, *DATABASE_UNREACHABLE)


async def ping_database(engine: AsyncEngine) -> None:
    """Readiness probe: one round trip; failures become `DatabaseUnavailable` (a ConnectionError)."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except PROBE_FAILURES as exc:
        raise DatabaseUnavailable(str(exc)) from exc
