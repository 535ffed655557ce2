"""A whole flow through a client generated from Keel's OpenAPI document (tools/ci/openapi_client.sh).

Run with the directory holding the generated package `keel_client` and the address of a
running `keel serve`. First every generated module is imported (a module that does not import
is a document that does not generate); then the flow: register, log in, tags and todos,
v2 cursor pages, an update with `If-Match` and a stale one (412, read as `ErrorResponse`),
refresh, log out. Uses only the standard library and the generated package (httpx, attrs,
python-dateutil are its own dependencies).
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any


def import_every_module(package_dir: Path) -> int:
    sys.path.insert(0, str(package_dir))
    package = importlib.import_module("keel_client")
    names = [info.name for info in pkgutil.walk_packages(package.__path__, "keel_client.")]
    for name in names:
        importlib.import_module(name)
    return len(names)


def expect(response: Any, status: int) -> Any:
    if response.status_code != status:
        raise SystemExit(f"expected {status}, got {response.status_code}: {response.content!r}")
    return response.parsed


def flow(base_url: str) -> None:
    from keel_client import AuthenticatedClient, Client
    from keel_client.api.auth import login, logout, refresh, register
    from keel_client.api.tags import create_tag
    from keel_client.api.todos import create_todo, get_todo, page_todos_v2, update_todo
    from keel_client.api.users import read_me
    from keel_client.models import (
        ErrorResponse,
        LoginRequest,
        RefreshRequest,
        RegisterRequest,
        SortOrder,
        TagCreate,
        TodoCreate,
        TodoPage,
        TodoSort,
        TodoUpdate,
    )

    email, password = f"client-{time.time_ns()}@example.com", "correct horse battery staple"
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    created = register.sync_detailed(client=anonymous, body=RegisterRequest(email=email, password=password))
    expect(created, 201)
    assert created.headers["Location"] == "/api/v1/users/me"
    tokens = expect(
        login.sync_detailed(client=anonymous, body=LoginRequest(email=email, password=password)), 200
    )

    me = AuthenticatedClient(base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True)
    assert expect(read_me.sync_detailed(client=me), 200).email == email

    tags = [
        expect(create_tag.sync_detailed(client=me, body=TagCreate(name=name)), 201)
        for name in ("home", "work")
    ]
    first = create_todo.sync_detailed(
        client=me, body=TodoCreate(title="todo 0", tag_ids=[tags[0].id]), idempotency_key="flow-0"
    )
    replayed = create_todo.sync_detailed(
        client=me, body=TodoCreate(title="todo 0", tag_ids=[tags[0].id]), idempotency_key="flow-0"
    )
    assert expect(replayed, 201).id == expect(first, 201).id
    assert replayed.headers["Idempotent-Replayed"] == "true"
    for number in range(1, 5):
        expect(create_todo.sync_detailed(client=me, body=TodoCreate(title=f"todo {number}")), 201)

    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = expect(
            page_todos_v2.sync_detailed(
                client=me, sort=TodoSort.TITLE, order=SortOrder.ASC, limit=2, cursor=cursor
            ),
            200,
        )
        assert isinstance(page, TodoPage)
        seen += [todo.title for todo in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [f"todo {number}" for number in range(5)], seen

    todo_id = first.parsed.id
    read = get_todo.sync_detailed(todo_id, client=me)
    etag = read.headers["ETag"]
    updated = update_todo.sync_detailed(todo_id, client=me, body=TodoUpdate(completed=True), if_match=etag)
    assert expect(updated, 200).completed is True
    stale = update_todo.sync_detailed(todo_id, client=me, body=TodoUpdate(title="lost"), if_match=etag)
    refused = expect(stale, 412)
    assert isinstance(refused, ErrorResponse), refused
    assert refused.error_code == "precondition_failed"
    assert refused.details["current_etag"] == updated.headers["ETag"], refused.details

    renewed = expect(
        refresh.sync_detailed(client=anonymous, body=RefreshRequest(refresh_token=tokens.refresh_token)), 200
    )
    me = AuthenticatedClient(base_url=base_url, token=renewed.access_token, raise_on_unexpected_status=True)
    expect(logout.sync_detailed(client=me), 204)
    after = expect(read_me.sync_detailed(client=me), 401)
    assert isinstance(after, ErrorResponse), after
    assert after.error_code == "session_revoked", after.error_code


def main() -> None:
    package_dir, base_url = Path(sys.argv[1]), sys.argv[2]
    started = time.perf_counter()
    modules = import_every_module(package_dir)
    imported = time.perf_counter()
    flow(base_url)
    done = time.perf_counter()
    print(f"imported {modules} generated modules in {imported - started:.2f}s")
    print(f"the flow passed in {done - imported:.2f}s")


if __name__ == "__main__":
    main()
