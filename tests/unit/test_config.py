import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core import config
from app.core.config import DEVELOPMENT_SECRET, Settings, get_settings

STRONG_SECRET = "s" * 48


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_embedded_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KEEL_ENV", "KEEL_DATABASE_URL", "KEEL_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)

    defaults = settings()

    assert defaults.env == "development"
    assert defaults.database_url.startswith("sqlite+aiosqlite:///./var/")
    assert not defaults.cookie_secure
    assert not defaults.json_logs


@pytest.mark.parametrize("secret", [DEVELOPMENT_SECRET, "short-secret", "x" * 31])
def test_production_refuses_a_default_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="KEEL_SECRET_KEY"):
        settings(env="production", secret_key=secret)


@pytest.mark.parametrize("env", ["development", "test"])
def test_a_short_secret_is_refused_everywhere(env: str) -> None:
    with pytest.raises(ValidationError, match="KEEL_SECRET_KEY"):
        settings(env=env, secret_key="")


def test_production_with_a_strong_secret_is_secure_and_logs_json() -> None:
    production = settings(env="production", secret_key=STRONG_SECRET)

    assert production.cookie_secure
    assert production.json_logs


def test_settings_come_from_keel_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DATABASE_URL", "postgresql+asyncpg://db.internal/keel")
    monkeypatch.setenv("KEEL_DATABASE_POOL_SIZE", "25")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///ignored.db")

    configured = settings()

    assert configured.database_url == "postgresql+asyncpg://db.internal/keel"
    assert configured.database_pool_size == 25


def test_settings_come_from_a_dotenv_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEEL_LOG_LEVEL", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("KEEL_LOG_LEVEL=DEBUG\n")

    configured = Settings(_env_file=env_file)  # type: ignore[call-arg]

    assert configured.log_level == "DEBUG"


@pytest.mark.parametrize(
    "raw",
    ["https://a.example, https://b.example", '["https://a.example", "https://b.example"]'],
)
def test_cors_origins_accept_a_list_or_json(raw: str) -> None:
    assert settings(cors_origins=raw).cors_origins == ["https://a.example", "https://b.example"]


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        settings(env="staging")
    with pytest.raises(ValidationError):
        settings(database_pool_size=0)


# <part:containers>
@pytest.mark.parametrize("instance", ["keel-2", "Keel", "", "a" * 33])
def test_an_instance_name_must_keep_engine_names_unambiguous(instance: str) -> None:
    with pytest.raises(ValidationError):
        settings(containers_instance=instance)


def test_an_explicit_docker_url_puts_the_engine_in_readiness() -> None:
    assert settings(docker_url="tcp://127.0.0.1:1").docker_expected


# </part:containers>


def test_several_processes_without_redis_are_refused() -> None:
    # <part:worker>
    with pytest.raises(ValidationError, match=r"KEEL_BROKER_URL .*needs KEEL_REDIS_URL"):
        settings(broker_url="amqp://guest:guest@127.0.0.1:5672/")
    # </part:worker>
    with pytest.raises(ValidationError, match="KEEL_WORKERS above 1 needs KEEL_REDIS_URL"):
        settings(workers=2)


def test_a_setting_of_a_part_the_service_was_started_without_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As tools/template/prune.py writes it in a service started without Redis.
    monkeypatch.setitem(config.REMOVED_PART_SETTINGS, "redis_url", "Redis")

    with pytest.raises(ValidationError, match="this service was started without Redis: unset it"):
        settings(redis_url="redis://127.0.0.1:6379/0")
    assert settings().redis_url is None


# <part:redis>
def test_production_serves_one_worker_per_core_only_with_redis() -> None:
    assert settings(env="production", secret_key=STRONG_SECRET).default_workers == 1
    shared = settings(env="production", secret_key=STRONG_SECRET, redis_url="redis://127.0.0.1:6379/0")
    assert shared.default_workers == (os.cpu_count() or 1)
    assert settings(env="development", redis_url="redis://127.0.0.1:6379/0").default_workers == 1


