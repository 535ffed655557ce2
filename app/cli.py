"""The `keel` command."""

import asyncio
import contextlib
import socket
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import uvicorn
from pydantic import TypeAdapter, ValidationError
from typer import _click as click  # typer vendors click: its help machinery takes these types

from app.core.config import UNSHARED_STATE, Settings, get_settings
from app.core.errors import AppError
from app.core.i18n import DEFAULT_LOCALE, translate, use_catalogs
from app.core.security import PasswordHasher
from app.domains import catalog_locations, installed_domains, migration_locations
from app.domains.accounts.schemas import NewEmail
from app.domains.accounts.service.limits import AttemptLimits
from app.domains.accounts.service.recovery import AccountEmails
from app.domains.accounts.service.sessions import RevocationList, SessionRevocation
from app.domains.accounts.service.users import UserService
from app.infrastructure.cache import MemoryCache, create_cache
from app.infrastructure.database import PROBE_FAILURES, create_engine, create_session_factory
from app.infrastructure.process_lock import AnotherProcessServes, sole_process
from app.infrastructure.rate_limit import create_rate_limiter
from app.infrastructure.unit_of_work import UnitOfWork

# <part:worker>
from app.worker import run_worker

# </part:worker>

# The checkout `keel new-domain` writes into: the one this package is imported from.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class _Flag(typer.core.TyperOption):
    def display_type_rich(self, ctx: click.Context) -> str | None:
        return None  # a flag takes no value: no `<bool>` beside `--reload --no-reload`


def _without_flag_labels(params: list[click.Parameter]) -> list[click.Parameter]:
    """Typer's help labels every option with its type, flags too; a flag's label reads as a value
    it would take."""
    for param in params:
        if isinstance(param, typer.core.TyperOption) and param.is_flag:
            param.__class__ = _Flag
    return params


class KeelGroup(typer.core.TyperGroup):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _without_flag_labels(super().get_params(ctx))


class KeelCommand(typer.core.TyperCommand):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _without_flag_labels(super().get_params(ctx))


app = typer.Typer(
    help="Keel: run, migrate and administer the service.",
    no_args_is_help=True,
    cls=KeelGroup,
    rich_markup_mode="markdown",
)


