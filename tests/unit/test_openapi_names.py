"""Names a client generated from the OpenAPI document takes: every operation's id follows
Keel's rule (app/web/operation_ids.py) and is unique; every schema a client needs a class for
has a name of its own. Checked over the whole document, so a new domain is held to them too."""

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

from app.core.config import Settings
from app.main import create_app
from app.web.operation_ids import FIRST_API_VERSION
from app.web.responses import operations
from tests.fixtures.platform import TEST_DEFAULTS
from tests.installed import requires_domain

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


@requires_domain("todos")
def test_an_operation_served_in_two_versions_is_named_apart() -> None:
    _, document = app_and_document()
    assert document["paths"]["/api/v1/todos/{todo_id}"]["get"]["operationId"] == "get_todo"
    assert document["paths"]["/api/v2/todos/{todo_id}"]["get"]["operationId"] == "get_todo_v2"
    assert document["paths"]["/api/v2/todos"]["get"]["operationId"] == "page_todos_v2"


COMPONENT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def test_schema_names_are_class_names() -> None:
    """`Page[UserRead]` is `Page_UserRead_` unless subclassed (`class UserPage(Page[UserRead])`)."""
    _, document = app_and_document()
    assert [name for name in document["components"]["schemas"] if not COMPONENT_NAME.match(name)] == []


def anonymous_schemas(schema: Any, where: str, *, enums: bool, in_union: bool = False) -> Iterator[str]:
    """Inline objects among a union's choices (and, with `enums`, inline enums): a generator
    names each after where it found it (`JobReadResultType0`, `PageTodosApiV2TodosGetSort`).
    A body field's inline enum is named after its model and field (`PortRequestProtocol`),
    which reads well; a query parameter's is named after the operation, which does not."""
    if isinstance(schema, dict):
        if enums and "enum" in schema:
            yield f"{where}: enum {schema['enum']}"
        if in_union and schema.get("type") == "object":
            yield f"{where}: object in a union"
        for key, value in schema.items():
            if key in ("anyOf", "oneOf"):
                for choice in value:
                    yield from anonymous_schemas(choice, where, enums=enums, in_union=True)
            elif key not in ("examples", "example", "default", "const"):
                yield from anonymous_schemas(value, f"{where}.{key}", enums=enums)
    elif isinstance(schema, list):
        for item in schema:
            yield from anonymous_schemas(item, where, enums=enums)


def test_query_enums_and_nullable_objects_are_named_schemas() -> None:
    _, document = app_and_document()
    found = [
        issue
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        for issue in anonymous_schemas(
            parameter["schema"], f"{method.upper()} {path} {parameter['name']}", enums=True
        )
    ]
    found += [
        issue
        for name, schema in document["components"]["schemas"].items()
        for issue in anonymous_schemas(schema.get("properties", {}), name, enums=False)
    ]
    assert found == []


def test_each_operation_takes_one_body_type_and_answers_one_per_status() -> None:
    """A generated client writes one function per operation: with two body types it wrote a
    login module that did not import (`NameError: Unset`), and with JSON and an event stream
    on one status it parsed a live stream as JSON. Hence `/auth/login` and `/auth/token`,
    `/logs` and `/logs/stream`."""
    _, document = app_and_document()
    several = [
        f"{method.upper()} {path} {where}: {sorted(content)}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for where, content in [
            ("body", operation.get("requestBody", {}).get("content", {})),
            *((status, response.get("content", {})) for status, response in operation["responses"].items()),
        ]
        if len(content) > 1
    ]
    assert several == []
