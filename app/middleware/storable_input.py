"""Refuse text that no database can store, wherever a request carries it: 422 `validation_error`
(the platform middleware's step).

PostgreSQL refuses NUL (U+0000) in text and JSON, and neither asyncpg nor sqlite3 can encode a
lone UTF-16 surrogate (U+D800-U+DFFF), which a JSON `"\\ud800"` decodes to. Either would fail
deep in a query as a 500, or pass on one database and not the other. Checked here, once, for
every route: the path and the query string before the app runs, JSON and form bodies as the
route reads them (so a route that reads no body pays nothing). See docs/decisions.md.
"""

import codecs
import json
import re
from collections.abc import AsyncGenerator, Iterable
from typing import Any
from urllib.parse import parse_qsl

from fastapi.exceptions import RequestValidationError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from app.core.errors import handle_validation_error

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"
JSON = b"application/json"
FORM = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/form-data"
TEXT_MEDIA_TYPES = frozenset({JSON, FORM, MULTIPART})

Loc = tuple[str | int, ...]


class UnstorableBody(RequestValidationError, HTTPException):
    """Raised from `receive`. FastAPI turns what body reading raises into a 400, except an
    HTTPException, which it lets through; the handler of RequestValidationError renders it."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        RequestValidationError.__init__(self, errors)
        HTTPException.__init__(self, status_code=422)


async def refusal_for_target(scope: Scope) -> Response | None:
    """The 422 for a path or query that holds unstorable text; None if they are clean."""
    errors = [*_in_path(scope["path"]), *_in_urlencoded("query", scope["query_string"])]
    if not errors:
        return None
    return await handle_validation_error(Request(scope), RequestValidationError(errors))


def checking_body(scope: Scope, receive: Receive) -> Receive:
    """`receive`, checking a body Keel decodes to text (other bodies pass as they are)."""
    content_type = _content_type(scope)
    return receive if content_type is None else _checking_body(scope, receive, content_type)


def _checking_body(scope: Scope, receive: Receive, content_type: bytes) -> Receive:
    """`receive`, refusing the body once its last chunk is in if it holds unstorable text."""
    chunks: list[bytes] = []

    async def checked_receive() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                errors = await _in_body(scope, content_type, body)
                if errors:
                    raise UnstorableBody(errors)
        return message

    return checked_receive


def _content_type(scope: Scope) -> bytes | None:
    """The media type of a body Keel decodes to text; None for others (and their bytes pass)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";", 1)[0].strip().lower()
            if media_type in TEXT_MEDIA_TYPES or media_type.endswith(b"+json"):
                return media_type
            return None
    return JSON  # FastAPI reads a body without a type as JSON


def _in_path(path: str) -> list[dict[str, Any]]:
    return _errors((("path",), path))


def _in_urlencoded(where: str, data: bytes) -> list[dict[str, Any]]:
    """A query string, or a form body: the same encoding, decoded as Starlette decodes it."""
    # Decoding replaces what is not UTF-8, so only a NUL can come through: without one, the fast path.
    if b"%00" not in data and b"\x00" not in data:
        return []
    pairs = parse_qsl(data.decode("latin-1"), keep_blank_values=True)
    return _errors(*(_named(where, name, value) for name, value in pairs))


async def _in_body(scope: Scope, content_type: bytes, body: bytes) -> list[dict[str, Any]]:
    if content_type == FORM:
        return _in_urlencoded("body", body)
    if content_type == MULTIPART:
        return await _in_multipart(scope, body)
    # Python's JSON parser makes a NUL or a surrogate only of a `\u` escape, a UTF-16/32 body
    # (NUL bytes) or a UTF-8-encoded surrogate (`\xed...`): without those, the fast path.
    if b"\\u" not in body and b"\x00" not in body and b"\xed" not in body:
        return []
    try:
        document = json.loads(body)  # as Starlette's `Request.json()` reads it
    except (ValueError, RecursionError):
        return []  # not JSON: the route answers that itself
    return _errors(*_strings_in(document))


async def _in_multipart(scope: Scope, body: bytes) -> list[dict[str, Any]]:
    # Starlette decodes fields in the body's `charset`, falling back to latin-1: in UTF-8 or
    # latin-1 only a NUL byte makes a NUL, and no surrogate comes through. Other charsets
    # (UTF-7's `+AAA-` is a NUL) are decoded and checked in full.
    if b"\x00" not in body and _decodes_plainly(Headers(scope=scope).get("content-type", "")):
        return []

    async def whole_body() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(Headers(scope=scope), whole_body()).parse()
    except MultiPartException:
        return []  # not multipart after all: the route answers that itself
    try:
        # Files are bytes, never text: only the fields' names and values are checked.
        fields = [(name, value) for name, value in form.multi_items() if not isinstance(value, UploadFile)]
        return _errors(*(_named("body", name, value) for name, value in fields))
    finally:
        await form.close()


PLAIN_CODECS = frozenset({"utf-8", "iso8859-1", "ascii"})


def _decodes_plainly(content_type: str) -> bool:
    """Whether the `charset` of a multipart body is one that makes no NUL of other bytes."""
    _, options = parse_options_header(content_type)
    try:
        return codecs.lookup(options.get(b"charset", b"utf-8").decode("latin-1")).name in PLAIN_CODECS
    except LookupError:
        return True  # an unknown charset: Starlette decodes as latin-1


def _named(where: str, name: str, value: str) -> tuple[Loc, str]:
    """A name=value pair as one text to check, located by its name."""
    return (where, name), f"{name}{value}"


def _strings_in(document: Any) -> Iterable[tuple[Loc, str]]:
    """Every key and string of a decoded JSON document with its location, without recursion
    (a deeply nested document must not exhaust the stack)."""
    pending: list[tuple[Loc, Any]] = [(("body",), document)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str):
            yield loc, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield (*loc, key), key
                pending.append(((*loc, key), item))
        elif isinstance(value, list):
            pending.extend(((*loc, index), item) for index, item in enumerate(value))


def _errors(*texts: tuple[Loc, str]) -> list[dict[str, Any]]:
    errors = []
    for loc, text in texts:
        found = UNSTORABLE.search(text)
        if found:
            why = _why(found.group())
            errors.append({"loc": _printable(loc), "msg": why, "type": "unstorable_character"})
    return errors


def _printable(loc: Loc) -> Loc:
    """The location as JSON can carry it back: a name may be the unstorable text itself."""
    return tuple(UNSTORABLE.sub(REPLACEMENT, part) if isinstance(part, str) else part for part in loc)


def _why(character: str) -> str:
    if character == "\x00":
        return "Text may not contain NUL (U+0000)"
    return f"Text may not contain an unpaired surrogate (U+{ord(character):04X})"
