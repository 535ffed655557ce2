"""Text the engine (and the audit trail's database) cannot take is refused with a 422 before
anything reaches the engine: a NUL in an env value reached Docker and came back as a 502
`runtime_failed`."""

import json
from collections.abc import Callable
from typing import Any

import aiodocker
import pytest

from tests.integration.accounts.conftest import PeopleFactory
from tests.integration.containers.conftest import engine_containers, error_code, spec

API = "/api/v1/containers"
# Where the text goes in a create body, and where the 422 says it was.
PLACES: dict[str, tuple[Callable[[str], dict[str, Any]], list[object]]] = {
    "env": (lambda bad: {"env": {"GREETING": f"hello{bad}"}}, ["body", "env", "GREETING"]),
    "command": (lambda bad: {"command": ["echo", bad]}, ["body", "command", 1]),
    "label": (lambda bad: {"labels": {"team": f"a{bad}"}}, ["body", "labels", "team"]),
}


@pytest.mark.parametrize("bad", ["\x00", "\ud800"], ids=["nul", "surrogate"])
@pytest.mark.parametrize("place", PLACES)
async def test_unstorable_text_never_reaches_the_engine(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, place: str, bad: str
) -> None:
    ada = await people.member()
    fields, loc = PLACES[place]

    response = await ada.client.post(
        API, content=json.dumps(spec(**fields(bad))).encode(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_error"
    assert [detail["loc"] for detail in response.json()["details"]] == [loc]
    assert await engine_containers(docker, instance) == []
