"""A project's members over HTTP (v1): members read the list, managers add members, change
their roles and remove them; a project always keeps a manager."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.core.cursors import InvalidCursor
from app.domains.accounts.dependencies import UserServiceDep
from app.domains.accounts.errors import UserNotFound
from app.domains.annotations.dependencies import (
    MemberServiceDep,
    ProjectMember,
    Reader,
    VisibleProject,
    Writer,
)
from app.domains.annotations.errors import AlreadyMember, LastManager, ProjectManagerRequired
from app.domains.annotations.schemas import CursorFilter, MemberAdd, MemberChange, MemberPage, MemberRead
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/members", tags=["annotations"])


@router.get("", dependencies=[Reader], responses=errors(InvalidCursor))
async def list_members(
    project: VisibleProject, members: MemberServiceDep, filters: Annotated[CursorFilter, Query()]
) -> MemberPage:
    """The project's members by user id, a page at a time."""
    page, next_cursor = await members.page(access=project, filters=filters)
    return MemberPage(items=[MemberRead.model_validate(member) for member in page], next_cursor=next_cursor)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, UserNotFound, AlreadyMember),
)
async def add_member(
    project: VisibleProject, body: MemberAdd, members: MemberServiceDep, users: UserServiceDep
) -> MemberRead:
    """Add a user by id with a project role (managers)."""
    project.ensure_manager()  # before the user lookup, so non-managers cannot probe user ids
    await users.get(body.user_id)  # 404 user_not_found rather than a foreign-key failure
    return MemberRead.model_validate(await members.add(access=project, data=body))


@router.put(
    "/{user_id}",
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, LastManager),
)
async def change_member_role(
    project: VisibleProject, member: ProjectMember, body: MemberChange, members: MemberServiceDep
) -> MemberRead:
    return MemberRead.model_validate(await members.change_role(access=project, member=member, role=body.role))


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired, LastManager),
)
async def remove_member(project: VisibleProject, member: ProjectMember, members: MemberServiceDep) -> None:
    await members.remove(access=project, member=member)
