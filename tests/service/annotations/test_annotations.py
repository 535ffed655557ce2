"""Annotation and review rules, on the services: whose annotations one sees and writes, the
document's status following its annotations, review decisions and what they need."""

from dataclasses import dataclass
from typing import Any

import pytest

from app.core.cursors import CursorCodec
from app.domains.accounts.models import User
from app.domains.annotations.errors import (
    AlreadyApproved,
    AnnotationNotFound,
    AnnotatorNotFound,
    AnnotatorRequired,
    DocumentApproved,
    DocumentNotApproved,
    NothingToReview,
    OwnAnnotationsOnly,
    ReviewerRequired,
)
from app.domains.annotations.models import Document, DocumentStatus, Label, Project, ProjectRole
from app.domains.annotations.schemas import MarkWrite
from app.domains.annotations.service.access import Actor, ProjectAccess
from app.domains.annotations.service.annotations import AnnotationService
from app.domains.annotations.service.documents import DocumentService
from app.domains.annotations.service.review import ReviewService
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.etag import PreconditionFailed, etag_of
from tests.factories import make_user
from tests.fixtures.annotations import insert_document, make_label, make_member, make_project
from tests.fixtures.platform import TEST_SECRET
from tests.service.wiring import NewUnitOfWork


@dataclass
class Setting:
    manager: User
    annotator: User
    reviewer: User
    project: Project
    label: Label
    document: Document

    def access(self, user: User, role: ProjectRole | None, *, admin: bool = False) -> ProjectAccess:
        return ProjectAccess(project=self.project, actor=Actor(id=user.id, is_admin=admin), role=role)


async def setting(uow: UnitOfWork, **project: Any) -> Setting:
    manager, annotator, reviewer = await make_user(uow), await make_user(uow), await make_user(uow)
    made = await make_project(uow, creator=manager, **project)
    await make_member(uow, project=made, manager=manager, user=annotator)
    await make_member(uow, project=made, manager=manager, user=reviewer, role=ProjectRole.REVIEWER)
    label = await make_label(uow, project=made, manager=manager, name="PER")
    document = await insert_document(uow, project=made, text="Grace Hopper")
    return Setting(manager, annotator, reviewer, made, label, document)


def marks(label: Label, *spans: tuple[int, int]) -> list[MarkWrite]:
    return [MarkWrite(label_id=label.id, start=start, end=end) for start, end in spans]


async def test_a_first_put_creates_and_a_second_replaces(
    uow: UnitOfWork, annotations: AnnotationService
) -> None:
    s = await setting(uow)
    access = s.access(s.annotator, ProjectRole.ANNOTATOR)

    first, created = await annotations.put(
        access=access, document=s.document, annotator_id=s.annotator.id, marks=marks(s.label, (6, 12), (0, 5))
    )
    second, created_again = await annotations.put(
        access=access,
        document=s.document,
        annotator_id=s.annotator.id,
        marks=marks(s.label, (0, 12)),
        if_match=etag_of(first.id, first.version),
    )

    assert created
    assert not created_again
    assert [(mark.start, mark.end) for mark in first.marks] == [(0, 5), (6, 12)]
    assert (second.id, second.version) == (first.id, 2)
    shown = await annotations.get(access=access, document=s.document, annotator_id=s.annotator.id)
    assert shown == second


async def test_a_stale_etag_changes_nothing(
    new_uow: NewUnitOfWork, uow: UnitOfWork, annotations: AnnotationService
) -> None:
    s = await setting(uow)
    access = s.access(s.annotator, ProjectRole.ANNOTATOR)
    first, _ = await annotations.put(
        access=access, document=s.document, annotator_id=s.annotator.id, marks=[]
    )
    stale = etag_of(first.id, first.version)
    await annotations.put(
        access=access, document=s.document, annotator_id=s.annotator.id, marks=[], if_match=stale
    )

    with pytest.raises(PreconditionFailed):
        await annotations.put(
            access=access,
            document=s.document,
            annotator_id=s.annotator.id,
            marks=marks(s.label, (0, 5)),
            if_match=stale,
        )
    # The refused write rolled back and expired what its session held: read on another.
    later_uow = await new_uow()
    later = AnnotationService(uow=later_uow)
    document = await DocumentService(uow=later_uow, cursors=CursorCodec(TEST_SECRET)).get(
        access=access, document_id=first.document_id
    )
    assert (await later.get(access=access, document=document, annotator_id=first.annotator_id)).version == 2


