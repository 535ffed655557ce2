"""The platform middleware's steps, each on its own (through HTTP: tests/integration/test_middleware.py)."""

import re

import pytest
import structlog
from starlette.exceptions import HTTPException
from starlette.types import Message, Scope

from app.middleware.request_context import begin_request, end_request
from app.middleware.request_limits import RequestLimits
from app.middleware.security_headers import add_security_headers
from app.middleware.storable_input import checking_body


def scope_with(headers: list[tuple[bytes, bytes]], scheme: str = "http") -> Scope:
    return {"type": "http", "method": "GET", "path": "/", "scheme": scheme, "headers": headers}


def test_security_headers_leave_a_responses_own_alone() -> None:
    headers = [(b"content-security-policy", b"default-src 'self'")]

    add_security_headers(headers, scope_with([]))

    names = [name for name, _ in headers]
    assert names.count(b"content-security-policy") == 1
    assert (b"content-security-policy", b"default-src 'self'") in headers
    assert (b"x-content-type-options", b"nosniff") in headers
    assert b"strict-transport-security" not in names


def test_hsts_is_added_over_https_only() -> None:
    headers: list[tuple[bytes, bytes]] = []

    add_security_headers(headers, scope_with([], scheme="https"))

    assert b"strict-transport-security" in [name for name, _ in headers]


def test_a_well_formed_client_request_id_is_kept_and_bound_to_the_logs() -> None:
    scope = scope_with([(b"x-request-id", b"client-chosen-id")])

    request_id = begin_request(scope, started_at=1.0)
    bound = structlog.contextvars.get_contextvars()
    end_request(scope, status_code=200, started_at=1.0, access_log=False)

    assert request_id == scope["state"]["request_id"] == bound["request_id"] == "client-chosen-id"
    assert "request_id" not in structlog.contextvars.get_contextvars()


def test_an_ill_formed_client_request_id_is_replaced() -> None:
    scope = scope_with([(b"x-request-id", b"bad id\nwith a line")])

    request_id = begin_request(scope, started_at=1.0)
    end_request(scope, status_code=200, started_at=1.0, access_log=False)

    assert request_id != "bad id\nwith a line"
    assert len(request_id) == 32


async def test_a_body_that_grows_past_the_limit_fails_its_read() -> None:
    chunks = [b"x" * 600, b"x" * 600]

    async def receive() -> Message:
        return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

    limits = RequestLimits(max_body_bytes=1024, max_header_bytes=4096, max_header_count=16)
    limited = limits.limited(scope_with([]), receive)

    assert (await limited())["body"] == b"x" * 600
    with pytest.raises(HTTPException) as refused:
        await limited()
    assert refused.value.status_code == 413


def limits_with_an_upload_path() -> RequestLimits:
    return RequestLimits(
        max_body_bytes=1024,
        max_header_bytes=4096,
        max_header_count=16,
        large_bodies=[(re.compile(r"/uploads/\d+"), 4096)],
    )


def scope_of(path: str, content_length: int) -> Scope:
    headers = [(b"content-length", str(content_length).encode())]
    return {**scope_with(headers), "path": path, "query_string": b"", "raw_path": path.encode()}


async def test_a_declared_upload_path_takes_its_own_larger_body_limit_and_only_it() -> None:
    limits = limits_with_an_upload_path()

    upload = await limits.refusal(scope_of("/uploads/7", 4096))
    too_large_upload = await limits.refusal(scope_of("/uploads/7", 4097))
    elsewhere = await limits.refusal(scope_of("/uploads/7/more", 2048))
    plain = await limits.refusal(scope_of("/todos", 2048))

    assert upload is None
    assert [getattr(refused, "status_code", None) for refused in (too_large_upload, elsewhere, plain)] == [
        413,
        413,
        413,
    ]


async def test_a_streamed_upload_fails_its_read_past_its_own_limit() -> None:
    chunks = [b"x" * 3000, b"x" * 1000, b"x" * 100]

    async def receive() -> Message:
        return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

    limited = limits_with_an_upload_path().limited({**scope_with([]), "path": "/uploads/7"}, receive)

    assert len((await limited())["body"]) == 3000
    assert len((await limited())["body"]) == 1000
    with pytest.raises(HTTPException) as refused:
        await limited()
    assert refused.value.status_code == 413


async def test_bodies_keel_does_not_decode_to_text_pass_unchecked() -> None:
    async def receive() -> Message:
        return {"type": "http.request", "body": b"\x00", "more_body": False}

    scope = scope_with([(b"content-type", b"application/octet-stream")])

    assert checking_body(scope, receive) is receive
