"""The annotations domain's routers (v1)."""

from app.domains.annotations.router import export, figures, labels, members, projects

v1 = (projects.router, labels.router, members.router, export.router, figures.router)