async def test_who_may_write_whose(uow: UnitOfWork, annotations: AnnotationService) -> None:
    s = await setting(uow)
    other = await make_user(uow)
    await make_member(uow, project=s.project, manager=s.manager, user=other)

    with pytest.raises(OwnAnnotationsOnly):
        await annotations.put(
            access=s.access(other, ProjectRole.ANNOTATOR),
            document=s.document,
            annotator_id=s.annotator.id,
            marks=[],
        )
    with pytest.raises(AnnotatorRequired):
        await annotations.put(
            access=s.access(s.reviewer, ProjectRole.REVIEWER),
            document=s.document,
            annotator_id=s.reviewer.id,
            marks=[],
        )
    with pytest.raises(AnnotatorNotFound):
        await annotations.put(
            access=s.access(s.manager, ProjectRole.MANAGER),
            document=s.document,
            annotator_id=s.reviewer.id,
            marks=[],
        )
    by_manager, _ = await annotations.put(
        access=s.access(s.manager, ProjectRole.MANAGER), document=s.document, annotator_id=other.id, marks=[]
    )
    assert by_manager.annotator_id == other.id


async def test_annotators_see_their_own_and_reviewers_everyones(
    uow: UnitOfWork, annotations: AnnotationService
) -> None:
    s = await setting(uow)
    manager = s.access(s.manager, ProjectRole.MANAGER)
    for who in (s.manager, s.annotator):
        await annotations.put(access=manager, document=s.document, annotator_id=who.id, marks=[])

    own = await annotations.listing(access=s.access(s.annotator, ProjectRole.ANNOTATOR), document=s.document)
    everyone = await annotations.listing(
        access=s.access(s.reviewer, ProjectRole.REVIEWER), document=s.document
    )

    assert [row.annotator_id for row in own] == [s.annotator.id]
    assert sorted(row.annotator_id for row in everyone) == sorted([s.manager.id, s.annotator.id])
    with pytest.raises(AnnotationNotFound):
        await annotations.get(
            access=s.access(s.annotator, ProjectRole.ANNOTATOR),
            document=s.document,
            annotator_id=s.manager.id,
        )


async def test_review_follows_the_document_through_its_states(
    new_uow: NewUnitOfWork, uow: UnitOfWork, annotations: AnnotationService
) -> None:
    s = await setting(uow)
    annotator, reviewer = (
        s.access(s.annotator, ProjectRole.ANNOTATOR),
        s.access(s.reviewer, ProjectRole.REVIEWER),
    )

    async def review() -> ReviewService:
        return ReviewService(uow=await new_uow())  # one unit of work per request, as the app has

    with pytest.raises(NothingToReview):
        await (await review()).approve(access=reviewer, document=s.document, comment=None)
    await annotations.put(access=annotator, document=s.document, annotator_id=s.annotator.id, marks=[])
    with pytest.raises(ReviewerRequired):
        await (await review()).approve(access=annotator, document=s.document, comment=None)
    rejected = await (await review()).reject(access=reviewer, document=s.document, comment="too few")
    approved = await (await review()).approve(access=reviewer, document=s.document, comment=None)
    with pytest.raises(AlreadyApproved):
        await (await review()).approve(access=reviewer, document=s.document, comment=None)
    with pytest.raises(DocumentApproved):
        await AnnotationService(uow=await new_uow()).delete(
            access=annotator, document=s.document, annotator_id=s.annotator.id
        )
    reopened = await (await review()).reopen(access=reviewer, document=s.document, comment=None)
    with pytest.raises(DocumentNotApproved):
        await (await review()).reopen(access=reviewer, document=s.document, comment=None)

    assert (rejected.status, rejected.review_comment, rejected.reviewed_by) == (
        DocumentStatus.REJECTED,
        "too few",
        s.reviewer.id,
    )
    assert approved.status == DocumentStatus.APPROVED
    assert reopened.status == DocumentStatus.ANNOTATED


async def test_deleting_the_last_annotation_leaves_the_document_unannotated(
    new_uow: NewUnitOfWork, uow: UnitOfWork, annotations: AnnotationService
) -> None:
    s = await setting(uow, collaborative=True)
    annotator = s.access(s.annotator, ProjectRole.ANNOTATOR)
    await annotations.put(access=annotator, document=s.document, annotator_id=s.annotator.id, marks=[])
    await annotations.put(access=annotator, document=s.document, annotator_id=s.manager.id, marks=[])

    await annotations.delete(access=annotator, document=s.document, annotator_id=s.manager.id)
    kept = await _status(new_uow, s.document.id)
    await annotations.delete(access=annotator, document=s.document, annotator_id=s.annotator.id)

    assert kept == DocumentStatus.ANNOTATED
    assert await _status(new_uow, s.document.id) == DocumentStatus.UNANNOTATED
    with pytest.raises(AnnotationNotFound):
        await annotations.delete(access=annotator, document=s.document, annotator_id=s.annotator.id)


async def _status(new_uow: NewUnitOfWork, document_id: int) -> str:
    uow = await new_uow()
    document = await uow.session.get(Document, document_id)
    assert document is not None
    return document.status
