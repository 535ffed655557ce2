"""The jobs domain: background jobs users submit and follow, run by `keel worker` or in process."""

from app.domains.jobs.router import router
from app.domains.jobs.tasks import MAINTENANCE, purge_old_rows, startup
from app.infrastructure.domain import Domain

DOMAIN = Domain(
    name="jobs",
    api={"v1": (router,)},
    permissions={"jobs:read": "viewer", "jobs:write": "member", "jobs:admin": "admin"},
    jobs=(MAINTENANCE,),
    maintenance=(purge_old_rows,),
    startup=startup,
)
