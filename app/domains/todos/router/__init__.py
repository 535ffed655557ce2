"""The todos domain's routers, per API version."""

from fastapi import APIRouter

from app.domains.todos.router import tags, todos

v1 = APIRouter()
v1.include_router(todos.v1_list)
v1.include_router(todos.items)
v1.include_router(tags.router)

v2 = APIRouter()
v2.include_router(todos.v2_list)
v2.include_router(todos.items)
