"""Ids beyond the database's INTEGER are invalid input (422), not a driver overflow (500).
Found by fuzzing: `GET /api/v1/todos/18512632604934342180864` answered 500."""

import pytest

from tests.fixtures.accounts import PeopleFactory
from tests.installed import with_domain

HUGE = 2**70


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        with_domain("todos", "GET", f"/api/v1/todos/{HUGE}", None),
        with_domain("todos", "PUT", f"/api/v1/todos/{HUGE}", {"title": "x"}),
        with_domain("todos", "GET", f"/api/v1/tags/{HUGE}", None),
        ("GET", f"/api/v1/jobs/{HUGE}", None),
        ("POST", f"/api/v1/jobs/{HUGE}/cancel", None),
        ("GET", f"/api/v1/users/{HUGE}", None),
        ("DELETE", f"/api/v1/auth/sessions/{HUGE}", None),
        with_domain("todos", "GET", f"/api/v1/todos?owner_id={HUGE}", None),
        with_domain("todos", "GET", f"/api/v2/todos?owner_id={HUGE}", None),
        ("GET", f"/api/v1/jobs?owner_id={HUGE}", None),
        with_domain("todos", "POST", "/api/v1/todos", {"title": "x", "tag_ids": [HUGE]}),
        with_domain("todos", "GET", "/api/v1/todos/0", None),
    ],
)
async def test_out_of_range_ids_are_a_validation_error(
    people: PeopleFactory,
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    admin = await people.admin()

    response = await admin.client.request(method, path, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["error_code"] == "validation_error"
