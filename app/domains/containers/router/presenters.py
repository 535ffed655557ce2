"""Keel's runtime types as API responses."""

from app.domains.containers.ports import Container, StatsSnapshot
from app.domains.containers.schemas import (
    ContainerRead,
    ContainerStats,
    ContainerSummary,
    PortRead,
    VolumeRead,
)
from app.domains.containers.service.containers import ContainerService, display_image, display_name

MIB = 1024 * 1024


def summary(container: Container, containers: ContainerService) -> ContainerSummary:
    return ContainerSummary(
        id=container.id,
        name=display_name(container),
        image=display_image(container),
        state=container.state,
        owner_id=containers.owner_of(container),
        labels=dict(container.labels),
        created_at=container.created_at,
    )


def details(container: Container, containers: ContainerService) -> ContainerRead:
    return ContainerRead(
        **summary(container, containers).model_dump(),
        command=list(container.command) if container.command else None,
        memory_mb=container.memory_bytes // MIB if container.memory_bytes else None,
        cpus=container.cpus or None,
        pids_limit=container.pids_limit or None,
        ports=[PortRead.model_validate(port, from_attributes=True) for port in container.ports],
        volumes=[
            VolumeRead(name=volume.volume, target=volume.target, read_only=volume.read_only)
            for volume in container.volumes
        ],
        started_at=container.started_at,
        finished_at=container.finished_at,
        exit_code=container.exit_code,
    )


def stats(snapshot: StatsSnapshot) -> ContainerStats:
    limit = snapshot.memory_limit_bytes
    return ContainerStats(
        cpu_percent=snapshot.cpu_percent,
        memory_bytes=snapshot.memory_bytes,
        memory_limit_bytes=limit,
        memory_percent=round(snapshot.memory_bytes / limit * 100, 2) if limit else 0.0,
        pids=snapshot.pids,
        read_at=snapshot.read_at,
    )
