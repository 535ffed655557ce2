"""Settings: every knob is a `KEEL_*` environment variable (or a line in `.env`).

The defaults are the embedded ones: SQLite under `./var/`, an in-process cache and broker.
Production refuses to start with the development secret or a short one.
"""

import ipaddress
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.core.settings_errors import InvalidSettings

DEVELOPMENT_SECRET = "keel-development-secret-do-not-use-in-production"  # noqa: S105 - refused in production
MIN_SECRET_LENGTH = 32
# <part:containers>
LOCAL_DOCKER_SOCKET = "unix:///var/run/docker.sock"
# </part:containers>
# The databases Keel runs on, with the async drivers it installs.
DATABASE_DRIVERS = frozenset({"postgresql+asyncpg", "sqlite+aiosqlite"})
DATABASE_URL_FORMS = ("postgresql+asyncpg://user:password@host:port/name", "sqlite+aiosqlite:///path/keel.db")
# Why several processes need Redis (docs/operations.md, "Shared state").
UNSHARED_STATE = "without Redis, processes cannot share token revocations, rate limits, locks and schedules"
WEB_ORIGIN = re.compile(r"^https?://[^/\s*?#]+$")
# An OTLP/HTTP collector: an origin, perhaps with a path prefix before `/v1/traces`.
OTLP_HTTP_ENDPOINT = re.compile(r"^https?://[^/\s*?#]+(/[^\s?#]*)?$")
# The service's name in its API docs and admin panel. A service started from Keel's template
# has its own here (docs/starting-a-service.md).
SERVICE_TITLE = "Keel"
# The settings of optional parts a service was started without (tools/template/prune.py fills
# this in): set anyway, they are refused at start rather than silently ignored. Keel has them all.
REMOVED_PART_SETTINGS: dict[str, str] = {}