@app.command(cls=KeelCommand)
def serve(
    host: Annotated[str | None, typer.Option(help="Default: KEEL_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default: KEEL_PORT (8000).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Default: KEEL_WORKERS, else one per core in production with Redis, else one."),
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API with uvicorn (uvloop, httptools)."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    worker_count = workers or settings.workers or settings.default_workers
    if not reload and worker_count > 1 and settings.redis_url is None:
        _refuse(f"--workers {worker_count} needs KEEL_REDIS_URL: {UNSHARED_STATE}")
    if settings.redis_url is None:
        # The server's lifespan takes the process lock for good; asking first gives a clear
        # line instead of a failed startup's traceback.
        try:
            asyncio.run(_ask_for_the_process_lock(settings))
        except AnotherProcessServes as exc:
            _refuse(str(exc))
        except PROBE_FAILURES as exc:  # down, refused, or no such database
            _refuse(
                "cannot reach the database to take its process lock (needed without KEEL_REDIS_URL): "
                + driver_message(exc)
            )
    _refuse_a_taken_address(host, port)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else worker_count,
        reload=reload,
        loop="uvloop",
        **edge_options(settings),
        access_log=False,  # Keel's own access log carries the request id
        log_config=None,  # Keel configures logging itself
    )


async def _ask_for_the_process_lock(settings: Settings) -> None:
    async with sole_process(settings):
        pass


def _refuse_a_taken_address(host: str, port: int) -> None:
    """uvicorn says so only after "Application startup complete", in a traceback."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        _refuse(f"cannot listen on {host}:{port}: {exc.strerror} (KEEL_HOST, KEEL_PORT or --host, --port)")


def driver_message(error: Exception) -> str:
    """What the driver said, without SQLAlchemy's wrapping and its link."""
    return str(getattr(error, "orig", None) or error)


def _refuse(reason: str) -> NoReturn:
    typer.echo(f"refused: {reason}", err=True)
    raise typer.Exit(code=2)


def edge_options(settings: Settings) -> dict[str, Any]:
    """What the server buffers and believes of a request before the app sees it."""
    return {
        # httptools, refusing a head over KEEL_MAX_HEADER_BYTES as it arrives.
        "http": "app.middleware.bounded_head:BoundedHeadProtocol",
        # X-Forwarded-For/-Proto only from the proxies the operator lists: uvicorn's default
        # believes any local peer, and so lets a client pick its address for the rate limits.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }


@app.command(cls=KeelCommand)
def migrate(revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads") -> None:
    """Upgrade the database schema (to the latest revision of every installed domain by default)."""
    # Imported here: Alembic brings Mako and Pygments, 13 MB that `keel serve` has no use for.
    from app.infrastructure import migrations

    try:
        applied = migrations.upgrade(get_settings().database_url, migration_locations(), revision)
    except PROBE_FAILURES as exc:  # down, refused, or no such database
        _refuse(f"cannot reach the database: {driver_message(exc)}")
    done = f"applied {', '.join(applied)}" if applied else "nothing to apply"
    typer.echo(f"database at {'the latest revisions' if revision == 'heads' else revision}: {done}")


@app.command(cls=KeelCommand)
def revision(
    domain: Annotated[str, typer.Argument(help="The installed domain whose models changed.")],
    message: Annotated[str, typer.Option("--message", "-m", help="What the revision does.")],
) -> None:
    """Write a new revision for a domain, generated from the difference between its models and
    the database at KEEL_DATABASE_URL (migrate it first)."""
    from app.infrastructure import migrations

    installed = {found.name: found for found in installed_domains()}
    if domain not in installed or installed[domain].migrations is None:
        _refuse(f"{domain!r} is not an installed domain with a migrations folder: {sorted(installed)}")
    folder = installed[domain].migrations
    assert folder is not None
    migrations.revision(
        migration_locations(),
        branch=domain,
        folder=folder,
        message=message,
        database_url=get_settings().database_url,
    )


@app.command("new-domain", cls=KeelCommand)
def new_domain(
    name: Annotated[str, typer.Argument(help="The domain's plural name: its folder, table and URL path.")],
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="NAME:TYPE",
            help="Repeatable; TYPE is str, text, int, bool or datetime. Default: name:str.",
        ),
    ] = None,
    singular: Annotated[
        str | None,
        typer.Option(metavar="WORD", help="The model's word, when dropping the plural's s is wrong."),
    ] = None,
) -> None:
    """Write a new domain (model, API, migration, messages, admin view, docs page, tests) and
    install it. Refuses, writing nothing, a name that exists or clashes."""
    from app.scaffold.spec import Refused, build_spec
    from app.scaffold.writer import write_domain

    try:
        spec = build_spec(PROJECT_ROOT, name, field or [], singular)
        written = write_domain(PROJECT_ROOT, spec, report=typer.echo)
    except Refused as exc:
        _refuse(str(exc))
    typer.echo("\n".join(["wrote:", *(f"  {path}" for path in written)]))
    typer.echo(
        f"next: `make lint test`, then `keel migrate`; the {name} API is at /api/v1/{name} "
        f"(app/domains/{name}/README.md)."
    )


# <part:worker>
@app.command(cls=KeelCommand)
def worker() -> None:
    """Run background jobs from RabbitMQ (needs KEEL_BROKER_URL)."""
    settings = get_settings()
    if settings.broker_url is None:
        typer.echo("KEEL_BROKER_URL is not set: without a broker, jobs run inside `keel serve`.", err=True)
        raise typer.Exit(code=2)
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(run_worker(settings))


# </part:worker>


@app.command("create-admin", cls=KeelCommand)
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's e-mail address.")],
    password: Annotated[
        str | None,
        typer.Option(envvar="KEEL_ADMIN_PASSWORD", help="Default: asked at the prompt.", show_default=False),
    ] = None,
    reset_password: Annotated[
        bool,
        typer.Option(
            "--reset-password",
            help="Give an existing account this password and end all its sessions (needs KEEL_REDIS_URL).",
        ),
    ] = False,
) -> None:
    """Create an administrator, or promote and reactivate an existing account (idempotent)."""
    try:
        email = str(TypeAdapter(NewEmail).validate_python(email))
    except ValidationError as exc:
        raise typer.BadParameter(
            f"not a valid e-mail address ({exc.errors()[0]['msg']})", param_hint="--email"
        ) from exc
    settings = get_settings()
    if reset_password and settings.redis_url is None:
        _refuse(f"--reset-password needs KEEL_REDIS_URL: {RESET_NEEDS_REDIS}")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        outcome = asyncio.run(
            ensure_admin(settings, email=email, password=str(password), reset_password=reset_password)
        )
    except AppError as exc:
        use_catalogs(catalog_locations())  # the refusal is the accounts domain's
        reason = translate(exc.message_key, DEFAULT_LOCALE, **exc.params)
        typer.echo(f"refused: {exc.error_code}: {reason} {exc.details or ''}".rstrip(), err=True)
        raise typer.Exit(code=1) from exc
    if outcome != "created" and not reset_password:  # the password given was not used: say so
        outcome += "; an existing account keeps its own password (--reset-password sets it)"
    typer.echo(f"admin {email}: {outcome}")


# Ending the account's sessions must reach the running servers' revocation store, or they go on
# accepting its access tokens until these expire.
RESET_NEEDS_REDIS = (
    "a server without it keeps its revoked sessions in its own memory, which this command cannot reach, "
    "so it would go on accepting the account's access tokens until they expire"
)


async def ensure_admin(settings: Settings, *, email: str, password: str, reset_password: bool = False) -> str:
    engine = create_engine(settings)
    uow = UnitOfWork(create_session_factory(engine))
    # A password reset ends the account's sessions where the servers look: Redis (checked by the
    # caller). Otherwise nothing is revoked: a new admin has no sessions, a promotion keeps them.
    cache = create_cache(settings.redis_url) if reset_password else MemoryCache()
    try:
        users = UserService(
            uow=uow,
            settings=settings,
            hasher=PasswordHasher.from_settings(settings),
            revocation=SessionRevocation(
                uow=uow,
                revocations=RevocationList(cache=cache, access_token_ttl=settings.access_token_ttl_seconds),
            ),
            emails=AccountEmails(uow=uow, settings=settings, mailer=None),  # sends no mail
            limits=AttemptLimits(create_rate_limiter(None)),
        )
        return await users.ensure_admin(email=email, password=password, reset_password=reset_password)
    finally:
        await uow.close()
        await cache.close()
        await engine.dispose()


if __name__ == "__main__":
    app()
