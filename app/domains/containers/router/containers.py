"""Containers over HTTP: your own, within the policy; admins see and act on every one."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.core.errors import CacheUnavailable
from app.domains.containers.dependencies import (
    ContainerIdPath,
    ContainerServiceDep,
    CurrentActor,
    Manager,
    Reader,
    VisibleContainer,
)
from app.domains.containers.errors import (
    BindMountsNotAllowed,
    CapabilitiesNotAllowed,
    ContainerAlreadyRunning,
    ContainerCreateBusy,
    ContainerNameTaken,
    ContainerNotFound,
    ContainerNotRunning,
    ContainerQuotaExceeded,
    ContainerRunning,
    DevicesNotAllowed,
    HostNamespaceNotAllowed,
    ImageNotAllowed,
    ImageNotFound,
    LimitExceeded,
    MemoryQuotaExceeded,
    PrivilegedNotAllowed,
    PublicPortNotAllowed,
    ReservedLabel,
    RuntimeConflict,
    RuntimeRejected,
    SecurityOptionsNotAllowed,
    VolumeTargetNotAbsolute,
    VolumeTargetReserved,
)
from app.domains.containers.ports import LogRequest
from app.domains.containers.router.presenters import details, stats, summary
from app.domains.containers.schemas import (
    ContainerCreate,
    ContainerFilter,
    ContainerLogs,
    ContainerRead,
    ContainerStats,
    ContainerSummary,
)
from app.infrastructure.runtime import runtime_of
from app.web.moments import Moment
from app.web.responses import errors
from app.web.sse import EventStreamResponse, event_stream

router = APIRouter(prefix="/containers", tags=["containers"])

POLICY_ERRORS = (
    ImageNotAllowed,
    PrivilegedNotAllowed,
    CapabilitiesNotAllowed,
    DevicesNotAllowed,
    HostNamespaceNotAllowed,
    BindMountsNotAllowed,
    SecurityOptionsNotAllowed,
    PublicPortNotAllowed,
    LimitExceeded,
    ContainerQuotaExceeded,
    MemoryQuotaExceeded,
    ReservedLabel,
    VolumeTargetReserved,
    VolumeTargetNotAbsolute,
)
StopTimeout = Annotated[int, Query(ge=0, le=300, description="Seconds before the process is killed.")]


@router.get("", dependencies=[Reader])
async def list_containers(
    actor: CurrentActor, containers: ContainerServiceDep, filters: Annotated[ContainerFilter, Query()]
) -> list[ContainerSummary]:
    """Your containers, newest first. Admins see every container on the engine (those made
    outside Keel have no owner) and may narrow to one owner."""
    return [summary(container, containers) for container in await containers.search(actor, filters)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Manager],
    # The owner's quota lock is held in the cache.
    responses=errors(
        *POLICY_ERRORS,
        ContainerNameTaken,
        ContainerCreateBusy,
        ImageNotFound,
        RuntimeRejected,
        CacheUnavailable,
    ),
)
async def create_container(
    body: ContainerCreate, actor: CurrentActor, containers: ContainerServiceDep, response: Response
) -> ContainerRead:
    """Create (not start) a container within the policy. The image must be pulled first."""
    container = await containers.create(actor, body)
    response.headers["Location"] = f"/api/v1/containers/{container.id}"
    return details(container, containers)


@router.get("/{container_id}", dependencies=[Reader])
async def get_container(container: VisibleContainer, containers: ContainerServiceDep) -> ContainerRead:
    return details(container, containers)


@router.post(
    "/{container_id}/start",
    dependencies=[Manager],
    responses=errors(ContainerNotFound, ContainerAlreadyRunning, RuntimeConflict, RuntimeRejected),
)
async def start_container(
    container_id: ContainerIdPath, actor: CurrentActor, containers: ContainerServiceDep
) -> ContainerRead:
    return details(await containers.start(actor, container_id), containers)


@router.post(
    "/{container_id}/stop",
    dependencies=[Manager],
    responses=errors(ContainerNotFound, ContainerNotRunning, RuntimeConflict),
)
async def stop_container(
    container_id: ContainerIdPath,
    actor: CurrentActor,
    containers: ContainerServiceDep,
    timeout_seconds: StopTimeout = 10,
) -> ContainerRead:
    """SIGTERM, then SIGKILL after `timeout_seconds`."""
    return details(await containers.stop(actor, container_id, timeout_seconds=timeout_seconds), containers)


@router.post(
    "/{container_id}/restart",
    dependencies=[Manager],
    responses=errors(ContainerNotFound, RuntimeConflict, RuntimeRejected),
)
async def restart_container(
    container_id: ContainerIdPath,
    actor: CurrentActor,
    containers: ContainerServiceDep,
    timeout_seconds: StopTimeout = 10,
) -> ContainerRead:
    return details(await containers.restart(actor, container_id, timeout_seconds=timeout_seconds), containers)


@router.delete(
    "/{container_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Manager],
    responses=errors(ContainerNotFound, ContainerRunning, RuntimeConflict),
)
async def remove_container(
    container_id: ContainerIdPath,
    actor: CurrentActor,
    containers: ContainerServiceDep,
    force: Annotated[bool, Query(description="Kill it first if it is running.")] = False,
) -> None:
    await containers.remove(actor, container_id, force=force)


async def wanted_logs(
    tail: Annotated[int | None, Query(ge=0, le=100_000, description="Last lines only; none: all.")] = 100,
    since: Annotated[Moment | None, Query(description="Only lines written after this moment.")] = None,
    timestamps: bool = False,
) -> LogRequest:
    return LogRequest(tail=tail, since=since, timestamps=timestamps)


WantedLogs = Annotated[LogRequest, Depends(wanted_logs)]


@router.get("/{container_id}/logs", dependencies=[Reader])
async def container_logs(
    container: VisibleContainer, containers: ContainerServiceDep, wanted: WantedLogs
) -> ContainerLogs:
    """The lines written so far. To follow new ones as they come, `GET .../logs/stream`."""
    return ContainerLogs(lines=await containers.logs(container, wanted))


# An operation of its own, so that a generated client never reads a live stream as JSON.
@router.get(
    "/{container_id}/logs/stream",
    dependencies=[Reader],
    response_class=EventStreamResponse,
    responses={200: {"content": {EventStreamResponse.media_type: {"schema": {"type": "string"}}}}},
)
async def follow_container_logs(
    container: VisibleContainer, containers: ContainerServiceDep, wanted: WantedLogs, request: Request
) -> EventStreamResponse:
    """Server-Sent Events: the lines `tail` and `since` select, then one `data:` per new line until
    the container stops or the client leaves; `event: error` if the engine fails meanwhile."""
    keepalive = runtime_of(request).settings.containers_log_keepalive_seconds
    return event_stream(containers.follow_logs(container, wanted), keepalive_seconds=keepalive)


@router.get("/{container_id}/stats", dependencies=[Reader])
async def container_stats(container: VisibleContainer, containers: ContainerServiceDep) -> ContainerStats:
    """One snapshot: CPU over the last second, memory in use (without reclaimable cache), PIDs."""
    return stats(await containers.stats(container))
