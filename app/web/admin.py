"""What every domain's admin views share: ids read safely, domain errors as readable sentences.

The panel itself (app/admin) collects each installed domain's `admin.py` views.
"""

from datetime import UTC, datetime
from typing import Any, ClassVar

from markupsafe import Markup
from sqladmin import ModelView
from sqladmin.formatters import BASE_FORMATTERS
from sqlalchemy import Select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.core.errors import AppError
from app.core.i18n import negotiate_locale, translate
from app.web.ids import MAX_ID

PANEL_SESSION_KEY = "keel_session_id"  # the panel's login: the id of the admin's Keel session


def row_id(pk: str) -> int:
    """The id a panel URL names. Every table's key is an integer id, and anything else names no
    row: 404, before sqladmin's conversion (a ValueError) or the driver (an overflow) fails as a 500."""
    if not (pk.isascii() and pk.isdigit() and len(pk) <= len(str(MAX_ID))) or not 1 <= int(pk) <= MAX_ID:
        raise HTTPException(status_code=404)
    return int(pk)


def in_utc(moment: datetime) -> datetime:
    """Keel stores UTC; SQLite hands it back without a zone."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def short_moment(moment: datetime) -> Markup:
    """A list cell's time to the minute, so that a table of timestamps fits a laptop's screen;
    the exact moment on hover and on the details page."""
    utc = in_utc(moment)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc.isoformat(), utc.isoformat(sep=" "), utc.strftime("%Y-%m-%d %H:%M")
    )


def full_moment(moment: datetime) -> str:
    return in_utc(moment).isoformat(sep=" ", timespec="seconds")


class KeelView(ModelView):
    column_type_formatters: ClassVar[dict[Any, Any]] = {**BASE_FORMATTERS, datetime: short_moment}
    column_type_formatters_detail: ClassVar[dict[Any, Any]] = {**BASE_FORMATTERS, datetime: full_moment}
    # How many of the latest rows the panel's front page shows (0: only the count).
    recent_on_dashboard: ClassVar[int] = 0

    def details_query(self, request: Request) -> Select[Any]:
        row_id(request.path_params["pk"])
        return super().details_query(request)

    def form_edit_query(self, request: Request) -> Select[Any]:
        row_id(request.path_params["pk"])
        return super().form_edit_query(request)


class ReadOnlyView(KeelView):
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    page_size = 50


def readable(request: Request, error: AppError) -> str:
    """A domain error as the sentence the API would answer, for the panel's error banner."""
    locale = negotiate_locale(request.headers.get("accept-language"))
    return translate(error.message_key, locale, **error.params)
