"""A project's labels over HTTP (v1): members read the set, managers change it."""

from fastapi import APIRouter, status

from app.domains.annotations.dependencies import LabelServiceDep, ProjectLabel, Reader, VisibleProject, Writer
from app.domains.annotations.errors import (
    LabelInUse,
    LabelNameTaken,
    LabelSetFull,
    LabelShortcutTaken,
    ProjectManagerRequired,
)
from app.domains.annotations.schemas import LabelCreate, LabelRead, LabelUpdate
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/labels", tags=["annotations"])


@router.get("", dependencies=[Reader])
async def list_labels(project: VisibleProject, labels: LabelServiceDep) -> list[LabelRead]:
    """The project's whole label set, by name (a project has at most 200 labels)."""
    return [LabelRead.model_validate(label) for label in await labels.listing(access=project)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, LabelNameTaken, LabelShortcutTaken, LabelSetFull),
)
async def create_label(project: VisibleProject, body: LabelCreate, labels: LabelServiceDep) -> LabelRead:
    return LabelRead.model_validate(await labels.create(access=project, data=body))


@router.get("/{label_id}", dependencies=[Reader])
async def get_label(label: ProjectLabel) -> LabelRead:
    return LabelRead.model_validate(label)


@router.put(
    "/{label_id}",
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, LabelNameTaken, LabelShortcutTaken),
)
async def update_label(
    project: VisibleProject, label: ProjectLabel, body: LabelUpdate, labels: LabelServiceDep
) -> LabelRead:
    """Change the fields sent; `shortcut: null` removes the shortcut."""
    return LabelRead.model_validate(await labels.update(access=project, label=label, changes=body))


@router.delete(
    "/{label_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, LabelInUse),
)
async def delete_label(project: VisibleProject, label: ProjectLabel, labels: LabelServiceDep) -> None:
    await labels.delete(access=project, label=label)
