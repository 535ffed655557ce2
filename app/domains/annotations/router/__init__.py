"""The annotations domain's routers (v1)."""

from app.domains.annotations.router import documents, export, figures, imports, labels, members, projects

v1 = (
    projects.router,
    labels.router,
    members.router,
    documents.router,
    imports.router,
    export.router,
    figures.router,
)
