"""OpenAPI declarations of error responses, so clients see every `error_code` they may get.

An operation's error responses are derived in one place, `possible_errors`, from what the
route is made of: its body and parameters, the errors its dependencies and endpoint declare
(`raises(...)`, `responses=errors(...)`), and what every request may meet. Each status lists
its codes, with an example of each in English.
"""

import copy
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from string import Formatter
from typing import Any, Protocol, cast

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from app.core.errors import (
    HTTP_ERRORS,
    AppError,
    ConcurrentChange,
    DatabaseUnavailable,
    ErrorResponse,
    InternalError,
    ReferenceRemoved,
    ServerBusy,
    ValidationFailed,
    declared_errors,
)
from app.core.i18n import DEFAULT_LOCALE, translate
from app.web.response_headers import derived_headers, header, versioned_items

Responses = dict[int | str, dict[str, Any]]
ERROR_SCHEMA_REF = "#/components/schemas/ErrorResponse"


@dataclass(frozen=True, order=True, slots=True)
class ErrorOutcome:
    """One answer an operation may give: a status and the error code it carries."""

    status_code: int
    error_code: str
    message_key: str

    @classmethod
    def of(cls, error: type[AppError]) -> "ErrorOutcome":
        return cls(error.status_code, error.error_code, error.message_key)

    @classmethod
    def http(cls, status_code: int) -> "ErrorOutcome":
        error_code, message_key = HTTP_ERRORS[status_code]
        return cls(status_code, error_code, message_key)


INVALID_INPUT = ErrorOutcome.of(ValidationFailed)
INTERNAL_ERROR = ErrorOutcome.of(InternalError)
SERVER_BUSY = ErrorOutcome.of(ServerBusy)
DATABASE_UNAVAILABLE = ErrorOutcome.of(DatabaseUnavailable)
# A write may meet another: the row it changes or refers to deleted meanwhile, or a deadlock
# (app/infrastructure/constraints.py). Reads take no row locks, so they meet neither.
RACING_WRITE = {ErrorOutcome.of(ConcurrentChange), ErrorOutcome.of(ReferenceRemoved)}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A body may be unreadable (400: not UTF-8), too large (413) or of a type not taken (415).
UNREADABLE_BODY, BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE = (ErrorOutcome.http(s) for s in (400, 413, 415))


class DeclaredErrors(dict[str, Any]):
    """A `responses=` entry that also keeps the error classes it names, for `possible_errors`."""

    def __init__(self, error_types: Collection[type[AppError]]) -> None:
        super().__init__(description=", ".join(f"`{error.error_code}`" for error in error_types))
        self.error_types = tuple(error_types)


def errors(*error_types: type[AppError]) -> Responses:
    """`responses=` for a route: what its endpoint (its service) may raise beyond what its
    dependencies declare with `raises(...)`."""
    by_status: defaultdict[int, list[type[AppError]]] = defaultdict(list)
    for error_type in error_types:
        by_status[error_type.status_code].append(error_type)
    return {status: DeclaredErrors(found) for status, found in sorted(by_status.items())}


class Operation(Protocol):
    """An API route as included in the app: its full path, and its routers' dependencies."""

    path_format: str
    methods: set[str]
    include_in_schema: bool
    responses: Responses
    dependant: Dependant
    body_field: Any
    openapi_extra: dict[str, Any] | None


def operations(routes: list[BaseRoute]) -> Iterator[Operation]:
    """The app's API routes in the schema, each as included (prefix, router dependencies)."""
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield cast(Operation, context)


def possible_errors(
    route: Operation, *, unshed_paths: Collection[str], every_request: Collection[type[AppError]] = ()
) -> set[ErrorOutcome]:
    """Every error the operation can answer, from the route's shape and its declarations.

    `every_request`: what the middleware may answer to any request (e.g. a request head too
    large); `unshed_paths`: the paths load shedding lets through.
    """
    outcomes = {INTERNAL_ERROR, *(ErrorOutcome.of(error) for error in every_request)}
    if route.path_format not in unshed_paths:
        outcomes.add(SERVER_BUSY)
    body_types = request_body_types(route)
    if body_types:
        # Every body is read only as declared (app/web/media_types.py): another type is a 415.
        outcomes |= {UNREADABLE_BODY, BODY_TOO_LARGE, INVALID_INPUT, UNSUPPORTED_MEDIA_TYPE}
    dependants = list(walk(route.dependant))
    if any(_parameters(dependant) for dependant in dependants):
        outcomes.add(INVALID_INPUT)
    for dependant in dependants:
        outcomes |= {ErrorOutcome.of(error) for error in declared_errors(dependant.call)}
    for entry in route.responses.values():
        if isinstance(entry, DeclaredErrors):
            outcomes |= {ErrorOutcome.of(error) for error in entry.error_types}
    if DATABASE_UNAVAILABLE in outcomes and route.methods & UNSAFE_METHODS:
        outcomes |= RACING_WRITE
    return outcomes


def request_body_types(route: Operation) -> set[str]:
    """The media types of the operation's body (none: it takes no body)."""
    extra = (route.openapi_extra or {}).get("requestBody")
    if extra:
        return set(extra.get("content", {}))
    if route.body_field is None:
        return set()
    form = isinstance(route.body_field.field_info, params.Form)
    return {"application/x-www-form-urlencoded"} if form else {"application/json"}


