"""Request heads over the limits get 431 in the error contract, whichever server runs the app.

(`keel serve` also refuses a head while it arrives, before buffering it: tests/e2e/test_edge.py.)
"""

from httpx import AsyncClient

from app.core.config import Settings

from .test_errors import assert_contract


async def test_a_header_over_the_limit_is_431_in_the_callers_language(
    client: AsyncClient, settings: Settings
) -> None:
    response = await client.get(
        "/health/live",
        headers={"X-Padding": "a" * settings.max_header_bytes, "Accept-Language": "ru"},
    )

    body = assert_contract(response, 431, "request_header_fields_too_large")
    assert body["message"] == (
        f"Заголовки запроса слишком велики: не более {settings.max_header_bytes} байт "
        f"в {settings.max_header_count} полях"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_headers_that_add_up_past_the_limit_are_431(client: AsyncClient, settings: Settings) -> None:
    share = settings.max_header_bytes // 8
    headers = {f"X-Part-{index}": "a" * share for index in range(9)}

    response = await client.post("/api/v1/auth/login", headers=headers, json={})

    assert_contract(response, 431, "request_header_fields_too_large")


async def test_a_request_target_past_the_limit_is_431(client: AsyncClient, settings: Settings) -> None:
    response = await client.get("/health/live", params={"q": "a" * settings.max_header_bytes})

    assert_contract(response, 431, "request_header_fields_too_large")


async def test_more_header_fields_than_allowed_are_431(client: AsyncClient, settings: Settings) -> None:
    headers = [(f"X-Field-{index}", "1") for index in range(settings.max_header_count + 1)]

    response = await client.get("/health/live", headers=headers)

    assert_contract(response, 431, "request_header_fields_too_large")


async def test_a_head_within_the_limits_is_served(client: AsyncClient, settings: Settings) -> None:
    headers = [(f"X-Field-{index}", "a" * 200) for index in range(settings.max_header_count // 2)]

    response = await client.get("/health/live", headers=headers)

    assert response.status_code == 200


async def test_every_operation_declares_the_431(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "`request_header_fields_too_large`"
        not in operation["responses"].get("431", {}).get("description", "")
    ]
    assert undeclared == []