Environment = Literal["development", "test", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KEEL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = "development"
    # Checked even when unset: production refuses the default.
    secret_key: SecretStr = Field(default=SecretStr(DEVELOPMENT_SECRET), validate_default=True)

    database_url: str = "sqlite+aiosqlite:///./var/keel.db"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_max_overflow: int = Field(default=10, ge=0, le=200)
    database_pool_timeout: float = Field(default=10.0, gt=0)
    database_connect_timeout: float = Field(default=5.0, gt=0)
    database_echo: bool = False

    # Unset: an in-process cache and rate-limit storage (one instance only).
    redis_url: str | None = None

    # Unset: jobs run in this process (in-memory broker). Set: RabbitMQ, e.g.
    # amqp://guest:guest@127.0.0.1:5672/, with `keel worker` processes running them.
    broker_url: str | None = None
    # <part:worker>
    broker_queue: str = "keel.jobs"
    broker_publish_timeout: float = Field(default=5.0, gt=0)
    worker_concurrency: int = Field(default=10, ge=1, le=1000)
    # </part:worker>
    # A running job renews its lease every third of this; a lease that lapses means its
    # worker died, and the job is queued again (up to `job_max_attempts`) or failed.
    job_lease_seconds: int = Field(default=60, ge=3, le=3600)
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    # Workers queue the maintenance job this often (0: only on demand).
    maintenance_interval_seconds: int = Field(default=3600, ge=0)

    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_days: int = Field(default=14, ge=1, le=365)
    jwt_issuer: str = "keel"
    jwt_audience: str = "keel-api"
    # Limits in the `limits` library's notation, e.g. "10/minute" or "5 per hour".
    login_rate_limit_per_account: str = "10/minute"
    login_rate_limit_per_address: str = "30/minute"
    register_rate_limit_per_address: str = "10/hour"
    # Re-authentication: checks of the current password (changing the e-mail or the password),
    # per account and per client address; a stolen session must not make them a guessing oracle.
    reauthentication_rate_limit_per_account: str = "5/minute"
    reauthentication_rate_limit_per_address: str = "30/minute"
    # argon2id cost; time and memory are pwdlib's defaults. Lower them only for tests.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65_536, ge=8)
    # Lanes per hash. One lane is one thread: a hash in flight then takes one core, and the
    # concurrency below decides how many cores hashing may take (docs/decisions.md).
    password_hash_parallelism: int = Field(default=1, ge=1, le=16)
    # Hashes computed at once per process (each holds the memory above). None: one per core.
    password_hash_concurrency: int | None = Field(default=None, ge=1, le=64)

    # Unset host: mail goes to the outbox table only (and to the log in development).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Keel <no-reply@keel.invalid>"
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Links in e-mails (password reset, verification) point here.
    public_url: str = "http://127.0.0.1:8000"

    # <part:containers>
    # Containers. The engine (Docker over aiodocker) and the policy every create obeys.
    docker_url: str = LOCAL_DOCKER_SOCKET
    docker_timeout_seconds: float = Field(default=30.0, gt=0)
    # Stamped on every container as `io.keel.instance`: deployments sharing an engine stay apart.
    # No "-": engine names are `<instance>-<owner id>-<name>`, which must parse one way only.
    containers_instance: str = Field(default="keel", pattern=r"^[a-z0-9]{1,32}$")
    # Glob patterns over image names (`library/*`, `registry.local/*`); a JSON list.
    containers_allowed_images: list[str] = ["library/*"]
    containers_network: str = "bridge"
    containers_default_memory_mb: int = Field(default=256, ge=6)
    containers_max_memory_mb: int = Field(default=1024, ge=6)
    containers_default_cpus: float = Field(default=1.0, ge=0.01)
    containers_max_cpus: float = Field(default=2.0, ge=0.01)
    containers_default_pids: int = Field(default=256, ge=8)
    containers_max_pids: int = Field(default=1024, ge=8)
    # Per user, counting stopped containers too: they can be started again at any time.
    containers_quota_count: int = Field(default=10, ge=0)
    containers_quota_memory_mb: int = Field(default=4096, ge=0)
    # Off: ports are published on 127.0.0.1 only.
    containers_public_ports: bool = False
    # On: admins (only) may ask for privileged mode, capabilities, devices, host namespaces,
    # bind mounts and security options. Members never may.
    containers_admin_host_access: bool = False
    # A comment this often on a quiet log stream, so that proxies do not close it.
    containers_log_keepalive_seconds: float = Field(default=15.0, gt=0, le=300)
    # </part:containers>
    # <part:annotations>
    # Uploaded import files wait here for the job that reads them: the API writes, a worker
    # reads, so with several instances or `keel worker` it must be one shared directory.
    annotations_upload_dir: Path = Path("var/uploads")
    # The largest import file accepted (413 beyond it); its route alone gets this body limit.
    annotations_max_import_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # </part:annotations>

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # None: one per core in production with Redis, else one (docs/operations.md, "Shared state").
    workers: int | None = Field(default=None, ge=1)

    # A comma-separated list (`https://a.example,https://b.example`) or a JSON list.
    cors_origins: Annotated[list[str], NoDecode] = []
    log_level: LogLevel = "INFO"
    access_log: bool = True

    # Traces and errors, both off unless set (docs/operations.md, "Traces and errors").
    # An OTLP/HTTP (protobuf) collector, e.g. `http://127.0.0.1:4318`: spans go to `/v1/traces`.
    otel_endpoint: str | None = None
    otel_service_name: str = Field(default="keel", min_length=1)
    # Sentry (or a Sentry-compatible service); the environment defaults to `KEEL_ENV`.
    sentry_dsn: SecretStr | None = None
    sentry_environment: str | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Requests one process serves at once; beyond it, up to `max_queued_requests` wait for a
    # slot, each at most `max_queue_wait_seconds`, and the rest get 503 server_busy, no sooner
    # than `refusal_pace_seconds` after they arrived (load shedding,
    # app/middleware/load_shedding.py).
    max_concurrent_requests: int = Field(default=128, ge=1, le=100_000)
    max_queued_requests: int = Field(default=1024, ge=0, le=1_000_000)
    max_queue_wait_seconds: float = Field(default=0.5, gt=0, le=60)
    refusal_pace_seconds: float = Field(default=2.0, ge=0, le=60)

    # The edge: what `keel serve` believes and buffers of a request before the app sees it
    # (docs/security.md, "The edge").
    # The request head (request line and header fields), in bytes, and its header fields:
    # past either, 431 request_header_fields_too_large before more of it is buffered.
    max_header_bytes: int = Field(default=32_768, ge=4096, le=1_048_576)
    max_header_count: int = Field(default=100, ge=16, le=1000)
    # Reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto
    # are believed. Empty: none, and the peer's address is the client's, as rate limits see it.
    trusted_proxies: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """A comma-separated list, or a JSON one."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                raise ValueError("is neither a JSON list nor a comma-separated list") from None
        return [item.strip() for item in text.split(",") if item.strip()]

    @field_validator("cors_origins")
    @classmethod
    def _refuse_wildcard_origins(cls, origins: list[str]) -> list[str]:
        # Cross-origin requests are always allowed credentials (cookies), so an origin here is
        # trusted with a user's session: "*" or "null" would be every site's (docs/security.md).
        for origin in origins:
            if not WEB_ORIGIN.match(origin):
                raise ValueError(
                    "list origins as scheme://host[:port] (no '*', 'null', path or trailing slash): "
                    "each one is trusted with users' cookies"
                )
        return origins

    @field_validator("trusted_proxies")
    @classmethod
    def _require_proxy_addresses(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError("list IP addresses or networks (10.0.0.5, 172.18.0.0/16)") from None
        return proxies

    @field_validator("otel_endpoint")
    @classmethod
    def _require_otlp_http_endpoint(cls, endpoint: str | None) -> str | None:
        if endpoint is not None and not OTLP_HTTP_ENDPOINT.match(endpoint):
            raise ValueError("must be an OTLP/HTTP collector's address, like http://127.0.0.1:4318")
        return endpoint.rstrip("/") if endpoint else None

    @field_validator("redis_url", "broker_url")
    @classmethod
    def _refuse_settings_of_removed_parts(cls, url: str | None, info: ValidationInfo) -> str | None:
        part = REMOVED_PART_SETTINGS.get(info.field_name or "")
        if url is not None and part is not None:
            raise ValueError(f"this service was started without {part}: unset it")
        return url

    @field_validator("database_url")
    @classmethod
    def _require_database_url(cls, url: str) -> str:
        # SQLAlchemy's own error would quote the URL, and with it the database password.
        try:
            parsed = make_url(url)
            port = parsed.port
        except (ArgumentError, ValueError):
            raise ValueError(f"is not a database URL: write {' or '.join(DATABASE_URL_FORMS)}") from None
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"has no such port: write {' or '.join(DATABASE_URL_FORMS)}")
        if parsed.drivername not in DATABASE_DRIVERS:
            # `postgres://` or `postgresql://` would look for a driver Keel does not install.
            raise ValueError(f"names a driver Keel does not use: write {' or '.join(DATABASE_URL_FORMS)}")
        return url

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secrets(cls, secret_key: SecretStr, info: ValidationInfo) -> SecretStr:
        # A field validator (not a model one), so its line comes with every other bad setting's.
        secret = secret_key.get_secret_value()
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"KEEL_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        if info.data.get("env") == "production" and secret == DEVELOPMENT_SECRET:
            raise ValueError("KEEL_SECRET_KEY must be set to a random value when KEEL_ENV=production")
        return secret_key

    @model_validator(mode="after")
    def _refuse_unshared_state(self) -> "Settings":
        """More than one process needs Redis: without it, revocations, rate limits, locks and
        schedules live in one process's memory, which no other process sees."""
        if self.redis_url is not None:
            return self
        if self.broker_url is not None:
            raise ValueError(f"KEEL_BROKER_URL (for `keel worker`) needs KEEL_REDIS_URL: {UNSHARED_STATE}")
        if self.workers is not None and self.workers > 1:
            raise ValueError(f"KEEL_WORKERS above 1 needs KEEL_REDIS_URL: {UNSHARED_STATE}")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def default_workers(self) -> int:
        """One per core in production, but only where every worker shares its state (Redis)."""
        if self.is_production and self.redis_url is not None:
            return os.cpu_count() or 1
        return 1

    @property
    def cookie_secure(self) -> bool:
        """Browsers only send Secure cookies over HTTPS, which local development lacks."""
        return self.env != "development"

    @property
    def json_logs(self) -> bool:
        return self.env != "development"

    @property
    def hash_concurrency(self) -> int:
        return self.password_hash_concurrency or os.cpu_count() or 1

    # <part:containers>
    @property
    def docker_expected(self) -> bool:
        """Readiness counts the Docker engine when one is configured or the local socket is
        there: `make run` on a machine without Docker is ready; its container endpoints say 503."""
        if "docker_url" in self.model_fields_set:
            return True
        return Path(self.docker_url.removeprefix("unix://")).exists()

    # </part:containers>

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process's settings; bad ones end it with one line each, and no secret in them."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as exc:
        raise InvalidSettings(exc) from None
