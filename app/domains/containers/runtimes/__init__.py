"""Container runtimes behind the port; `create_runtime` is the one place that picks one."""

from dataclasses import dataclass

from app.core.config import Settings
from app.domains.containers.policy import ContainerPolicy
from app.domains.containers.ports import ContainerRuntime
from app.domains.containers.runtimes.docker import DockerRuntime
from app.infrastructure.docker import create_docker_client


def create_runtime(settings: Settings) -> ContainerRuntime:
    """The engine Keel manages (Docker today), for the API process and for each pull job."""
    return DockerRuntime(
        create_docker_client(settings.docker_url, timeout_seconds=settings.docker_timeout_seconds)
    )


@dataclass(frozen=True, slots=True)
class ContainerEngine:
    """What the API process builds at start to manage containers: the runtime and the policy."""

    runtime: ContainerRuntime
    policy: ContainerPolicy
