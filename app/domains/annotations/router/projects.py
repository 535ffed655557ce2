"""Projects over HTTP (v1): create one (becoming its manager), list one's projects a page at a
time, read, change and delete one."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.core.cursors import InvalidCursor
from app.domains.annotations.dependencies import (
    CurrentActor,
    ProjectServiceDep,
    Reader,
    VisibleProject,
    Writer,
)
from app.domains.annotations.errors import ProjectChanged, ProjectManagerRequired
from app.domains.annotations.schemas import (
    ProjectCreate,
    ProjectFilter,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
)
from app.infrastructure.idempotency import IdempotencyDep, StoredResponse
from app.web.etag import IfMatch, PreconditionFailed, etag_of
from app.web.responses import errors

router = APIRouter(prefix="/projects", tags=["annotations"])


@router.get("", dependencies=[Reader], responses=errors(InvalidCursor))
async def list_projects(
    actor: CurrentActor, projects: ProjectServiceDep, filters: Annotated[ProjectFilter, Query()]
) -> ProjectPage:
    """The projects you are a member of, newest first: pass `next_cursor` back as `cursor`
    until it is null. Admins see every project."""
    page, next_cursor = await projects.page(actor=actor, filters=filters)
    return ProjectPage(
        items=[ProjectRead.model_validate(project) for project in page], next_cursor=next_cursor
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRead, dependencies=[Writer])
async def create_project(
    body: ProjectCreate,
    actor: CurrentActor,
    projects: ProjectServiceDep,
    idempotency: IdempotencyDep,
    request: Request,
) -> JSONResponse:
    """Create a project; you become its manager. With `Idempotency-Key`, a retry returns the
    first result."""

    async def create() -> StoredResponse:
        project = await projects.create(creator_id=actor.id, data=body)
        return StoredResponse(
            status_code=status.HTTP_201_CREATED,
            body=ProjectRead.model_validate(project).model_dump(mode="json"),
            headers={
                "Location": f"{request.url.path}/{project.id}",
                "ETag": etag_of(project.id, project.version),
            },
        )

    return await idempotency.respond(
        principal_id=actor.id,
        scope="annotations.projects.create",
        request={"body": body.model_dump(mode="json")},
        create=create,
    )


@router.get("/{project_id}", dependencies=[Reader])
async def get_project(project: VisibleProject, response: Response) -> ProjectRead:
    response.headers["ETag"] = etag_of(project.project.id, project.project.version)
    return ProjectRead.model_validate(project.project)


@router.put(
    "/{project_id}",
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, PreconditionFailed, ProjectChanged),
)
async def update_project(
    project: VisibleProject,
    body: ProjectUpdate,
    projects: ProjectServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectRead:
    """Change the fields sent (managers). With `If-Match`, only if the project is still that version."""
    changed = await projects.update(access=project, changes=body, if_match=if_match)
    response.headers["ETag"] = etag_of(changed.id, changed.version)
    return ProjectRead.model_validate(changed)


@router.delete(
    "/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, PreconditionFailed, ProjectChanged),
)
async def delete_project(
    project: VisibleProject, projects: ProjectServiceDep, if_match: IfMatch = None
) -> None:
    """Delete a project with its labels and members (managers). With `If-Match`, only if it
    is still that version."""
    await projects.delete(access=project, if_match=if_match)
