"""The annotations domain's routers (v1)."""

from app.domains.annotations.router import (
    annotations,
    documents,
    export,
    figures,
    imports,
    labels,
    members,
    projects,
    review,
)

v1 = (
    projects.router,
    labels.router,
    members.router,
    documents.router,
    imports.router,
    annotations.router,
    review.router,
    export.router,
    figures.router,
)
