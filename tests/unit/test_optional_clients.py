"""Clients of servers a deployment does not use are not even imported: the Redis client
alone adds 14 MB to every worker process (bench/README.md, idle RSS)."""

import subprocess
import sys

from tests.conftest import TEST_SECRET

PROBE = """
import sys
from app.core.config import Settings
from app.main import create_app
from app.infrastructure.broker import create_broker
from app.infrastructure.cache import create_cache

settings = Settings(secret_key={secret!r}, redis_url={redis_url!r})
create_app(settings)
create_cache(settings.redis_url)
create_broker(settings)
print("redis" in sys.modules)
"""


def redis_imported(redis_url: str | None) -> bool:
    # A process of its own: this one may have imported anything.
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE.format(secret=TEST_SECRET, redis_url=redis_url)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "KEEL_ENV": "test"},
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def test_without_redis_configured_the_redis_client_is_not_imported() -> None:
    assert redis_imported(None) is False


def test_with_redis_configured_it_is() -> None:
    assert redis_imported("redis://127.0.0.1:6379/15") is True
