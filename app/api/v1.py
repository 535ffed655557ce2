"""Version 1 of the API: mounts each domain's router, nothing else."""

from fastapi import APIRouter

from app.domains.accounts.router import router as accounts_router
from app.domains.containers.router import router as containers_router
from app.domains.jobs.router import router as jobs_router
from app.domains.todos.router import v1 as todos_v1

router = APIRouter(prefix="/api/v1")
router.include_router(accounts_router)
router.include_router(containers_router)
router.include_router(jobs_router)
router.include_router(todos_v1)
