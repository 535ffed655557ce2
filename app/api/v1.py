"""Version 1 of the API: mounts each domain's router, nothing else."""

from fastapi import APIRouter

from app.domains.accounts.router import router as accounts_router

router = APIRouter(prefix="/api/v1")
router.include_router(accounts_router)
