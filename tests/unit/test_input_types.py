"""Every number and moment a route accepts fits the database, by its declared type: an
unbounded integer overflows the driver, a datetime at the calendar's edge overflows in UTC,
each as a 500 (found by fuzzing). A route that declares one fails here, not in production.

Text needs no declaration: the platform middleware's storable-input step refuses what no
database stores, for all.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter

from app.core.config import Settings
from app.main import create_app
from app.web.moments import Moment, exists_in_utc
from tests.fixtures.platform import TEST_DEFAULTS
from tests.unit.test_dependencies_are_async import walk

BIGINT = (-(2**63), 2**63 - 1)


def inputs(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    """(name, core schema) of each parameter and body of a route and of its dependencies."""
    for field in (
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    ):
        info = field.field_info
        declared = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        yield field.name, TypeAdapter(declared).core_schema
    for sub in dependant.dependencies:
        yield from inputs(sub)


def unfit(schema: Any) -> Iterator[str]:
    """What in a core schema could take a value the database cannot: its kind and bounds."""
    refs = dict(_with_refs(schema))
    approved: set[int] = set()
    seen: set[int] = set()
    pending = [schema]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.get("type")
        if kind == "definition-ref":
            pending.append(refs[node["schema_ref"]])
            continue
        if kind == "function-after" and node["function"]["function"] is exists_in_utc:
            approved.add(id(node["schema"]))
        if kind in ("int", "float") and not _bounded(node):
            yield f"{kind} without bounds within BIGINT: {_constraints(node)}"
        if kind == "datetime" and id(node) not in approved:
            yield "datetime that is not a Moment (app/web/moments.py)"
        if kind in ("timedelta", "decimal"):
            yield f"{kind}: unreviewed; bound it and extend this test"
        pending.extend(_children(node))


def _bounded(node: dict[str, Any]) -> bool:
    low = node.get("ge", node.get("gt"))
    high = node.get("le", node.get("lt"))
    return low is not None and high is not None and BIGINT[0] <= low and high <= BIGINT[1]


def _constraints(node: dict[str, Any]) -> dict[str, Any]:
    return {key: node[key] for key in ("ge", "gt", "le", "lt") if key in node}


def _children(value: Any) -> Iterator[dict[str, Any]]:
    """The schemas directly inside a schema, through its lists, tuples and plain dicts."""
    items = value.values() if isinstance(value, dict) else value
    for item in items:
        if isinstance(item, dict) and "type" in item:
            yield item
        elif isinstance(item, dict | list | tuple):
            yield from _children(item)


def _with_refs(schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    pending = [schema]
    while pending:
        node = pending.pop()
        if "ref" in node:
            yield node["ref"], node
        pending.extend(_children(node))


def test_every_number_and_moment_a_route_accepts_fits_the_database() -> None:
    app = create_app(Settings(_env_file=None, **TEST_DEFAULTS))  # type: ignore[call-arg, arg-type]
    routes = [route for route, _ in walk(app.routes) if isinstance(route, APIRoute)]

    found = {
        f"{method} {route.path} {name}: {problem}"
        for route in routes
        for method in sorted(route.methods)
        for name, schema in inputs(route.dependant)
        for problem in unfit(schema)
    }

    assert len(routes) > 30  # the walk reached the domains (the platform alone has 33)
    assert found == set()


def test_the_check_sees_what_it_must_refuse() -> None:
    """The walk itself finds an unbounded int, a plain datetime, and nested ones."""

    class Nested(BaseModel):
        count: int
        at: AwareDatetime
        fine: Annotated[int, Field(ge=0, le=10)]
        moment: Moment | None = None

    class Outer(BaseModel):
        items: list[Nested]
        by_name: dict[str, datetime]

    problems = list(unfit(TypeAdapter(Outer).core_schema))

    assert sorted(problems) == [
        "datetime that is not a Moment (app/web/moments.py)",
        "datetime that is not a Moment (app/web/moments.py)",
        "int without bounds within BIGINT: {}",
    ]
