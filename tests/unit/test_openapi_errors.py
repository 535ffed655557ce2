"""Every operation declares in OpenAPI exactly the errors it can answer, with a real example of each.

What it can answer is found here from the route itself, not from Keel's derivation: the
body and parameters the document shows, the errors its dependencies and endpoint declare
(walking its dependants), and what every request may meet. The declarations are held
against the code too: a dependency or endpoint that raises an error it does not declare fails.
"""

import ast
import inspect
import textwrap
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from app.core.config import Settings
from app.core.errors import HTTP_ERRORS, AppError, ErrorResponse, declared_errors
from app.infrastructure.runtime import get_unit_of_work
from app.main import create_app
from app.middleware.load_shedding import EXEMPT_PATHS
from app.web.media_types import require_declared_media_type
from app.web.responses import DeclaredErrors, Operation, operations
from tests.fixtures.platform import TEST_DEFAULTS
from tools.error_docs import keel_errors

Outcome = tuple[int, str]


@cache
def app() -> FastAPI:
    return create_app(Settings(_env_file=None, **TEST_DEFAULTS))  # type: ignore[call-arg, arg-type]


@cache
def document() -> dict[str, Any]:
    return app().openapi()


def all_operations() -> list[tuple[str, Operation]]:
    return [(method.lower(), route) for route in operations(app().routes) for method in sorted(route.methods)]


OPERATIONS = all_operations()
IDS = [f"{method.upper()} {route.path_format}" for method, route in OPERATIONS]


def dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from dependants(sub)


def declared(method: str, route: Operation) -> set[Outcome]:
    """What the document says the operation may answer: (status, error_code) pairs."""
    responses = document()["paths"][route.path_format][method]["responses"]
    return {
        (int(status), code)
        for status, response in responses.items()
        if int(status) >= 400
        for code in response["content"]["application/json"]["examples"]
    }


def can_answer(method: str, route: Operation) -> set[Outcome]:
    """What the operation can answer, from its shape in the document and its dependants."""
    operation = document()["paths"][route.path_format][method]
    outcomes = every_request()
    if route.path_format not in EXEMPT_PATHS:
        outcomes.add((503, "server_busy"))
    body = operation.get("requestBody")
    if body:
        outcomes |= {(400, "bad_request"), (413, "payload_too_large"), (422, "validation_error")}
        outcomes.add((415, "unsupported_media_type"))  # a body of another type than declared
    if operation.get("parameters"):
        outcomes.add((422, "validation_error"))
    raised = [error for dependant in dependants(route.dependant) for error in declared_errors(dependant.call)]
    raised += [
        error
        for entry in route.responses.values()
        if isinstance(entry, DeclaredErrors)
        for error in entry.error_types
    ]
    outcomes |= {(error.status_code, error.error_code) for error in raised}
    if (503, "database_unavailable") in outcomes and method != "get":
        outcomes |= {(409, "concurrent_change"), (409, "reference_removed")}  # a write meets another
    return outcomes


def every_request() -> set[Outcome]:
    """What any request may be answered: what liveness declares, it having no body, no
    parameter, no dependency, and never being shed."""
    return declared("get", next(route for _, route in OPERATIONS if route.path_format == "/health/live"))


def test_any_request_may_be_answered_an_internal_error() -> None:
    assert (500, "internal_error") in every_request()
    assert not {status for status, _ in every_request()} & {400, 401, 403, 404, 413, 415, 422, 503}


@pytest.mark.parametrize(("method", "route"), OPERATIONS, ids=IDS)
def test_an_operation_declares_exactly_the_errors_it_can_answer(method: str, route: Operation) -> None:
    assert declared(method, route) == can_answer(method, route)


def test_the_shape_of_an_operation_decides_its_body_and_input_errors() -> None:
    """The issue's cases: 400 was declared on all 56 operations, 413 on none, 415 never."""
    for method, route in OPERATIONS:
        operation = document()["paths"][route.path_format][method]
        statuses = {status for status, _ in declared(method, route)}
        has_body = "requestBody" in operation
        where = f"{method.upper()} {route.path_format}"
        assert (400 in statuses) == has_body, where
        assert (413 in statuses) == has_body, where
        assert (415 in statuses) == has_body, where  # any body of another type than declared
        if has_body or operation.get("parameters"):
            assert (422, "validation_error") in declared(method, route), where
        else:
            assert (422, "validation_error") not in declared(method, route), where


