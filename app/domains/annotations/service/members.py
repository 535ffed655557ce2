"""A project's members and their roles: read by members, changed by managers. A project
always keeps a manager: removing or demoting the last one is a conflict (docs/decisions.md)."""

from app.core.cursors import CursorCodec
from app.domains.annotations.errors import AlreadyMember, LastManager, MemberNotFound
from app.domains.annotations.models import Member, ProjectRole
from app.domains.annotations.repository import MemberRepository, ProjectRepository
from app.domains.annotations.schemas import CursorFilter, MemberAdd
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.idempotency import fingerprint
from app.infrastructure.unit_of_work import UnitOfWork


class MemberService:
    def __init__(self, *, uow: UnitOfWork, cursors: CursorCodec) -> None:
        self.uow = uow
        self.cursors = cursors
        self.members = MemberRepository(uow.session)
        self.projects = ProjectRepository(uow.session)

    async def page(self, *, access: ProjectAccess, filters: CursorFilter) -> tuple[list[Member], str | None]:
        """One page by user id, and the cursor of the next (None on the last)."""
        project_id = access.project_id
        query = fingerprint({"project": project_id})
        after = None
        if filters.cursor is not None:
            after = int(self.cursors.decode(filters.cursor, query=query)["user_id"])
        found = await self.members.page(project_id=project_id, after_user_id=after, limit=filters.limit + 1)
        page, more = found[: filters.limit], len(found) > filters.limit
        return page, self.cursors.encode({"query": query, "user_id": page[-1].user_id}) if more else None

    async def get(self, *, access: ProjectAccess, user_id: int) -> Member:
        member = await self.members.find(access.project_id, user_id)
        if member is None:
            raise MemberNotFound(user_id)
        return member

    async def add(self, *, access: ProjectAccess, data: MemberAdd) -> Member:
        """Adds an existing user (the caller checks through the accounts service)."""
        access.ensure_manager()
        project_id = access.project_id
        async with self.uow:
            if await self.members.find(project_id, data.user_id) is not None:
                raise AlreadyMember(data.user_id)
            return await self.members.add(
                Member(project_id=project_id, user_id=data.user_id, role=data.role.value)
            )

    async def change_role(self, *, access: ProjectAccess, member: Member, role: ProjectRole) -> Member:
        access.ensure_manager()
        user_id = member.user_id  # a failed write rolls back and expires `member`
        async with self.uow:
            if role is not ProjectRole.MANAGER:
                await self._ensure_another_manager(access, user_id)
            return await self.members.update(member, role=role.value)

    async def remove(self, *, access: ProjectAccess, member: Member) -> None:
        access.ensure_manager()
        user_id = member.user_id
        async with self.uow:
            await self._ensure_another_manager(access, user_id)
            await self.members.delete(member)

    async def _ensure_another_manager(self, access: ProjectAccess, user_id: int) -> None:
        """First in the transaction, under the project's lock: two managers demoting each
        other at once must not both see the other and succeed."""
        await self.projects.lock(access.project_id)
        managers = await self.members.managers(access.project_id)
        if managers == [user_id]:
            raise LastManager(access.project_id)
