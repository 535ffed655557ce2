from fastapi import APIRouter

from app.domains.accounts.router.auth import router as auth_router
from app.domains.accounts.router.users import router as users_router

router = APIRouter()
router.include_router(auth_router)
router.include_router(users_router)
