"""Version 1 of the API: each domain's routers, nothing else."""

from app.domains.accounts.router import routers as accounts
from app.domains.containers.router import routers as containers
from app.domains.jobs.router import router as jobs
from app.domains.todos.router import v1 as todos

PREFIX = "/api/v1"
ROUTERS = (*accounts, *containers, jobs, *todos)
