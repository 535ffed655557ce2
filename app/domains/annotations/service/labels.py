"""A project's label set: read by its members, changed by its managers. Names and shortcut
keys are unique per project; the constraints make a race past these checks a 409 too."""

from app.domains.annotations.errors import (
    LabelInUse,
    LabelNameTaken,
    LabelNotFound,
    LabelSetFull,
    LabelShortcutTaken,
)
from app.domains.annotations.models import Label
from app.domains.annotations.repository import LabelRepository, ProjectRepository
from app.domains.annotations.schemas import MAX_LABELS_PER_PROJECT, LabelCreate, LabelUpdate
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.unit_of_work import UnitOfWork


class LabelService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.uow = uow
        self.labels = LabelRepository(uow.session)
        self.projects = ProjectRepository(uow.session)

    async def listing(self, *, access: ProjectAccess) -> list[Label]:
        """The whole set, by name: it is bounded (MAX_LABELS_PER_PROJECT)."""
        return await self.labels.of_project(access.project_id)

    async def get(self, *, access: ProjectAccess, label_id: int) -> Label:
        label = await self.labels.in_project(access.project_id, label_id)
        if label is None:
            raise LabelNotFound(label_id)
        return label

    async def create(self, *, access: ProjectAccess, data: LabelCreate) -> Label:
        access.ensure_manager()
        project_id = access.project_id
        async with self.uow:
            await self.projects.lock(project_id)  # racing creates must not pass the bound together
            if await self.labels.count(project_id=project_id) >= MAX_LABELS_PER_PROJECT:
                raise LabelSetFull(MAX_LABELS_PER_PROJECT)
            await self._ensure_free(project_id, name=data.name, shortcut=data.shortcut)
            return await self.labels.add(Label(project_id=project_id, **data.model_dump()))

    async def update(self, *, access: ProjectAccess, label: Label, changes: LabelUpdate) -> Label:
        access.ensure_manager()
        values = changes.model_dump(exclude_unset=True)
        label_id = label.id
        async with self.uow:
            await self._ensure_free(
                access.project_id,
                name=values.get("name"),
                shortcut=values.get("shortcut"),
                other_than=label_id,
            )
            return await self.labels.update(label, **values)

    async def delete(self, *, access: ProjectAccess, label: Label) -> None:
        """Only a label no annotation uses (a mark written meanwhile makes the delete's foreign
        key check fail: a 409 too)."""
        access.ensure_manager()
        label_id = label.id
        async with self.uow:
            if await self.labels.in_use(label_id):
                raise LabelInUse(label_id)
            await self.labels.delete(label)

    async def _ensure_free(
        self, project_id: int, *, name: str | None, shortcut: str | None, other_than: int | None = None
    ) -> None:
        if name is not None and await self.labels.taken(project_id, name=name, other_than=other_than):
            raise LabelNameTaken(name)
        if shortcut is not None and await self.labels.taken(
            project_id, shortcut=shortcut, other_than=other_than
        ):
            raise LabelShortcutTaken(shortcut)
