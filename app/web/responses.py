"""OpenAPI declarations of error responses, so clients see every `error_code` they may get."""

from collections import defaultdict
from typing import Any

from app.core.errors import AppError, ErrorResponse

Responses = dict[int | str, dict[str, Any]]

# Any route may answer these: an unparseable body (400: not UTF-8, not decodable), a body of
# another type than the operation declares (415), validation (422), a request head over the
# limits (431) and the last-resort 500.
COMMON_ERROR_RESPONSES: Responses = {
    400: {"model": ErrorResponse, "description": "The body could not be parsed (`bad_request`)."},
    415: {
        "model": ErrorResponse,
        "description": "The body is not of the declared content type (`unsupported_media_type`).",
    },
    422: {"model": ErrorResponse, "description": "Invalid input (`validation_error`)."},
    431: {"model": ErrorResponse, "description": "Headers too large (`request_header_fields_too_large`)."},
    500: {"model": ErrorResponse, "description": "Unexpected failure (`internal_error`)."},
}


def errors(*error_types: type[AppError]) -> Responses:
    """`responses=` for a route: one entry per status, naming each error code it may carry."""
    codes: defaultdict[int, list[str]] = defaultdict(list)
    for error_type in error_types:
        codes[error_type.status_code].append(error_type.error_code)
    return {
        status: {"model": ErrorResponse, "description": ", ".join(f"`{code}`" for code in error_codes)}
        for status, error_codes in sorted(codes.items())
    }
