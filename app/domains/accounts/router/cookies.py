"""The browser's side of authentication: three cookies with the flags of the design."""

import secrets

from fastapi import Response

from app.core.config import Settings
from app.domains.accounts.dependencies import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from app.domains.accounts.service.auth import IssuedTokens

REFRESH_COOKIE_PATH = "/api/v1/auth"


def set_auth_cookies(response: Response, tokens: IssuedTokens, settings: Settings) -> None:
    refresh_max_age = settings.refresh_token_ttl_days * 86_400
    response.set_cookie(
        ACCESS_COOKIE,
        tokens.access_token,
        max_age=tokens.expires_in,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=refresh_max_age,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(32),
        max_age=refresh_max_age,
        path="/",
        httponly=False,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def clear_auth_cookies(response: Response, settings: Settings) -> None:
    for name, path in ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_COOKIE_PATH), (CSRF_COOKIE, "/")):
        response.delete_cookie(name, path=path, secure=settings.cookie_secure, samesite="lax")
