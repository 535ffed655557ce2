"""The containers domain's routers: containers, images and the audit trail."""

from fastapi import APIRouter

from app.domains.containers.router import audit, containers, images

router = APIRouter()
router.include_router(containers.router)
router.include_router(images.router)
router.include_router(audit.router)
