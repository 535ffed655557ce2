"""Annotations queries: projects by membership, a project's labels and members."""

from sqlalchemy import select, update

from app.domains.annotations.models import Label, Member, Project, ProjectRole
from app.infrastructure.repository import Repository


class ProjectRepository(Repository[Project]):
    model = Project

    async def page(self, *, member_id: int | None, before_id: int | None, limit: int) -> list[Project]:
        """Up to `limit` projects, newest first, below `before_id`; of one member's, or all."""
        query = select(Project).order_by(Project.id.desc()).limit(limit)
        if member_id is not None:
            query = query.where(Project.id.in_(select(Member.project_id).where(Member.user_id == member_id)))
        if before_id is not None:
            query = query.where(Project.id < before_id)
        return list(await self.session.scalars(query))

    async def lock(self, project_id: int) -> None:
        """Makes this transaction the project's only writer until it ends, on both databases:
        a row lock on PostgreSQL, the database's write lock on SQLite, where `FOR UPDATE` does
        nothing and the reads before a transaction's first write see no snapshot. It writes
        the row's own values back, so the version and `updated_at` stay as they are."""
        await self.session.execute(
            update(Project)
            .where(Project.id == project_id)
            .values(version=Project.version, updated_at=Project.updated_at)
            .execution_options(synchronize_session=False)
        )


class LabelRepository(Repository[Label]):
    model = Label

    async def of_project(self, project_id: int) -> list[Label]:
        query = select(Label).where(Label.project_id == project_id).order_by(Label.name, Label.id)
        return list(await self.session.scalars(query))

    async def in_project(self, project_id: int, label_id: int) -> Label | None:
        return await self.session.scalar(
            select(Label).where(Label.project_id == project_id, Label.id == label_id)
        )

    async def taken(self, project_id: int, *, other_than: int | None = None, **value: str) -> bool:
        """Whether another label of the project has this name or shortcut (`name=...`, `shortcut=...`)."""
        query = select(Label.id).where(Label.project_id == project_id)
        for column, wanted in value.items():
            query = query.where(self._column(column) == wanted)
        if other_than is not None:
            query = query.where(Label.id != other_than)
        return await self.session.scalar(query.limit(1)) is not None


class MemberRepository(Repository[Member]):
    model = Member

    async def role_of(self, project_id: int, user_id: int) -> str | None:
        query = select(Member.role).where(Member.project_id == project_id, Member.user_id == user_id)
        return await self.session.scalar(query)

    async def find(self, project_id: int, user_id: int) -> Member | None:
        query = select(Member).where(Member.project_id == project_id, Member.user_id == user_id)
        return await self.session.scalar(query)

    async def page(self, *, project_id: int, after_user_id: int | None, limit: int) -> list[Member]:
        query = select(Member).where(Member.project_id == project_id).order_by(Member.user_id).limit(limit)
        if after_user_id is not None:
            query = query.where(Member.user_id > after_user_id)
        return list(await self.session.scalars(query))

    async def managers(self, project_id: int) -> list[int]:
        query = select(Member.user_id).where(
            Member.project_id == project_id, Member.role == ProjectRole.MANAGER.value
        )
        return list(await self.session.scalars(query))
