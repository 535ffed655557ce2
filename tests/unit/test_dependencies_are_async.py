"""No route of Keel's depends on a plain function or class: FastAPI would run each one in its
thread pool, a thread hop per request (found by the benchmark's profile)."""

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.params import Depends
from fastapi.routing import APIRoute

from app.core.config import Settings
from app.main import create_app
from tests.fixtures.platform import TEST_DEFAULTS


def is_async(call: Any) -> bool:
    return (
        inspect.iscoroutinefunction(call)
        or inspect.isasyncgenfunction(call)
        or inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004 - security schemes
    )


def sync_dependencies(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for sub in dependant.dependencies:
        if sub.call is not None and not is_async(sub.call):
            found.add(getattr(sub.call, "__qualname__", repr(sub.call)))
        found |= sync_dependencies(sub)
    return found


def walk(routes: list[Any]) -> Iterator[tuple[APIRoute | None, list[Depends]]]:
    """Every API route, and every router's own dependencies, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route, []
        elif (router := getattr(route, "original_router", None)) is not None:
            yield None, list(router.dependencies)
            yield from walk(router.routes)


def test_every_dependency_is_a_coroutine() -> None:
    app = create_app(Settings(_env_file=None, **TEST_DEFAULTS))  # type: ignore[call-arg, arg-type]
    routes = list(walk(app.routes))

    found = {
        f"{route.path if route else 'router'}: {name}"
        for route, router_dependencies in routes
        for name in (
            sync_dependencies(route.dependant)
            if route
            else {str(dep.dependency) for dep in router_dependencies if not is_async(dep.dependency)}
        )
    }

    assert sum(route is not None for route, _ in routes) > 30  # the walk reached the domains
    assert found == set()
