import os

import pytest
from pydantic import ValidationError

from app.core.config import DEVELOPMENT_SECRET, Settings

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


@pytest.mark.parametrize("instance", ["keel-2", "Keel", "", "a" * 33])
def test_an_instance_name_must_keep_engine_names_unambiguous(instance: str) -> None:
    with pytest.raises(ValidationError):
        settings(containers_instance=instance)


def test_an_explicit_docker_url_puts_the_engine_in_readiness() -> None:
    assert settings(docker_url="tcp://127.0.0.1:1").docker_expected


def test_several_processes_without_redis_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"KEEL_BROKER_URL .*needs KEEL_REDIS_URL"):
        settings(broker_url="amqp://guest:guest@127.0.0.1:5672/")
    with pytest.raises(ValidationError, match="KEEL_WORKERS above 1 needs KEEL_REDIS_URL"):
        settings(workers=2)


def test_production_serves_one_worker_per_core_only_with_redis() -> None:
    assert settings(env="production", secret_key=STRONG_SECRET).default_workers == 1
    shared = settings(env="production", secret_key=STRONG_SECRET, redis_url="redis://127.0.0.1:6379/0")
    assert shared.default_workers == (os.cpu_count() or 1)
    assert settings(env="development", redis_url="redis://127.0.0.1:6379/0").default_workers == 1
