"""Who acts on a project, and what their membership lets them do.

A Keel role says whether one may use annotation projects at all (`annotations:read`,
`annotations:write`); a project role says what one may do in a given project. Keel admins
(`annotations:admin`) see and manage every project without being a member of it.
"""

from dataclasses import dataclass, field

from app.domains.annotations.errors import ProjectManagerRequired, ProjectNotFound
from app.domains.annotations.models import Project, ProjectRole
from app.domains.annotations.repository import ProjectRepository
from app.infrastructure.unit_of_work import UnitOfWork

ADMIN_PERMISSION = "annotations:admin"


@dataclass(frozen=True, slots=True)
class Actor:
    id: int
    is_admin: bool


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    """A project as one actor sees it: `role` is None for an admin who is not a member."""

    project: Project
    actor: Actor
    role: ProjectRole | None
    # Read once: a failed write rolls back and expires `project`, whose id would need a query.
    project_id: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "project_id", self.project.id)

    @property
    def may_manage(self) -> bool:
        return self.actor.is_admin or self.role is ProjectRole.MANAGER

    def ensure_manager(self) -> None:
        if not self.may_manage:
            raise ProjectManagerRequired(self.project_id)


class AccessService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.uow = uow
        self.projects = ProjectRepository(uow.session)

    async def visible(self, *, project_id: int, actor: Actor) -> ProjectAccess:
        """The project, if the actor is a member or an admin; to anyone else it does not exist."""
        found = await self.projects.with_role_of(project_id, actor.id)
        if found is None:
            raise ProjectNotFound(project_id)
        project, role = found
        if role is None and not actor.is_admin:
            raise ProjectNotFound(project_id)
        return ProjectAccess(project=project, actor=actor, role=ProjectRole(role) if role else None)
