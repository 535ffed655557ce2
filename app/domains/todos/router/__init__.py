"""The todos domain's routers, per API version."""

from app.domains.todos.router import tags, todos

v1 = (todos.v1_list, todos.items, tags.router)
v2 = (todos.v2_list, todos.items)
