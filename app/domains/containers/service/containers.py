"""Containers as users see them: their own, within the policy; admins see every one.

Every wait on the engine (and on the per-owner create lock) runs in `uow.paused()`: the
request's database connection and slot serve other requests meanwhile, so a slow engine
cannot starve the API of database slots.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.domains.containers.errors import (
    ContainerAlreadyRunning,
    ContainerNotFound,
    ContainerNotRunning,
    ContainerRunning,
    ImageNotFound,
)
from app.domains.containers.labels import CREATED_BY, IMAGE, INSTANCE, NAME, OWNER, engine_name
from app.domains.containers.policy import ContainerPolicy, Limits
from app.domains.containers.ports import (
    Container,
    ContainerRuntime,
    ContainerSpec,
    ContainerState,
    HostAccess,
    Image,
    LogRequest,
    PublishedPort,
    StatsSnapshot,
    VolumeMount,
)
from app.domains.containers.references import ImageName
from app.domains.containers.schemas import ContainerCreate, ContainerFilter, VolumeRequest
from app.domains.containers.service.audit import Actor, AuditTrail
from app.domains.containers.service.owner_lock import OwnerLocks
from app.infrastructure.unit_of_work import UnitOfWork

ACTIVE = frozenset({ContainerState.RUNNING, ContainerState.RESTARTING, ContainerState.PAUSED})


class ContainerService:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        runtime: ContainerRuntime,
        policy: ContainerPolicy,
        audit: AuditTrail,
        locks: OwnerLocks,
        instance: str,
    ) -> None:
        self.uow = uow
        self.runtime = runtime
        self.policy = policy
        self.audit = audit
        self.locks = locks
        self.instance = instance

    async def search(self, actor: Actor, filters: ContainerFilter) -> list[Container]:
        """The actor's containers; for admins every container on the engine, Keel's or not,
        unless narrowed to one owner."""
        owner_id = filters.owner_id if actor.is_admin else actor.id
        labels = self._owned_by(owner_id) if owner_id is not None else {}
        async with self.uow.paused():
            found = await self.runtime.list_containers(labels=labels)
        matching = [container for container in found if _matches(container, filters)]
        return sorted(matching, key=lambda container: container.created_at, reverse=True)

    async def get_visible(self, actor: Actor, container_id: str) -> Container:
        """The container, if the actor may see it; others' containers do not exist for them."""
        container = await self._inspect(container_id)
        if not (actor.is_admin or self.owner_of(container) == actor.id):
            raise ContainerNotFound(container_id)
        return container

    async def create(self, actor: Actor, request: ContainerCreate) -> Container:
        async with self.audit.action(actor, "container.create", request.name) as entry:
            entry.details = {"name": request.name, "image": request.image}
            image_name = self.policy.check_image(request.image)
            self.policy.check_labels(request.labels)
            host = self.policy.host_access(request, is_admin=actor.is_admin)
            limits = self.policy.limits(request)
            ports = self.policy.ports(request)
            volumes = self.policy.volumes(request)
            async with self.uow.paused():
                image = await self._resolve(request.image, image_name)
                entry.details["image_id"] = image.id  # the image that runs, whatever names it later
                spec = self._spec(
                    actor, request, image=image, host=host, limits=limits, ports=ports, volumes=volumes
                )
                async with self.locks.creating(actor.id):
                    owned = await self._inspect_owned(actor.id)
                    self.policy.check_quota(owned, memory_bytes=limits.memory_bytes)
                    container = await self.runtime.create(spec)
            entry.target = container.id
            return container

    async def _resolve(self, reference: str, name: ImageName) -> Image:
        """What runs is what was checked: the image the engine finds for the name, asked by
        the name's full form (which the engine never reads as an id prefix), and only if it
        goes by an allowed name. The container is created from its id, so a tag moved in
        between changes nothing."""
        try:
            image = await self.runtime.inspect_image(name.canonical)
        except ImageNotFound:
            raise ImageNotFound(reference) from None
        self.policy.check_resolved(image, reference=reference)
        return image

    def _spec(
        self,
        actor: Actor,
        request: ContainerCreate,
        *,
        image: Image,
        host: HostAccess,
        limits: Limits,
        ports: tuple[PublishedPort, ...],
        volumes: tuple[VolumeRequest, ...],
    ) -> ContainerSpec:
        return ContainerSpec(
            name=engine_name(instance=self.instance, owner_id=actor.id, name=request.name),
            image=image.id,
            command=tuple(request.command) if request.command else None,
            env=request.env,
            labels={
                **request.labels,
                INSTANCE: self.instance,
                OWNER: str(actor.id),
                CREATED_BY: actor.email,
                NAME: request.name,
                IMAGE: request.image,
            },
            volumes=tuple(
                VolumeMount(
                    volume=engine_name(instance=self.instance, owner_id=actor.id, name=volume.name),
                    target=volume.target,
                    read_only=volume.read_only,
                )
                for volume in volumes
            ),
            ports=ports,
            memory_bytes=limits.memory_bytes,
            cpus=limits.cpus,
            pids_limit=limits.pids,
            network=self.policy.network,
            host=host,
        )

    async def start(self, actor: Actor, container_id: str) -> Container:
        async with self._acting_on(actor, "container.start", container_id) as container:
            if container.state is ContainerState.RUNNING:
                raise ContainerAlreadyRunning(container_id)
            await self.runtime.start(container.id)
        return await self._inspect(container.id)

    async def stop(self, actor: Actor, container_id: str, *, timeout_seconds: int) -> Container:
        action = self._acting_on(actor, "container.stop", container_id, timeout_seconds=timeout_seconds)
        async with action as container:
            if container.state not in ACTIVE:
                raise ContainerNotRunning(container_id)
            await self.runtime.stop(container.id, timeout_seconds=timeout_seconds)
        return await self._inspect(container.id)

    async def restart(self, actor: Actor, container_id: str, *, timeout_seconds: int) -> Container:
        action = self._acting_on(actor, "container.restart", container_id, timeout_seconds=timeout_seconds)
        async with action as container:
            await self.runtime.restart(container.id, timeout_seconds=timeout_seconds)
        return await self._inspect(container.id)

    async def remove(self, actor: Actor, container_id: str, *, force: bool) -> None:
        async with self._acting_on(actor, "container.remove", container_id, force=force) as container:
            if container.state in ACTIVE and not force:
                raise ContainerRunning(container_id)
            await self.runtime.remove(container.id, force=force)

    async def logs(self, container: Container, request: LogRequest) -> list[str]:
        async with self.uow.paused():
            return await self.runtime.logs(container.id, request)

    def follow_logs(self, container: Container, request: LogRequest) -> AsyncIterator[str]:
        return self.runtime.follow_logs(container.id, request)

    async def stats(self, container: Container) -> StatsSnapshot:
        async with self.uow.paused():
            return await self.runtime.stats(container.id)

    def owner_of(self, container: Container) -> int | None:
        """The owning user, for containers this Keel created; None for any other."""
        if container.labels.get(INSTANCE) != self.instance:
            return None
        owner = container.labels.get(OWNER, "")
        return int(owner) if owner.isdigit() else None

    def _owned_by(self, owner_id: int) -> dict[str, str]:
        return {INSTANCE: self.instance, OWNER: str(owner_id)}

    @asynccontextmanager
    async def _acting_on(
        self, actor: Actor, action: str, container_id: str, **details: object
    ) -> AsyncIterator[Container]:
        """The container the action is for, if visible, under an audit record of the action
        keyed by its full id (the caller may have used a short one)."""
        async with self.audit.action(actor, action, container_id) as entry, self.uow.paused():
            entry.details = dict(details)
            container = await self.get_visible(actor, container_id)
            entry.target = container.id
            yield container

    async def _inspect(self, container_id: str) -> Container:
        async with self.uow.paused():
            return await self.runtime.inspect(container_id)

    async def _inspect_owned(self, owner_id: int) -> list[Container]:
        """The owner's containers with their limits (the listing carries none); one removed
        in between is simply no longer counted."""
        owned = await self.runtime.list_containers(labels=self._owned_by(owner_id))
        found = await asyncio.gather(*(self._inspect_or_none(container.id) for container in owned))
        return [container for container in found if container is not None]

    async def _inspect_or_none(self, container_id: str) -> Container | None:
        try:
            return await self.runtime.inspect(container_id)
        except ContainerNotFound:
            return None


def _matches(container: Container, filters: ContainerFilter) -> bool:
    if filters.status is not None and container.state is not filters.status:
        return False
    if filters.name is not None and filters.name not in display_name(container):
        return False
    if filters.label is not None:
        key, has_value, value = filters.label.partition("=")
        if key not in container.labels or (has_value and container.labels[key] != value):
            return False
    return True


def display_name(container: Container) -> str:
    """The name its owner chose; the engine's name for containers made outside Keel."""
    return container.labels.get(NAME) or container.name


def display_image(container: Container) -> str:
    """The image as its owner named it; the engine's reference for containers made outside Keel."""
    return container.labels.get(IMAGE) or container.image
