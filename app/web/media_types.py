"""A body is read only as the operation declares it: JSON as JSON, a form as a form.

FastAPI leaves a `text/plain` body unparsed (a 422), but a route that reads its body by hand
may not; and browsers send `text/plain` and forms cross-site without a CORS preflight. One
app-wide dependency answers every mislabelled body with `415 unsupported_media_type` before
the endpoint runs, so no operation can be reached by a body type it did not declare. (FastAPI
has read and parsed the body by then: a mislabelled body whose parse fails gets that 422.)
"""

from fastapi import Request
from fastapi.params import Form

from app.core.errors import UnsupportedMediaType

JSON = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == JSON or (media_type.startswith("application/") and media_type.endswith("+json"))


async def require_declared_media_type(request: Request) -> None:
    """Installed on the application: every route with a body checks its Content-Type here."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None:
        return
    content_type = request.headers.get("content-type")
    if isinstance(body_field.field_info, Form):
        if content_type is not None and _media_type(content_type) not in FORM_TYPES:
            raise UnsupportedMediaType(expected=FORM_TYPES)
        return
    if content_type is None:
        if await request.body():  # a body nobody labelled: not JSON as far as anyone said
            raise UnsupportedMediaType(expected=(JSON,))
        return
    if not _is_json(_media_type(content_type)):
        raise UnsupportedMediaType(expected=(JSON,))
