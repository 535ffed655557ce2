"""Containers dependencies: who acts, the services wired for one request, a visible container."""

from typing import Annotated

from fastapi import Depends, Path, Request

from app.core.errors import raises
from app.domains.accounts.dependencies import CurrentCaller, CurrentUser, require
from app.domains.containers.errors import ContainerNotFound, DockerUnavailable, RuntimeFailed
from app.domains.containers.ports import Container
from app.domains.containers.runtimes import ContainerEngine
from app.domains.containers.schemas import CONTAINER_ID_PATTERN
from app.domains.containers.service.audit import ADMIN_PERMISSION, Actor, AuditTrail
from app.domains.containers.service.containers import ContainerService
from app.domains.containers.service.images import ImageService
from app.domains.containers.service.owner_lock import OwnerLocks
from app.domains.jobs.dependencies import JobServiceDep
from app.infrastructure.runtime import UoW, runtime_of

Reader = Depends(require("containers:read"))
Manager = Depends(require("containers:manage"))
ContainerIdPath = Annotated[
    str, Path(pattern=CONTAINER_ID_PATTERN, description="Its id, or 12+ leading digits.")
]


async def current_actor(request: Request, caller: CurrentCaller, user: CurrentUser) -> Actor:
    """The audit records who acted by e-mail too, as it was then: so containers read the
    caller's row (their operations wait on the engine far longer than on that read)."""
    return Actor(
        id=caller.id,
        email=user.email,
        is_admin=caller.may(ADMIN_PERMISSION),
        request_id=getattr(request.state, "request_id", None),
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def audit_trail(uow: UoW) -> AuditTrail:
    return AuditTrail(uow)


AuditTrailDep = Annotated[AuditTrail, Depends(audit_trail)]


# Every use of the engine may find it down, or failing.
@raises(DockerUnavailable, RuntimeFailed)
async def container_service(request: Request, uow: UoW, audit: AuditTrailDep) -> ContainerService:
    runtime = runtime_of(request)
    engine = runtime.part(ContainerEngine)
    return ContainerService(
        uow=uow,
        runtime=engine.runtime,
        policy=engine.policy,
        audit=audit,
        locks=OwnerLocks(runtime.cache, instance=runtime.settings.containers_instance),
        instance=runtime.settings.containers_instance,
    )


async def image_service(
    request: Request, uow: UoW, audit: AuditTrailDep, jobs: JobServiceDep
) -> ImageService:
    engine = runtime_of(request).part(ContainerEngine)
    return ImageService(uow=uow, runtime=engine.runtime, policy=engine.policy, audit=audit, jobs=jobs)


ContainerServiceDep = Annotated[ContainerService, Depends(container_service)]
ImageServiceDep = Annotated[ImageService, Depends(image_service)]


@raises(ContainerNotFound)
async def visible_container(
    container_id: ContainerIdPath, actor: CurrentActor, containers: ContainerServiceDep
) -> Container:
    """The container, if the caller may see it; others' containers answer 404."""
    return await containers.get_visible(actor, container_id)


VisibleContainer = Annotated[Container, Depends(visible_container)]
