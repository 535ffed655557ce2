"""Version 2 of the API: where a resource changed shape (today: the todos listing)."""

from fastapi import APIRouter

from app.domains.todos.router import v2 as todos_v2

router = APIRouter(prefix="/api/v2")
router.include_router(todos_v2)
