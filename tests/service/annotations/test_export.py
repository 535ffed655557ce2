"""The export on the service: a chunk per batch of documents, each batch on a unit of work
of its own that is closed before the chunk is handed on."""

import asyncio
import json
from dataclasses import replace

import pytest

from app.domains.accounts.service.assembly import AccountServices
from app.domains.annotations.models import ProjectKind
from app.domains.annotations.schemas import ExportFilter
from app.domains.annotations.service import export
from app.domains.annotations.service.export import ExportService
from app.infrastructure.runtime import Runtime
from app.infrastructure.slots import Slots
from app.infrastructure.unit_of_work import UnitOfWork
from tests.factories import make_user
from tests.fixtures.annotations import make_label, make_project, manager_access, seed_document


async def test_the_export_yields_a_chunk_per_batch_holding_no_slot_between_them(
    uow: UnitOfWork, runtime: Runtime, accounts: AccountServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = await make_user(uow, email="ann@example.com")
    project = await make_project(uow, creator=ann, kind=ProjectKind.SINGLE_LABEL)
    label = await make_label(uow, project=project, manager=ann, name="spam")
    documents = [
        await seed_document(uow, project_id=project.id, text=f"text {n}", annotations={ann.id: [label.id]})
        for n in range(5)
    ]
    monkeypatch.setattr(export, "EXPORT_BATCH", 2)
    one_slot = replace(runtime, database_slots=Slots(1))
    exports = ExportService(uow=uow, users=accounts.users, reads=one_slot.queued_unit_of_work)
    plan = await exports.plan(access=manager_access(project, ann), filters=ExportFilter())

    chunks = []
    async for chunk in exports.lines(plan):
        chunks.append(chunk)
        # Handed on with the database slot given back: another request gets the only slot
        # while the client reads (at most after the next batch's read, which runs meanwhile).
        await asyncio.wait_for(one_slot.database_slots.acquire(), timeout=10)
        one_slot.database_slots.release()

    assert [chunk.count(b"\n") for chunk in chunks] == [2, 2, 1]
    lines = [json.loads(line) for chunk in chunks for line in chunk.splitlines()]
    assert [(line["id"], line["labels"]) for line in lines] == [
        (document, ["spam"]) for document in documents
    ]
    assert lines[0]["annotations"] == [{"annotator": "ann@example.com", "labels": ["spam"]}]


async def test_a_label_made_after_the_export_began_is_written_by_name(
    uow: UnitOfWork, runtime: Runtime, accounts: AccountServices
) -> None:
    ann = await make_user(uow, email="ann@example.com")
    project = await make_project(uow, creator=ann, kind=ProjectKind.MULTI_LABEL)
    exports = ExportService(uow=uow, users=accounts.users, reads=runtime.queued_unit_of_work)
    plan = await exports.plan(access=manager_access(project, ann), filters=ExportFilter(annotator_id=ann.id))
    late = await make_label(uow, project=project, manager=ann, name="late")
    await seed_document(uow, project_id=project.id, annotations={ann.id: [late.id]})

    chunks = [chunk async for chunk in exports.lines(plan)]

    assert json.loads(b"".join(chunks))["labels"] == ["late"]
