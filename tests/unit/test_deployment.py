"""The Dockerfile's and compose file's contract with the code: commands that exist, variables
Keel reads. Building and running the image takes an engine: `make check-image` does that."""

import re
from pathlib import Path
from typing import Any

import typer.main
import yaml

from app.cli import app as cli
from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
KEEL_SERVICES = (
    "migrate",
    "app",
    # <part:worker>
    "worker",
    # </part:worker>
)
SERVERS = (
    "postgres",
    # <part:redis>
    "redis",
    # </part:redis>
    # <part:worker>
    "rabbitmq",
    # </part:worker>
)


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def keel_commands() -> set[str]:
    group = typer.main.get_command(cli)
    return set(getattr(group, "commands", {}))


def test_compose_runs_the_services_migrations_and_the_servers_it_uses() -> None:
    assert set(compose()["services"]) == {*KEEL_SERVICES, *SERVERS}


def test_every_keel_service_runs_a_real_keel_command() -> None:
    services = compose()["services"]
    for name in KEEL_SERVICES:
        program, command, *_ = services[name]["command"]
        assert program == "keel"
        assert command in keel_commands(), f"{name}: `keel {command}` does not exist"


def test_compose_sets_only_variables_keel_reads_and_demands_a_secret() -> None:
    fields = {f"KEEL_{name.upper()}" for name in Settings.model_fields}
    for name in KEEL_SERVICES:
        environment = compose()["services"][name]["environment"]
        assert set(environment) <= fields, set(environment) - fields
        assert environment["KEEL_ENV"] == "production"
        assert ":?" in environment["KEEL_SECRET_KEY"]  # compose refuses to start without one


def test_the_image_is_multi_stage_non_root_and_health_checked() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, flags=re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in dockerfile
    assert "/health/live" in dockerfile
    assert "uv sync --frozen" in dockerfile


def test_the_image_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def test_every_stage_starts_from_the_base_argument_which_defaults_to_the_slim_image() -> None:
    # Engines that cannot pull it build on keel/debian-python (tools/image/base.sh).
    dockerfile = (ROOT / "Dockerfile").read_text()
    default = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, flags=re.MULTILINE)
    assert default
    assert default.group(1).startswith("python:3.11-slim")
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert stages
    assert set(stages) == {"${BASE_IMAGE}"}


def test_the_health_check_asks_the_port_keel_serves_on() -> None:
    healthcheck = (ROOT / "Dockerfile").read_text().split("HEALTHCHECK", 1)[1]
    assert "KEEL_PORT" in healthcheck