def test_every_use_of_the_database_declares_it_unavailable_and_every_route_but_liveness_busy() -> None:
    for method, route in OPERATIONS:
        uses_database = any(d.call is get_unit_of_work for d in dependants(route.dependant))
        outcomes = declared(method, route)
        where = f"{method.upper()} {route.path_format}"
        assert ((503, "database_unavailable") in outcomes) == uses_database, where
        assert ((503, "server_busy") in outcomes) == (route.path_format != "/health/live"), where
        assert (500, "internal_error") in outcomes, where
    assert ("get", "/health/live") in {(m, r.path_format) for m, r in OPERATIONS}


def test_authenticated_operations_declare_401_and_those_needing_a_permission_403() -> None:
    me = declared("get", next(r for m, r in OPERATIONS if r.path_format == "/api/v1/users/me"))
    users = declared("get", next(r for m, r in OPERATIONS if r.path_format == "/api/v1/users"))
    register = declared("post", next(r for m, r in OPERATIONS if r.path_format == "/api/v1/auth/register"))

    assert {(401, "not_authenticated"), (401, "token_expired"), (403, "csrf_failed")} <= me
    assert (403, "permission_denied") not in me
    assert (403, "permission_denied") in users
    assert not {status for status, _ in register} & {401, 403}
    assert (429, "too_many_requests") in register


def keel_codes() -> dict[int, set[str]]:
    """Every error code Keel produces, by status."""
    codes: dict[int, set[str]] = {500: {"internal_error"}, 422: {"validation_error"}}
    for error in keel_errors():
        codes.setdefault(error.status_code, set()).add(error.error_code)
    for status, (code, _) in HTTP_ERRORS.items():
        codes.setdefault(status, set()).add(code)
    return codes


@pytest.mark.parametrize(("method", "route"), OPERATIONS, ids=IDS)
def test_each_error_example_is_a_real_error_of_its_status(method: str, route: Operation) -> None:
    """Every example read `404 not_found`, under 401, 403, 422 and 500 alike."""
    responses = document()["paths"][route.path_format][method]["responses"]
    for status, response in responses.items():
        if int(status) < 400:
            continue
        content = response["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
        assert content["examples"], status
        for code, example in content["examples"].items():
            body = ErrorResponse.model_validate(example["value"])
            assert body.status_code == int(status)
            assert body.error_code == code
            assert code in keel_codes()[int(status)], (status, code)
            assert f"`{code}`" in response["description"]
            # A message from the English catalog, its placeholders filled: not a key, no braces.
            assert body.message
            assert not body.message.startswith("errors.")
            assert "{" not in body.message, body.message
    schema = document()["components"]["schemas"]["ErrorResponse"]["properties"]
    assert "examples" not in schema["status_code"]
    assert "examples" not in schema["error_code"]


def raised_in(function: Any) -> set[type[AppError]]:
    """The AppErrors a function raises itself (`raise X` or `raise X(...)` in its body)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return set()
    names = {**function.__globals__, **inspect.getclosurevars(function).nonlocals}
    found: set[type[AppError]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            error = names.get(target.id) if isinstance(target, ast.Name) else None
            if isinstance(error, type) and issubclass(error, AppError):
                found.add(error)
    return found


@pytest.mark.parametrize(("method", "route"), OPERATIONS, ids=IDS)
def test_dependencies_and_endpoints_declare_what_they_raise(method: str, route: Operation) -> None:
    outcomes = declared(method, route)
    for dependant in dependants(route.dependant):
        call = dependant.call
        if call is None or not getattr(call, "__module__", "").startswith("app."):
            continue
        if call is require_declared_media_type:
            continue  # its 415 comes with the shape: any body may be of another type

        undeclared = {
            error.__name__
            for error in raised_in(call)
            if (error.status_code, error.error_code) not in outcomes
        }
        assert not undeclared, f"{call.__qualname__} raises {undeclared} undeclared"


def test_a_route_added_after_the_schema_was_built_declares_its_errors_too() -> None:
    application = create_app(Settings(_env_file=None, **TEST_DEFAULTS))  # type: ignore[call-arg, arg-type]
    application.openapi()

    @application.get("/later")
    async def later(page: int = 1) -> dict[str, int]:
        return {"page": page}

    responses = application.openapi()["paths"]["/later"]["get"]["responses"]
    assert set(responses) == {"200", "422", "431", "500", "503"}
