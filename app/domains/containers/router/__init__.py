"""The containers domain's routers: containers, images and the audit trail."""

from app.domains.containers.router import audit, containers, images

routers = (containers.router, images.router, audit.router)
