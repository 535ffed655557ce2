"""Swagger UI and ReDoc from assets shipped in a Python package: no CDN, works offline."""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS_PATH = "/docs-assets"
# The pages load nothing from elsewhere: ReDoc's sidebar would fetch its maker's logo from a
# CDN (blocked here, so it is left out). Their bundles start inline and ReDoc works from blob:.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


def mount_offline_docs(app: FastAPI) -> None:
    assets = files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _local_only(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} — API",
                swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _local_only(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} — API reference",
                redoc_js_url=f"{DOCS_ASSETS_PATH}/redoc.standalone.js",
                redoc_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
                with_google_fonts=False,
            )
        )


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page
