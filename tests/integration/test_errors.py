"""The error contract, through HTTP: every non-2xx answer has the same shape and headers."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.platform import http_client
from tests.installed import with_domain
from tests.integration import throwaway

CONTRACT_KEYS = {"status_code", "error_code", "message", "details", "request_id"}


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    throwaway.install(app)
    await throwaway.create_widget_table(app.state.runtime.engine)
    async with http_client(app) as http:
        yield http


def assert_contract(response, status_code: int, error_code: str) -> dict:
    body = response.json()
    assert response.status_code == status_code
    assert set(body) == CONTRACT_KEYS
    assert body["status_code"] == status_code
    assert body["error_code"] == error_code
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert float(response.headers["X-ErrorHandleTime"]) >= 0
    return body


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "There is nothing at this address"),
        ("ru", "По этому адресу ничего нет"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "По этому адресу ничего нет"),
        ("de-DE, fr;q=0.8", "There is nothing at this address"),  # unsupported: English
        ("en;q=0.2, ru;q=0.9", "По этому адресу ничего нет"),
        ("ru;q=garbage", "There is nothing at this address"),
    ],
)
async def test_unknown_route_is_404_in_the_callers_language(client: AsyncClient, language, message) -> None:
    headers = {"Accept-Language": language} if language else {}

    response = await client.get("/no/such/route", headers=headers)

    body = assert_contract(response, 404, "not_found")
    assert body["message"] == message


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/health/live", "GET"),
        # FastAPI makes a route per method: Allow named the first one's only ("GET").
        with_domain("todos", "PATCH", "/api/v1/todos/1", "GET, PUT, DELETE"),
        with_domain("todos", "POST", "/api/v1/todos/1", "GET, PUT, DELETE"),
        with_domain("todos", "PATCH", "/api/v1/todos", "GET, POST"),
        with_domain("todos", "PATCH", "/api/v2/todos/1", "GET, PUT, DELETE"),
        with_domain("todos", "PATCH", "/api/v1/tags/1", "GET, PUT, DELETE"),
        with_domain("containers", "PUT", "/api/v1/containers/abc", "GET, DELETE"),
        ("PUT", "/api/v1/users/1", "GET, PATCH, DELETE"),
        ("POST", "/api/v1/jobs/1", "GET"),
        ("PATCH", "/api/v1/users", "GET, POST"),
        ("GET", "/api/v1/auth/login", "POST"),
        ("PATCH", "/api/v1/auth/sessions/1", "DELETE"),
    ],
)
async def test_wrong_method_is_405_allowing_every_method_of_the_path(
    client: AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)

    assert_contract(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == allow


async def test_malformed_json_is_422_validation_error(client: AsyncClient) -> None:
    response = await client.post(
        "/throwaway/widgets",
        content=b'{"name": "a",',
        headers={"Content-Type": "application/json", "Accept-Language": "ru"},
    )

    body = assert_contract(response, 422, "validation_error")
    assert body["message"] == "Запрос содержит недопустимые данные"
    assert body["details"][0]["type"] == "json_invalid"
    assert set(body["details"][0]) == {"loc", "msg", "type"}


async def test_a_body_that_is_not_utf8_is_a_documented_400(client: AsyncClient) -> None:
    """Found by fuzzing: such a body answered 400, which no route declared."""
    response = await client.post(
        "/throwaway/widgets", content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
    )
    schema = (await client.get("/openapi.json")).json()

    assert_contract(response, 400, "bad_request")
    assert "`bad_request`" in schema["paths"]["/throwaway/widgets"]["post"]["responses"]["400"]["description"]


async def test_invalid_fields_are_listed_without_echoing_input(client: AsyncClient) -> None:
    response = await client.post("/throwaway/widgets", json={"name": "", "size": "s3cret-value"})

    body = assert_contract(response, 422, "validation_error")
    assert sorted(tuple(error["loc"]) for error in body["details"]) == [("body", "name"), ("body", "size")]
    assert "s3cret-value" not in response.text


async def test_unhandled_exception_is_500_without_internals(client: AsyncClient) -> None:
    response = await client.get("/throwaway/boom", headers={"Accept-Language": "ru"})

    body = assert_contract(response, 500, "internal_error")
    assert body["details"] is None
    assert body["message"] == "Произошла непредвиденная ошибка; она записана в журнал"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_unhandled_exception_is_logged_with_the_request_id(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/throwaway/boom", headers={"X-Request-ID": "trace-me-123456"})

    assert response.status_code == 500
    [event] = [record.msg for record in caplog.records if record.name == "keel.errors"]
    assert event["event"] == "unhandled_error"
    assert event["request_id"] == "trace-me-123456"
    assert isinstance(event["exc_info"], RuntimeError)  # the log keeps what the body hides


async def test_app_error_carries_its_code_status_and_parameters(client: AsyncClient) -> None:
    await client.post("/throwaway/widgets", json={"name": "cog"})

    response = await client.post("/throwaway/widgets", json={"name": "cog"})

    body = assert_contract(response, 409, "widget_name_taken")
    assert body["message"] == "The request failed with status 409"


async def test_a_failed_request_leaves_no_partial_write(client: AsyncClient) -> None:
    response = await client.post("/throwaway/widgets/then-fail", json={"name": "half"})

    assert_contract(response, 500, "internal_error")
    assert (await client.get("/throwaway/widgets/count")).json() == 0


async def test_oversized_body_is_413(app: FastAPI, client: AsyncClient) -> None:
    too_big = app.state.runtime.settings.max_body_bytes + 1

    response = await client.post(
        "/throwaway/widgets", content=b"x" * too_big, headers={"Content-Type": "application/json"}
    )

    assert_contract(response, 413, "payload_too_large")
    assert (await client.get("/throwaway/widgets/count")).json() == 0


async def test_success_has_a_request_id_but_no_error_time(client: AsyncClient) -> None:
    response = await client.get("/health/live")

    assert len(response.headers["X-Request-ID"]) == 32
    assert "X-ErrorHandleTime" not in response.headers


async def test_well_formed_incoming_request_id_is_kept(client: AsyncClient) -> None:
    response = await client.get("/no/such/route", headers={"X-Request-ID": "client-id_42.abc"})

    assert response.headers["X-Request-ID"] == "client-id_42.abc"
    assert response.json()["request_id"] == "client-id_42.abc"


@pytest.mark.parametrize("incoming", ["short", "has spaces in it", "x" * 200, "inject\u2028line-sep"])
async def test_malformed_incoming_request_id_is_replaced(client: AsyncClient, incoming: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": incoming.encode("utf-8")})

    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32


async def test_openapi_declares_the_error_schema(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    ready = schema["paths"]["/health/ready"]["get"]["responses"]
    assert ready["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert "`not_ready`" in ready["503"]["description"]
    create = schema["paths"]["/throwaway/widgets"]["post"]["responses"]
    assert create["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert "`widget_name_taken`" in create["409"]["description"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]


async def test_body_growing_past_the_limit_while_streaming_is_413(app: FastAPI, client: AsyncClient) -> None:
    chunk = b"x" * 65536
    chunks = app.state.runtime.settings.max_body_bytes // len(chunk) + 2

    async def stream():  # no Content-Length: the limit must hold as the bytes arrive
        for _ in range(chunks):
            yield chunk

    response = await client.post(
        "/throwaway/widgets", content=stream(), headers={"Content-Type": "application/json"}
    )

    assert_contract(response, 413, "payload_too_large")
