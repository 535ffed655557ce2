"""Annotations dependencies: who acts, the services, and a project, label or member loaded
and authorized, so that handlers stay a line or two."""

from typing import Annotated, Literal

from fastapi import Body, Depends, Path, Request

from app.core.errors import raises
from app.domains.accounts.dependencies import CurrentCaller, UserServiceDep, require
from app.domains.annotations.errors import (
    DocumentNotFound,
    LabelNotFound,
    MemberNotFound,
    ProjectNotFound,
)
from app.domains.annotations.models import Document, Label, Member
from app.domains.annotations.schemas import ReviewNote
from app.domains.annotations.service.access import ADMIN_PERMISSION, AccessService, Actor, ProjectAccess
from app.domains.annotations.service.agreement import AgreementService
from app.domains.annotations.service.annotations import AnnotationService
from app.domains.annotations.service.documents import DocumentService
from app.domains.annotations.service.export import ExportService
from app.domains.annotations.service.imports import ImportService
from app.domains.annotations.service.labels import LabelService
from app.domains.annotations.service.members import MemberService
from app.domains.annotations.service.progress import ProgressService
from app.domains.annotations.service.projects import ProjectService
from app.domains.annotations.service.review import ReviewService
from app.domains.jobs.dependencies import JobServiceDep
from app.infrastructure.runtime import UoW, runtime_of
from app.web.ids import EntityId, PathId


async def current_actor(caller: CurrentCaller) -> Actor:
    return Actor(id=caller.id, is_admin=caller.may(ADMIN_PERMISSION))


CurrentActor = Annotated[Actor, Depends(current_actor)]
Reader = Depends(require("annotations:read"))
Writer = Depends(require("annotations:write"))


async def access_service(uow: UoW) -> AccessService:
    return AccessService(uow=uow)


async def project_service(request: Request, uow: UoW) -> ProjectService:
    return ProjectService(uow=uow, cursors=runtime_of(request).cursors)


async def label_service(uow: UoW) -> LabelService:
    return LabelService(uow=uow)


async def member_service(request: Request, uow: UoW) -> MemberService:
    return MemberService(uow=uow, cursors=runtime_of(request).cursors)


async def document_service(request: Request, uow: UoW) -> DocumentService:
    return DocumentService(uow=uow, cursors=runtime_of(request).cursors)


async def import_service(request: Request, uow: UoW, jobs: JobServiceDep) -> ImportService:
    return ImportService(uow=uow, jobs=jobs, upload_dir=runtime_of(request).settings.annotations_upload_dir)


async def export_service(request: Request, uow: UoW, users: UserServiceDep) -> ExportService:
    # The stream outlives the request's unit of work: each batch takes a unit of work of its own.
    return ExportService(uow=uow, users=users, reads=runtime_of(request).queued_unit_of_work)


async def progress_service(uow: UoW) -> ProgressService:
    return ProgressService(uow=uow)


async def agreement_service(uow: UoW) -> AgreementService:
    return AgreementService(uow=uow)


AccessServiceDep = Annotated[AccessService, Depends(access_service)]
ProjectServiceDep = Annotated[ProjectService, Depends(project_service)]
LabelServiceDep = Annotated[LabelService, Depends(label_service)]
MemberServiceDep = Annotated[MemberService, Depends(member_service)]
DocumentServiceDep = Annotated[DocumentService, Depends(document_service)]
ImportServiceDep = Annotated[ImportService, Depends(import_service)]
ExportServiceDep = Annotated[ExportService, Depends(export_service)]
ProgressServiceDep = Annotated[ProgressService, Depends(progress_service)]
AgreementServiceDep = Annotated[AgreementService, Depends(agreement_service)]


@raises(ProjectNotFound)
async def visible_project(project_id: PathId, actor: CurrentActor, access: AccessServiceDep) -> ProjectAccess:
    """The project and the caller's role in it, if they are a member (or an admin); to
    anyone else it does not exist."""
    return await access.visible(project_id=project_id, actor=actor)


VisibleProject = Annotated[ProjectAccess, Depends(visible_project)]


@raises(LabelNotFound)
async def project_label(label_id: PathId, project: VisibleProject, labels: LabelServiceDep) -> Label:
    return await labels.get(access=project, label_id=label_id)


@raises(MemberNotFound)
async def project_member(user_id: PathId, project: VisibleProject, members: MemberServiceDep) -> Member:
    return await members.get(access=project, user_id=user_id)


ProjectLabel = Annotated[Label, Depends(project_label)]
ProjectMember = Annotated[Member, Depends(project_member)]


async def annotation_service(uow: UoW) -> AnnotationService:
    return AnnotationService(uow=uow)


async def review_service(uow: UoW) -> ReviewService:
    return ReviewService(uow=uow)


AnnotationServiceDep = Annotated[AnnotationService, Depends(annotation_service)]
ReviewServiceDep = Annotated[ReviewService, Depends(review_service)]


@raises(DocumentNotFound)
async def project_document(
    document_id: PathId, project: VisibleProject, documents: DocumentServiceDep
) -> Document:
    return await documents.get(access=project, document_id=document_id)


ProjectDocument = Annotated[Document, Depends(project_document)]


async def annotator(
    annotator_id: Annotated[
        EntityId | Literal["me"], Path(description="The annotator's user id, or `me` for your own.")
    ],
    actor: CurrentActor,
) -> int:
    return actor.id if annotator_id == "me" else annotator_id


AnnotatorId = Annotated[int, Depends(annotator)]


async def review_comment(body: Annotated[ReviewNote | None, Body()] = None) -> str | None:
    """What a reviewer says with a decision; the body is optional, as a decision needs no comment."""
    return body.comment if body else None


Comment = Annotated[str | None, Depends(review_comment)]
