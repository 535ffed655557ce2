"""The annotations domain's routers (v1)."""

from app.domains.annotations.router import annotations, labels, members, projects, review

v1 = (projects.router, labels.router, members.router, annotations.router, review.router)