# </part:redis>


@pytest.mark.parametrize(
    "origins",
    [
        "*",
        "https://app.example,*",
        '["*"]',
        "null",
        "https://*.example",
        "https://app.example/",
        "app.example",
    ],
)
def test_cors_origins_that_are_not_plain_origins_are_refused(origins: str) -> None:
    # Cross-origin requests always carry credentials: "*" would hand every site the session.
    with pytest.raises(ValidationError, match="no '\\*', 'null'"):
        settings(cors_origins=origins)


def test_cors_origins_refuse_a_wildcard_in_every_environment() -> None:
    for env in ("development", "test", "production"):
        with pytest.raises(ValidationError):
            settings(env=env, secret_key=STRONG_SECRET, cors_origins="*")


def test_cors_origins_take_ports_and_plain_http() -> None:
    origins = "http://127.0.0.1:5173,https://app.example:8443"

    assert settings(cors_origins=origins).cors_origins == [
        "http://127.0.0.1:5173",
        "https://app.example:8443",
    ]


def test_no_proxy_is_trusted_by_default() -> None:
    assert settings().trusted_proxies == []


def test_trusted_proxies_are_addresses_or_networks() -> None:
    configured = settings(trusted_proxies="10.0.0.5, 172.18.0.0/16,::1")

    assert configured.trusted_proxies == ["10.0.0.5", "172.18.0.0/16", "::1"]
    with pytest.raises(ValidationError, match="IP addresses or networks"):
        settings(trusted_proxies="proxy.internal")
    with pytest.raises(ValidationError, match="IP addresses or networks"):
        settings(trusted_proxies="*")


def test_production_still_refuses_the_default_secret_when_it_is_not_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEEL_SECRET_KEY", raising=False)

    with pytest.raises(ValidationError, match="KEEL_SECRET_KEY"):
        settings(env="production")


@pytest.mark.parametrize(
    "environment",
    [
        {"KEEL_SECRET_KEY": "tooShort1", "KEEL_SMTP_PASSWORD": "smtpPass123"},
        {"KEEL_SMTP_PASSWORD": "smtpPass123", "KEEL_SMTP_PORT": "smtpPass123"},
        {"KEEL_DATABASE_URL": "postgresql+asyncpg://keel:dbPass456@db:port/keel"},
        {"KEEL_DATABASE_URL": "dbPass456"},
        {"KEEL_DATABASE_URL": "postgresql+asyncpg://keel:dbPass456@db:99999/keel"},  # no such port
        {"KEEL_DATABASE_URL": "postgres://keel:dbPass456@db/keel"},  # a driver Keel does not install
        {"KEEL_DATABASE_URL": "postgresql://keel:dbPass456@db/keel"},
        {"KEEL_CORS_ORIGINS": "[dbPass456"},
        # <part:containers>
        {"KEEL_CONTAINERS_ALLOWED_IMAGES": "[dbPass456"},
        # </part:containers>
    ],
)
def test_bad_settings_end_the_process_naming_them_without_their_values(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    for name in ("KEEL_ENV", "KEEL_SECRET_KEY", "KEEL_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    with pytest.raises(SystemExit) as ended:
        get_settings()

    report = str(ended.value.code)
    problems = report.splitlines()[1:]
    assert problems
    assert all(line.strip().startswith(tuple(environment)) for line in problems), report
    for secret in ("tooShort1", "smtpPass123", "dbPass456"):
        assert secret not in report


@pytest.mark.parametrize("url", ["postgres://db/keel", "postgresql://db/keel", "mysql://db/keel", "db:5432"])
def test_a_database_url_keel_cannot_use_says_what_to_write(url: str) -> None:
    with pytest.raises(ValidationError, match=r"write postgresql\+asyncpg://user:password@host:port/name"):
        settings(database_url=url)
