"""The health domain: the probes orchestrators and load balancers ask, outside the API."""

from app.domains.health.router import router
from app.infrastructure.domain import Domain

DOMAIN = Domain(name="health", routes=(router,))
