"""Projects use cases: made by a member who becomes their first manager, listed to their
members (every project to admins), changed and deleted by their managers."""

from app.core.cursors import CursorCodec
from app.core.errors import ConcurrentChange
from app.domains.annotations.errors import ProjectChanged
from app.domains.annotations.models import Member, Project, ProjectRole
from app.domains.annotations.repository import MemberRepository, ProjectRepository
from app.domains.annotations.schemas import ProjectCreate, ProjectFilter, ProjectUpdate
from app.domains.annotations.service.access import Actor, ProjectAccess
from app.infrastructure.idempotency import fingerprint
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.etag import check_if_match


class ProjectService:
    def __init__(self, *, uow: UnitOfWork, cursors: CursorCodec) -> None:
        self.uow = uow
        self.cursors = cursors
        self.projects = ProjectRepository(uow.session)
        self.members = MemberRepository(uow.session)

    async def page(self, *, actor: Actor, filters: ProjectFilter) -> tuple[list[Project], str | None]:
        """One page, newest first, and the cursor of the next (None on the last). Members see
        the projects they belong to; admins every project, or one member's."""
        member_id = filters.member_id if actor.is_admin else actor.id
        query = fingerprint({"member": member_id})  # a cursor is bound to whose projects it walks
        before_id = None
        if filters.cursor is not None:
            before_id = int(self.cursors.decode(filters.cursor, query=query)["id"])
        found = await self.projects.page(member_id=member_id, before_id=before_id, limit=filters.limit + 1)
        page, more = found[: filters.limit], len(found) > filters.limit
        return page, self.cursors.encode({"query": query, "id": page[-1].id}) if more else None

    async def create(self, *, creator_id: int, data: ProjectCreate) -> Project:
        """The project and its creator's membership as its first manager, in one transaction."""
        async with self.uow:
            project = await self.projects.add(Project(created_by=creator_id, **data.model_dump()))
            await self.members.add(
                Member(project_id=project.id, user_id=creator_id, role=ProjectRole.MANAGER.value)
            )
            return project

    async def update(self, *, access: ProjectAccess, changes: ProjectUpdate, if_match: str | None) -> Project:
        """Partial update by a manager. The version read is the version written over: a
        concurrent change in between is a conflict, never a silent overwrite."""
        access.ensure_manager()
        project = access.project
        project_id = project.id  # a failed write rolls back and expires `project`
        check_if_match(if_match, entity_id=project_id, version=project.version)
        try:
            async with self.uow:
                return await self.projects.update(project, **changes.model_dump(exclude_unset=True))
        except ConcurrentChange as exc:
            raise ProjectChanged(project_id) from exc

    async def delete(self, *, access: ProjectAccess, if_match: str | None) -> None:
        """Deletes the project with its labels and memberships (the foreign keys cascade)."""
        access.ensure_manager()
        project = access.project
        project_id = project.id
        check_if_match(if_match, entity_id=project_id, version=project.version)
        try:
            async with self.uow:
                await self.projects.delete(project)
        except ConcurrentChange as exc:
            raise ProjectChanged(project_id) from exc