def walk(dependant: Dependant) -> Iterator[Dependant]:
    """The dependant and all it depends on, the endpoint first."""
    yield dependant
    for sub_dependant in dependant.dependencies:
        yield from walk(sub_dependant)


def _parameters(dependant: Dependant) -> bool:
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    )


def document_error_responses(
    app: FastAPI, *, unshed_paths: Collection[str], every_request: Collection[type[AppError]] = ()
) -> None:
    """Make `app.openapi()` declare, on every operation, exactly the errors it can answer."""
    generate = app.openapi
    declared_in: dict[str, Any] | None = None  # the schema last given its error responses

    def openapi() -> dict[str, Any]:
        nonlocal declared_in
        schema = generate()  # FastAPI's, cached until the routes change
        if schema is declared_in:
            return schema
        declared_in = schema
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(error_schema.pop("$defs", {}))  # ValidationIssue, JsonObject
        schemas["ErrorResponse"] = error_schema
        for fastapi_422_body in ("HTTPValidationError", "ValidationError"):  # Keel never sends them
            schemas.pop(fastapi_422_body, None)
        routes = list(operations(app.routes))
        versioned = versioned_items((route.path_format, list(walk(route.dependant))) for route in routes)
        for route in routes:
            _check_error_entries(route)
            outcomes = possible_errors(route, unshed_paths=unshed_paths, every_request=every_request)
            declared = error_responses(outcomes)
            dependants = list(walk(route.dependant))
            for method in route.methods:
                operation = schema["paths"][route.path_format][method.lower()]
                kept = {
                    status: entry for status, entry in operation["responses"].items() if int(status) < 400
                }
                operation["responses"] = {**kept, **copy.deepcopy(declared)}
                for status, response in operation["responses"].items():
                    names = derived_headers(
                        path=route.path_format,
                        method=method,
                        status=status,
                        dependants=dependants,
                        deprecated=bool(operation.get("deprecated")),
                        versioned=versioned,
                    )
                    response["headers"] = {name: header(name) for name in names} | response.get("headers", {})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _check_error_entries(route: Operation) -> None:
    for status, entry in route.responses.items():
        if int(status) >= 400 and not isinstance(entry, DeclaredErrors):
            raise TypeError(f"{route.path_format}: declare error responses with errors(...), not by hand")


def error_responses(outcomes: Collection[ErrorOutcome]) -> dict[str, dict[str, Any]]:
    """OpenAPI responses: per status, its codes in the description and an example of each."""
    by_status: defaultdict[int, list[ErrorOutcome]] = defaultdict(list)
    for outcome in sorted(outcomes):
        by_status[outcome.status_code].append(outcome)
    return {
        str(status): {
            "description": f"{HTTPStatus(status).phrase}. `error_code` is one of:\n\n"
            + "\n".join(f"- `{outcome.error_code}`: {example_message(outcome)}" for outcome in found),
            "content": {
                "application/json": {
                    "schema": {"$ref": ERROR_SCHEMA_REF},
                    "examples": {outcome.error_code: _example(outcome) for outcome in found},
                }
            },
        }
        for status, found in sorted(by_status.items())
    }


# Sample values for the placeholders of messages, so that an example reads as a real answer.
EXAMPLE_PARAMS: dict[str, object] = {
    "permission": "todos:write",
    "status": "running",
    "kind": "maintenance",
    "failing": "database",
    "tag_ids": "7, 9",
    "name": "work",
    "image": "busybox:latest",
    "namespaces": "network",
    "host_ip": "192.0.2.10",
    "limit": "memory_mb",
    "requested": 4096,
    "maximum": 1024,
    "quota": 10,
    "requested_mb": 512,
    "quota_mb": 2048,
    "in_use_mb": 1792,
    "labels": "io.keel.owner",
    "container_id": "4f2a9c1e7b3d",
}
EXAMPLE_ID = 42
EXAMPLE_REQUEST_ID = "9f1c2a7e4b5d4c3f8a6e1b2c3d4e5f60"
EXAMPLE_DETAILS: dict[str, Any] = {
    "validation_error": [{"loc": ["body", "title"], "msg": "Field required", "type": "missing"}],
}


def example_message(outcome: ErrorOutcome) -> str:
    """The English message of the outcome, its placeholders filled with sample values."""
    template = translate(outcome.message_key, DEFAULT_LOCALE)  # unformatted: no parameters given
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    values = {name: EXAMPLE_PARAMS.get(name, EXAMPLE_ID if name.endswith("_id") else name) for name in names}
    return translate(outcome.message_key, DEFAULT_LOCALE, **values)


def _example(outcome: ErrorOutcome) -> dict[str, Any]:
    body = ErrorResponse(
        status_code=outcome.status_code,
        error_code=outcome.error_code,
        message=example_message(outcome),
        details=EXAMPLE_DETAILS.get(outcome.error_code),
        request_id=EXAMPLE_REQUEST_ID,
    )
    return {"summary": outcome.error_code, "value": body.model_dump()}
