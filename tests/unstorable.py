"""Text no database can store, moments past the calendar in UTC, and how a 422 for them looks:
for tests/integration/test_unstorable_input.py and the domains' own tests of their fields."""

import json

from httpx import AsyncClient, Response

NUL = "\x00"
SURROGATE = "\ud800"
# The edges of the calendar, with an offset that pushes them past it in UTC.
TOO_EARLY = "0001-01-01T00:00:00+14:00"
TOO_LATE = "9999-12-31T23:59:59-14:00"


async def send(client: AsyncClient, method: str, url: str, body: object) -> Response:
    """JSON with non-ASCII characters escaped, as most clients send it (httpx's `json=` does
    not escape, so it could not carry a lone surrogate)."""
    return await client.request(
        method, url, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


def assert_refused(response: Response, *loc: object) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_code"] == "validation_error"
    assert [list(loc)] == [detail["loc"] for detail in body["details"]], body["details"]
