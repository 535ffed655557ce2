"""The versions of the HTTP API, each a prefix and the domains' routers under it.

Every domain router is included straight into the app under its version's prefix, never
through an aggregating router: FastAPI matches a request once per level of inclusion, and
two extra levels cost about 100 µs a request (docs/decisions.md, "Flat routing").
"""

from fastapi import FastAPI

from app.api import v1, v2


def include_api(app: FastAPI) -> None:
    for version in (v1, v2):
        for router in version.ROUTERS:
            app.include_router(router, prefix=version.PREFIX)
