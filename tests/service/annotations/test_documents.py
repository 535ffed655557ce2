"""Document rules, on the service: managers add and delete, members page through them in
import order, strangers do not see them."""

import pytest

from app.core.cursors import CursorCodec
from app.domains.annotations.errors import DocumentNotFound, ProjectManagerRequired
from app.domains.annotations.models import ProjectRole
from app.domains.annotations.schemas import DocumentCreate, DocumentFilter
from app.domains.annotations.service.access import AccessService, Actor
from app.domains.annotations.service.documents import DocumentService
from app.infrastructure.unit_of_work import UnitOfWork
from tests.factories import make_user
from tests.fixtures.annotations import make_document, make_member, make_project


@pytest.fixture
def documents(uow: UnitOfWork, cursors: CursorCodec) -> DocumentService:
    return DocumentService(uow=uow, cursors=cursors)


async def test_members_page_through_documents_in_import_order(
    uow: UnitOfWork, documents: DocumentService, access: AccessService
) -> None:
    creator, annotator = await make_user(uow), await make_user(uow)
    project = await make_project(uow, creator=creator)
    await make_member(uow, project=project, manager=creator, user=annotator)
    made = [(await make_document(uow, project=project, text=f"text {n}", n=n)).id for n in range(3)]
    seen = await access.visible(project_id=project.id, actor=Actor(id=annotator.id, is_admin=False))

    first, cursor = await documents.page(access=seen, filters=DocumentFilter(limit=2))
    rest, last = await documents.page(access=seen, filters=DocumentFilter(limit=2, cursor=cursor))

    assert [document.id for document in first + rest] == made
    assert first[0].meta == {"n": 0}
    assert last is None


async def test_only_managers_add_and_delete_documents(
    uow: UnitOfWork, documents: DocumentService, access: AccessService
) -> None:
    creator, annotator = await make_user(uow), await make_user(uow)
    project = await make_project(uow, creator=creator)
    await make_member(uow, project=project, manager=creator, user=annotator, role=ProjectRole.REVIEWER)
    document = await make_document(uow, project=project)
    as_reviewer = await access.visible(project_id=project.id, actor=Actor(id=annotator.id, is_admin=False))
    as_manager = await access.visible(project_id=project.id, actor=Actor(id=creator.id, is_admin=False))

    with pytest.raises(ProjectManagerRequired):
        await documents.create(access=as_reviewer, data=DocumentCreate(text="mine"))
    with pytest.raises(ProjectManagerRequired):
        await documents.delete(access=as_reviewer, document=document)
    await documents.delete(access=as_manager, document=document)
    with pytest.raises(DocumentNotFound):
        await documents.get(access=as_manager, document_id=document.id)
