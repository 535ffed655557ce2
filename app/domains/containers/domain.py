"""The containers domain: a multi-user API over a container engine (Docker today)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.domains.containers.policy import ContainerPolicy
from app.domains.containers.router import routers
from app.domains.containers.runtimes import ContainerEngine, create_runtime
from app.domains.containers.tasks import PULL_IMAGE
from app.infrastructure.domain import Domain
from app.infrastructure.runtime import Runtime


@asynccontextmanager
async def startup(runtime: Runtime) -> AsyncIterator[None]:
    if runtime.is_worker:  # a pull job opens its own connection to the engine
        yield
        return
    engine = ContainerEngine(
        runtime=create_runtime(runtime.settings), policy=ContainerPolicy.from_settings(runtime.settings)
    )
    runtime.add_part(ContainerEngine, engine)
    if runtime.settings.docker_expected:
        runtime.readiness_probes["docker"] = engine.runtime.ping
    try:
        yield
    finally:
        await engine.runtime.close()


DOMAIN = Domain(
    name="containers",
    api={"v1": routers},
    permissions={
        "containers:read": "viewer",
        "containers:manage": "member",
        "containers:admin": "admin",
        "images:manage": "admin",
        "audit:read": "admin",
    },
    jobs=(PULL_IMAGE,),
    startup=startup,
)
