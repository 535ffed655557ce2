"""What an error report may not carry, filtered wherever it is, should an integration add it."""

from typing import Any

from app.infrastructure.error_reporting import FILTERED, scrub_event


def test_secret_fields_are_filtered_wherever_they_are() -> None:
    event: Any = {
        "request": {
            "headers": {"Authorization": "Bearer abc", "Cookie": "a=b", "X-CSRF-Token": "c", "Accept": "*/*"},
            "cookies": {"refresh_token": "r"},
            "data": {"email": "a@example.com", "password": "p", "new_password": "n"},
        },
        "extra": {"pairs": [["authorization", "Bearer d"], ["accept", "json"]], "access_token": "t"},
        "tags": {"request_id": "9f1c"},
    }

    scrubbed: Any = scrub_event(event, {})

    assert scrubbed["request"]["headers"] == {
        "Authorization": FILTERED,
        "Cookie": FILTERED,
        "X-CSRF-Token": FILTERED,
        "Accept": "*/*",
    }
    assert scrubbed["request"]["cookies"] == FILTERED
    assert scrubbed["request"]["data"] == {
        "email": "a@example.com",
        "password": FILTERED,
        "new_password": FILTERED,
    }
    assert scrubbed["extra"] == {
        "pairs": [["authorization", FILTERED], ["accept", "json"]],
        "access_token": FILTERED,
    }
    assert scrubbed["tags"] == {"request_id": "9f1c"}
