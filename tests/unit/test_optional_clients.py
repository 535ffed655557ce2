"""What a serving process does not use, it does not import: the Redis client alone adds
14 MB to every worker, Alembic (with Mako and Pygments) 13 MB (bench/README.md, idle RSS)."""

import json
import subprocess
import sys

from tests.conftest import TEST_SECRET

PROBE = """
import json, sys
from app.cli import app  # what `keel serve` has imported when uvicorn creates the app
from app.core.config import Settings
from app.main import create_app
from app.infrastructure.broker import create_broker
from app.infrastructure.cache import create_cache

settings = Settings(secret_key={secret!r}, redis_url={redis_url!r})
create_app(settings)
create_cache(settings.redis_url)
create_broker(settings)
print(json.dumps({{name: name in sys.modules for name in ("redis", "alembic")}}))
"""


def imported(redis_url: str | None) -> dict[str, bool]:
    # A process of its own: this one may have imported anything.
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE.format(secret=TEST_SECRET, redis_url=redis_url)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "KEEL_ENV": "test"},
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_without_redis_configured_neither_redis_nor_alembic_is_imported() -> None:
    assert imported(None) == {"redis": False, "alembic": False}


def test_with_redis_configured_the_redis_client_is() -> None:
    assert imported("redis://127.0.0.1:6379/15")["redis"] is True
