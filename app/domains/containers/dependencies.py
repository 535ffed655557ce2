"""Containers dependencies: who acts, the services wired for one request, a visible container."""

from typing import Annotated

from fastapi import Depends, Path, Request

from app.core.errors import raises
from app.domains.accounts.dependencies import CurrentPrincipal, require
from app.domains.containers.errors import ContainerNotFound, DockerUnavailable, RuntimeFailed
from app.domains.containers.ports import Container
from app.domains.containers.schemas import CONTAINER_ID_PATTERN
from app.domains.containers.service.audit import ADMIN_PERMISSION, Actor, AuditTrail
from app.domains.containers.service.containers import ContainerService
from app.domains.containers.service.images import ImageService
from app.domains.containers.service.owner_lock import OwnerLocks
from app.domains.jobs.dependencies import JobServiceDep
from app.infrastructure.unit_of_work import UoW

Reader = Depends(require("containers:read"))
Manager = Depends(require("containers:manage"))
ContainerIdPath = Annotated[
    str, Path(pattern=CONTAINER_ID_PATTERN, description="Its id, or 12+ leading digits.")
]


async def current_actor(request: Request, principal: CurrentPrincipal) -> Actor:
    return Actor(
        id=principal.user.id,
        email=principal.user.email,
        is_admin=principal.may(ADMIN_PERMISSION),
        request_id=getattr(request.state, "request_id", None),
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def audit_trail(uow: UoW) -> AuditTrail:
    return AuditTrail(uow)


AuditTrailDep = Annotated[AuditTrail, Depends(audit_trail)]


# Every use of the engine may find it down, or failing.
@raises(DockerUnavailable, RuntimeFailed)
async def container_service(request: Request, uow: UoW, audit: AuditTrailDep) -> ContainerService:
    state = request.app.state
    return ContainerService(
        uow=uow,
        runtime=state.container_runtime,
        policy=state.container_policy,
        audit=audit,
        locks=OwnerLocks(state.cache, instance=state.settings.containers_instance),
        instance=state.settings.containers_instance,
    )


async def image_service(
    request: Request, uow: UoW, audit: AuditTrailDep, jobs: JobServiceDep
) -> ImageService:
    state = request.app.state
    return ImageService(
        uow=uow, runtime=state.container_runtime, policy=state.container_policy, audit=audit, jobs=jobs
    )


ContainerServiceDep = Annotated[ContainerService, Depends(container_service)]
ImageServiceDep = Annotated[ImageService, Depends(image_service)]


@raises(ContainerNotFound)
async def visible_container(
    container_id: ContainerIdPath, actor: CurrentActor, containers: ContainerServiceDep
) -> Container:
    """The container, if the caller may see it; others' containers answer 404."""
    return await containers.get_visible(actor, container_id)


VisibleContainer = Annotated[Container, Depends(visible_container)]
