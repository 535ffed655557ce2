"""The containers tests' app manages the test engine, under an instance name of the test's own
(the fixtures themselves are in `tests/fixtures/containers.py`)."""

import pytest

from app.core.config import Settings
from tests.fixtures.containers import container_settings


@pytest.fixture
def settings(database_url: str, docker_url: str, instance: str) -> Settings:
    return container_settings(database_url, docker_url, instance)
