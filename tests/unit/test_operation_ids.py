"""Every operation's id follows Keel's rule (app/web/operation_ids.py) and is unique, so that
a client generated from the document has one readable function per operation. The rule is
checked against the whole document: a new domain's routes are held to it too."""

import re
from collections import Counter
from functools import cache
from typing import Any

from app.core.config import Settings
from app.main import create_app
from app.web.operation_ids import FIRST_API_VERSION
from app.web.responses import operations
from tests.fixtures.platform import TEST_DEFAULTS

VERSIONED_PATH = re.compile(r"^/api/(?P<version>v\d+)/")


@cache
def app_and_document() -> tuple[Any, dict[str, Any]]:
    app = create_app(Settings(_env_file=None, **TEST_DEFAULTS))  # type: ignore[call-arg, arg-type]
    return app, app.openapi()


def expected_id(endpoint_name: str, path: str) -> str:
    found = VERSIONED_PATH.match(path)
    if found is None or found["version"] == FIRST_API_VERSION:
        return endpoint_name
    return f"{endpoint_name}_{found['version']}"


def test_every_operation_id_is_its_endpoints_name_and_version() -> None:
    app, document = app_and_document()
    wrong = []
    for route in operations(app.routes):
        for method in route.methods:
            declared = document["paths"][route.path_format][method.lower()]["operationId"]
            expected = expected_id(route.endpoint.__name__, route.path_format)  # type: ignore[attr-defined]
            if declared != expected:
                wrong.append(f"{method} {route.path_format}: {declared}, expected {expected}")
    assert not wrong


def test_operation_ids_are_unique() -> None:
    _, document = app_and_document()
    ids = Counter(op["operationId"] for item in document["paths"].values() for op in item.values())
    assert [operation_id for operation_id, count in ids.items() if count > 1] == []


def test_an_operation_served_in_two_versions_is_named_apart() -> None:
    _, document = app_and_document()
    assert document["paths"]["/api/v1/todos/{todo_id}"]["get"]["operationId"] == "get_todo"
    assert document["paths"]["/api/v2/todos/{todo_id}"]["get"]["operationId"] == "get_todo_v2"
    assert document["paths"]["/api/v2/todos"]["get"]["operationId"] == "page_todos_v2"
