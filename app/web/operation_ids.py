"""Operation ids that read well in generated clients: the endpoint's name, and its API version
when that version is not the first.

FastAPI's default id spells out the path and method (`update_todo_api_v1_todos__todo_id__put`),
which a generated client turns into a module and function name. Keel's rule instead:

- an operation's id is its endpoint function's name (`update_todo`);
- under a later API version, the version is appended (`update_todo_v2`), whether or not the
  operation is also served in v1, so an id never changes when another version gains or drops
  a route.

Ids must be unique across the document: two endpoints of one name in one version are a clash
that `tests/unit/test_operation_ids.py` reports (rename one of the functions).
"""

from collections.abc import Callable
from typing import Any

FIRST_API_VERSION = "v1"

OperationId = Callable[[Any], str]  # FastAPI passes the route (an APIRoute, or its included copy)


def operation_id(route: Any) -> str:
    """The id of an operation outside the versioned API, or in its first version."""
    return str(route.name)


def versioned_operation_id(version: str) -> OperationId:
    """The id rule for the routes of one API version."""
    if version == FIRST_API_VERSION:
        return operation_id

    def in_version(route: Any) -> str:
        return f"{route.name}_{version}"

    return in_version
