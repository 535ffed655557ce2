"""The accounts domain's routers: authentication and users."""

from app.domains.accounts.router.auth import router as auth_router
from app.domains.accounts.router.users import router as users_router

routers = (auth_router, users_router)
