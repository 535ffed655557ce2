"""Probes for orchestrators and load balancers; outside the versioned API on purpose."""

from fastapi import APIRouter, Request

from app.domains.health.errors import NotReady
from app.domains.health.schemas import Liveness, Readiness
from app.domains.health.service import check_readiness
from app.infrastructure.runtime import runtime_of
from app.web.responses import errors

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> Liveness:
    """The process is up and its event loop answers."""
    return Liveness()


@router.get("/ready", responses=errors(NotReady))
async def ready(request: Request) -> Readiness:
    """Every dependency answers: database (and cache, broker, Docker where configured)."""
    return await check_readiness(runtime_of(request).readiness_probes)
