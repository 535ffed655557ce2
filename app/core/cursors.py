"""Opaque, tamper-evident cursors for keyset pagination.

A cursor is the position after the last row of a page, plus the query it belongs to,
signed with the server's secret: clients can only pass it back, never forge or edit it.
"""

import base64
import hashlib
import hmac
import json
from typing import Any

from app.core.errors import ValidationFailed

SIGNATURE_BYTES = 16


class InvalidCursor(ValidationFailed):
    """A cursor that was altered, or made for another filter or order."""

    error_code = "invalid_cursor"


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"keel-cursor:" + secret.encode()).digest()

    def encode(self, position: dict[str, Any]) -> str:
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return _b64(self._sign(payload) + payload)

    def decode(self, cursor: str, *, query: str) -> dict[str, Any]:
        """The position, if the cursor is ours, unaltered, and was made for this `query`."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except ValueError as exc:
            raise InvalidCursor from exc
        signature, payload = raw[:SIGNATURE_BYTES], raw[SIGNATURE_BYTES:]
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise InvalidCursor
        position = json.loads(payload)
        if not isinstance(position, dict) or position.get("query") != query:
            raise InvalidCursor  # a cursor from another sort or filter would skip or repeat rows
        return position

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
