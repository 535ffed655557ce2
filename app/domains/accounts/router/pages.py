"""The pages behind the links Keel mails: a new password, an address confirmed.

Small and local (no CDN), they post the link's token to the API (`/auth/password-reset/confirm`,
`/auth/verify-email/confirm`) and say what came of it. The token is a one-use password: the
pages are never cached, send no referrer, and take the token out of the address bar.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

PAGES = Path(__file__).resolve().parents[1] / "pages"
ASSETS_PATH = "/account-pages"  # account.js and account.css, which the pages load
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}

router = APIRouter(include_in_schema=False)
assets = StaticFiles(directory=PAGES)


# Read once: they change only with the code.
RESET_PASSWORD = (PAGES / "reset-password.html").read_text(encoding="utf-8")
VERIFY_EMAIL = (PAGES / "verify-email.html").read_text(encoding="utf-8")


@router.get("/reset-password")
async def reset_password_page() -> HTMLResponse:
    return HTMLResponse(RESET_PASSWORD, headers=PAGE_HEADERS)


@router.get("/verify-email")
async def verify_email_page() -> HTMLResponse:
    return HTMLResponse(VERIFY_EMAIL, headers=PAGE_HEADERS)
