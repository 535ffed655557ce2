"""Version 1 of the API: mounts each domain's router, nothing else."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
