"""Version 2 of the API: where a resource changed shape (today: the todos listing)."""

from app.domains.todos.router import v2 as todos

PREFIX = "/api/v2"
ROUTERS = todos
