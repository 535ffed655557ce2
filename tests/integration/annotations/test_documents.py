"""A project's documents through HTTP: added and deleted by managers, read by members a page at
a time with filters; hidden from everyone else."""

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.domains.annotations.models import Annotation, Document
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_document, new_project


def documents_of(project: dict[str, Any]) -> str:
    return f"{PROJECTS}/{project['id']}/documents"


async def set_status(app: FastAPI, document_id: int, status: str) -> None:
    async with app.state.runtime.session_factory() as session, session.begin():
        await session.execute(update(Document).where(Document.id == document_id).values(status=status))


async def annotate(app: FastAPI, document: dict[str, Any], annotator_id: int) -> None:
    async with app.state.runtime.session_factory() as session, session.begin():
        session.add(
            Annotation(
                document_id=document["id"], project_id=document["project_id"], annotator_id=annotator_id
            )
        )


async def count(app: FastAPI, model: type[Any]) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_manager_adds_reads_and_deletes_a_document(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    created = await ann.client.post(
        documents_of(project), json={"text": "Ada went home.", "meta": {"src": 1}}
    )
    document = created.json()
    read = await ann.client.get(f"{documents_of(project)}/{document['id']}")
    deleted = await ann.client.delete(f"{documents_of(project)}/{document['id']}")
    gone = await ann.client.get(f"{documents_of(project)}/{document['id']}")

    assert created.status_code == 201
    assert created.headers["Location"] == f"{documents_of(project)}/{document['id']}"
    assert document["text"] == "Ada went home."
    assert document["meta"] == {"src": 1}
    assert (document["status"], document["project_id"], document["reviewed_by"]) == (
        "unannotated",
        project["id"],
        None,
    )
    assert read.json() == document
    assert deleted.status_code == 204
    assert (gone.status_code, gone.json()["error_code"]) == (404, "document_not_found")


async def test_deleting_a_document_deletes_its_annotations(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    document = await new_document(ann.client, project["id"], "text")
    await annotate(app, document, ann.id)

    response = await ann.client.delete(f"{documents_of(project)}/{document['id']}")

    assert response.status_code == 204
    assert await count(app, Annotation) == 0


async def test_members_read_documents_but_only_managers_change_them(people: PeopleFactory) -> None:
    ann = await people.member()
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")
    document = await new_document(ann.client, project["id"], "text")

    listed = await bob.client.get(documents_of(project))
    read = await bob.client.get(f"{documents_of(project)}/{document['id']}")
    created = await bob.client.post(documents_of(project), json={"text": "mine"})
    deleted = await bob.client.delete(f"{documents_of(project)}/{document['id']}")

    assert [item["id"] for item in listed.json()["items"]] == [document["id"]]
    assert read.status_code == 200
    assert (created.status_code, created.json()["error_code"]) == (403, "project_manager_required")
    assert (deleted.status_code, deleted.json()["error_code"]) == (403, "project_manager_required")


async def test_strangers_see_no_documents_admins_see_and_manage_them(people: PeopleFactory) -> None:
    ann = await people.member()
    eve = await people.member("eve@example.com")
    admin = await people.admin()
    project = await new_project(ann.client)
    document = await new_document(ann.client, project["id"], "text")
    url = f"{documents_of(project)}/{document['id']}"

    stranger = [
        await eve.client.get(documents_of(project)),
        await eve.client.get(url),
        await eve.client.post(documents_of(project), json={"text": "x"}),
        await eve.client.delete(url),
    ]
    by_admin = [await admin.client.get(url), await admin.client.delete(url)]
    anonymous = await people.new_client().get(documents_of(project))

    assert [(r.status_code, r.json()["error_code"]) for r in stranger] == [(404, "project_not_found")] * 4
    assert [r.status_code for r in by_admin] == [200, 204]
    assert anonymous.status_code == 401


async def test_a_document_of_another_project_is_not_found_here(people: PeopleFactory) -> None:
    ann = await people.member()
    first, second = await new_project(ann.client), await new_project(ann.client)
    document = await new_document(ann.client, first["id"], "text")

    response = await ann.client.get(f"{documents_of(second)}/{document['id']}")
    deleted = await ann.client.delete(f"{documents_of(second)}/{document['id']}")

    assert response.status_code == deleted.status_code == 404
    assert response.json()["error_code"] == "document_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": None},
        {"text": 5},
        {"text": "x" * 1_000_001},
        {"text": "ok", "meta": []},
        {"text": "ok", "meta": "x"},
        {"text": "ok", "status": "approved"},
        {"text": "nul \u0000 inside"},
    ],
)
async def test_invalid_documents_are_refused(
    app: FastAPI, people: PeopleFactory, body: dict[str, Any]
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.post(documents_of(project), json=body)

    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    assert await count(app, Document) == 0


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_meta_numbers_no_database_stores_are_refused(
    app: FastAPI, people: PeopleFactory, number: str
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    body = f'{{"text": "ok", "meta": {{"deep": [{{"x": {number}}}]}}}}'

    response = await ann.client.post(
        documents_of(project), content=body, headers={"Content-Type": "application/json"}
    )

    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    assert await count(app, Document) == 0


async def test_a_document_body_over_the_request_limit_is_413(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.post(documents_of(project), json={"text": "x" * 2_000_000})

    assert (response.status_code, response.json()["error_code"]) == (413, "payload_too_large")


async def test_documents_come_a_page_at_a_time_in_import_order(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    made = [(await new_document(ann.client, project["id"], f"text {n}"))["id"] for n in range(5)]

    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await ann.client.get(documents_of(project), params=params)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == made
    assert pages == 3


async def test_the_listing_filters_by_status_annotator_and_text(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")
    texts = ["100% sure", "a_b", "ABC and more", "100 percent", "a\\b"]
    docs = [await new_document(ann.client, project["id"], text) for text in texts]
    await set_status(app, docs[1]["id"], "approved")
    await set_status(app, docs[3]["id"], "approved")
    await annotate(app, docs[2], bob.id)
    await annotate(app, docs[4], bob.id)
    await annotate(app, docs[4], ann.id)

    async def ids(**params: Any) -> list[int]:
        response = await bob.client.get(documents_of(project), params=params)
        assert response.status_code == 200, response.text
        return [
            docs.index(next(d for d in docs if d["id"] == item["id"])) for item in response.json()["items"]
        ]

    assert await ids(status="approved") == [1, 3]
    assert await ids(status="unannotated") == [0, 2, 4]
    assert await ids(status="rejected") == []
    assert await ids(annotator_id=bob.id) == [2, 4]
    assert await ids(annotator_id=ann.id) == [4]
    assert await ids(annotator_id=bob.id, status="approved") == []
    assert await ids(q="%") == [0]
    assert await ids(q="_") == [1]
    assert await ids(q="\\") == [4]
    assert await ids(q="abc") == [2]
    assert await ids(q="100") == [0, 3]


async def test_a_cursor_is_bound_to_its_filters(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    for n in range(3):
        await new_document(ann.client, project["id"], f"text {n}")
    first = (await ann.client.get(documents_of(project), params={"limit": 1})).json()

    other_filter = await ann.client.get(
        documents_of(project), params={"limit": 1, "cursor": first["next_cursor"], "q": "text"}
    )
    forged = await ann.client.get(documents_of(project), params={"cursor": "abc"})

    assert (other_filter.status_code, other_filter.json()["error_code"]) == (422, "invalid_cursor")
    assert (forged.status_code, forged.json()["error_code"]) == (422, "invalid_cursor")


@pytest.mark.parametrize(
    "params",
    [
        {"status": "done"},
        {"annotator_id": 0},
        {"annotator_id": 2**40},
        {"q": ""},
        {"q": "x" * 201},
        {"limit": 0},
        {"limit": 101},
    ],
)
async def test_bad_listing_parameters_are_422(people: PeopleFactory, params: dict[str, Any]) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.get(documents_of(project), params=params)

    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
