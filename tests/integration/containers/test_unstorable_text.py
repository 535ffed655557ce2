"""Text the engine (and the audit trail's database) cannot take is refused with a 422 before
anything reaches the engine: a NUL in an env value reached Docker and came back as a 502
`runtime_failed`."""

import json
from collections.abc import Callable
from typing import Any

import aiodocker
import pytest

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import create, engine_containers, error_code, spec
from tests.unstorable import TOO_EARLY, TOO_LATE, assert_refused

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


async def test_log_moments_beyond_the_calendar_are_refused(people: PeopleFactory) -> None:
    ada = await people.member()
    container = await create(ada.client)

    beyond = await ada.client.get(
        f"{API}/{container['id']}/logs", params={"since": "0001-01-01T00:00:00+14:00"}
    )
    earliest = await ada.client.get(f"{API}/{container['id']}/logs", params={"since": "0001-01-01T00:00:00Z"})

    assert beyond.status_code == 422, beyond.text
    assert [detail["loc"] for detail in beyond.json()["details"]] == [["query", "since"]]
    assert earliest.status_code == 200, earliest.text


@pytest.mark.parametrize(
    ("who", "path", "name"),
    [
        ("admin", "/api/v1/audit?target=", "target"),
        ("admin", "/api/v1/audit?action=", "action"),
        ("member", "/api/v1/containers?name=", "name"),
    ],
)
async def test_nul_in_a_query_filter(people: PeopleFactory, who: str, path: str, name: str) -> None:
    caller = await (people.member() if who == "member" else people.admin())

    response = await caller.client.get(f"{path}a%00b")

    assert_refused(response, "query", name)


async def test_nul_in_a_path(people: PeopleFactory) -> None:
    member = await people.member()

    response = await member.client.get("/api/v1/images/busybox%00")

    assert_refused(response, "path")


@pytest.mark.parametrize("moment", [TOO_EARLY, TOO_LATE])
@pytest.mark.parametrize("name", ["since", "until"])
async def test_audit_moments_beyond_the_calendar_in_utc(
    people: PeopleFactory, name: str, moment: str
) -> None:
    admin = await people.admin()

    response = await admin.client.get(f"/api/v1/audit?{name}=" + moment.replace("+", "%2B"))

    assert_refused(response, "query", name)
