"""The `keel` command."""

import os
from typing import Annotated

import typer
import uvicorn

from app.core.config import get_settings
from app.infrastructure import migrations

app = typer.Typer(help="Keel: run, migrate and administer the service.", no_args_is_help=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: KEEL_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default: KEEL_PORT (8000).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Default: KEEL_WORKERS, else one per core in production.")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API with uvicorn (uvloop, httptools)."""
    settings = get_settings()
    default_workers = (os.cpu_count() or 1) if settings.is_production else 1
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else (workers or settings.workers or default_workers),
        reload=reload,
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        access_log=False,  # Keel's own access log carries the request id
        log_config=None,  # Keel configures logging itself
    )


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Upgrade the database schema (to the latest revision by default)."""
    migrations.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


if __name__ == "__main__":
    app()
