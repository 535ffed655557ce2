"""The versions of the HTTP API, each a prefix and the installed domains' routers under it.

A domain declares its routers per version (`api=` in its `domain.py`); version `v1` is
served under `/api/v1`, its operations named by app/web/operation_ids.py. Every domain
router is included straight into the app, never through an aggregating router: FastAPI
matches a request once per level of inclusion, and two extra levels cost about 100 µs a
request (docs/decisions.md, "Flat routing").
"""

from fastapi import FastAPI

from app.domains import installed_domains
from app.web.operation_ids import versioned_operation_id

API_PREFIX = "/api"


def include_api(app: FastAPI) -> None:
    """Each domain's routes outside the API and its mounts, then the API version by version."""
    domains = installed_domains()
    for domain in domains:
        for router in domain.routes:
            app.include_router(router)
        app.routes.extend(domain.mounts)
    for version in sorted({version for domain in domains for version in domain.api}):
        for domain in domains:
            for router in domain.api.get(version, ()):
                app.include_router(
                    router,
                    prefix=f"{API_PREFIX}/{version}",
                    generate_unique_id_function=versioned_operation_id(version),
                )
