"""What a serving process does not use, it does not import: the Redis client alone adds
14 MB to every worker, Alembic (with Mako and Pygments) 13 MB, the admin panel (sqladmin,
Jinja2, WTForms) 6 MB until its first request, RabbitMQ's client 3 MB (bench/README.md,
idle RSS). Nor does it import the tracing SDK, its exporter and instrumentations, or Sentry's
SDK, unless `KEEL_OTEL_ENDPOINT` or `KEEL_SENTRY_DSN` turns them on. (FastAPI itself imports
the OpenTelemetry API, a few hundred kilobytes of interfaces: that part is not ours to skip.)"""

import json
import subprocess
import sys

from tests.fixtures.platform import TEST_SECRET

PROBE = """
import json, sys
from app.cli import app  # what `keel serve` has imported when uvicorn creates the app
from app.core.config import Settings
from app.main import create_app
from app.infrastructure.broker import create_broker
from app.infrastructure.cache import create_cache
# <part:worker>
from app.worker import run_worker  # what `keel worker` imports
# </part:worker>

settings = Settings(
    secret_key={secret!r}, redis_url={redis_url!r}, broker_url={broker_url!r}, **{telemetry!r}
)
create_app(settings)
create_cache(settings.redis_url)
create_broker(settings)
print(json.dumps({{name: name in sys.modules for name in {modules!r}}}))
"""
TELEMETRY_MODULES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.instrumentation",
    "google.protobuf",
    "sentry_sdk",
)
MODULES = ("redis", "alembic", "aio_pika", "sqladmin", *TELEMETRY_MODULES)
NOTHING_OPTIONAL = dict.fromkeys(MODULES, False)


def imported(
    redis_url: str | None = None, broker_url: str | None = None, **telemetry: str
) -> dict[str, bool]:
    # A process of its own: this one may have imported anything.
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [
            sys.executable,
            "-c",
            PROBE.format(
                secret=TEST_SECRET,
                redis_url=redis_url,
                broker_url=broker_url,
                telemetry=telemetry,
                modules=MODULES,
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "KEEL_ENV": "test"},
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_without_redis_or_a_broker_configured_only_what_serving_needs_is_imported() -> None:
    assert imported() == NOTHING_OPTIONAL


def test_with_traces_and_error_reports_configured_their_sdks_are() -> None:
    on = imported(otel_endpoint="http://127.0.0.1:4318", sentry_dsn="http://public@127.0.0.1:9/1")
    assert all(on[name] for name in TELEMETRY_MODULES)
    assert on["redis"] is False  # Redis's instrumentation comes only with Redis


# <part:redis>
def test_with_redis_configured_the_redis_client_is() -> None:
    assert imported(redis_url="redis://127.0.0.1:6379/15")["redis"] is True


# </part:redis>


# <part:worker>
def test_with_a_broker_configured_the_rabbitmq_client_is() -> None:
    # A broker means `keel worker` processes, which share their state through Redis.
    with_broker = imported(
        broker_url="amqp://guest:guest@127.0.0.1:5672/", redis_url="redis://127.0.0.1:6379/15"
    )
    assert with_broker["aio_pika"] is True


# </part:worker>
