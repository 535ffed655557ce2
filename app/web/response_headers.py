"""OpenAPI declarations of the response headers Keel sends, derived from what a route is, so a
new domain's operations declare them without bookkeeping (docs/decisions.md, "Declared
response headers"):

- `X-Request-ID` on every response;
- `Retry-After` (optional) on 409, 429 and 503 errors: when to try again;
- `Location` on every 201: the created resource; a 202 that has something to follow (a job)
  declares it itself with `responses={202: sends("Location")}`;
- `ETag` on the 200s of a versioned resource: an item whose writes take `If-Match`, read or
  changed (GET, PUT, PATCH), and the 201 of its collection's create;
- `Idempotent-Replayed` (optional) on the 2xx of an operation that takes `Idempotency-Key`;
- `Deprecation` and `Link` on the 2xx of a deprecated operation: when, and its successor.
"""

from collections.abc import Collection, Iterable
from typing import Any

from fastapi.dependencies.models import Dependant

from app.core.errors import REQUEST_ID_HEADER

IF_MATCH = "if-match"
IDEMPOTENCY_KEY = "idempotency-key"
RETRY_STATUSES = frozenset({"409", "429", "503"})
READS_AND_UPDATES = frozenset({"GET", "PUT", "PATCH"})

HEADERS: dict[str, dict[str, Any]] = {
    REQUEST_ID_HEADER: {
        "description": "This request's id: the client's when well formed, else a new one. "
        "Quote it when reporting a problem.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again; sent with `too_many_requests`, the "
        "`*_unavailable` codes, `server_busy` and `container_create_busy`.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Location": {
        "description": "The address of what was created (or of the job to follow).",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The resource's version; send it back in `If-Match` to change it safely.",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same "
        "`Idempotency-Key`; absent otherwise.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Deprecation": {
        "description": "RFC 9745: this operation is deprecated since this moment (`@` Unix time).",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The operation replacing this one, `rel="successor-version"`.',
        "schema": {"type": "string"},
    },
}
OPTIONAL = frozenset({"Retry-After", "Idempotent-Replayed"})


def sends(*names: str) -> dict[str, Any]:
    """A `responses=` entry: the headers a route sends on that status beyond the derived ones."""
    return {"headers": {name: header(name) for name in names}}


def header(name: str) -> dict[str, Any]:
    return {**HEADERS[name], "required": name not in OPTIONAL}


def takes_header(dependants: Iterable[Dependant], name: str) -> bool:
    params = (param for dependant in dependants for param in dependant.header_params)
    return any((param.alias or param.name).lower() == name for param in params)


def versioned_items(routes: Iterable[tuple[str, Collection[Dependant]]]) -> set[str]:
    """The paths of versioned resources: those with an operation that takes `If-Match`."""
    return {path for path, dependants in routes if takes_header(dependants, IF_MATCH)}


def derived_headers(
    *,
    path: str,
    method: str,
    status: str,
    dependants: Collection[Dependant],
    deprecated: bool,
    versioned: Collection[str],
) -> list[str]:
    """The headers the response of this operation with this status carries."""
    names = [REQUEST_ID_HEADER]
    if status in RETRY_STATUSES:
        names.append("Retry-After")
    if not status.startswith("2"):
        return names
    if status == "201":
        names.append("Location")
    item_created = status == "201" and any(item.startswith(f"{path}/{{") for item in versioned)
    if item_created or (path in versioned and method in READS_AND_UPDATES and status == "200"):
        names.append("ETag")
    if takes_header(dependants, IDEMPOTENCY_KEY):
        names.append("Idempotent-Replayed")
    if deprecated:
        names += ["Deprecation", "Link"]
    return names
