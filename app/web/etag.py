"""Strong ETags from a version number, and `If-Match` preconditions (RFC 9110)."""

from typing import Annotated

from fastapi import Header

from app.core.errors import AppError


class PreconditionFailed(AppError):
    """`If-Match` names a version that is no longer current; `details.current_etag`."""

    status_code = 412
    error_code = "precondition_failed"


def etag_of(entity_id: int, version: int) -> str:
    return f'"{entity_id}-{version}"'


def check_if_match(if_match: str | None, *, entity_id: int, version: int) -> None:
    """`If-Match` absent or `*` passes; otherwise one of its tags must be the current one."""
    if if_match is None or if_match.strip() == "*":
        return
    current = etag_of(entity_id, version)
    # Strong comparison: a weak tag (W/"...") never matches.
    if current not in (tag.strip() for tag in if_match.split(",")):
        raise PreconditionFailed(details={"current_etag": current})


IfMatch = Annotated[
    str | None,
    Header(max_length=1024, description="ETag from an earlier read; 412 if the resource changed since."),
]


def check_if_none_match(if_none_match: str | None, *, current: str | None) -> None:
    """`If-None-Match` on a write: `*` fails if the resource exists, a list of tags if one of
    them is the current one (a create that must not overwrite: `If-None-Match: *`)."""
    if if_none_match is None or current is None:
        return
    tags = [tag.strip() for tag in if_none_match.split(",")]
    if "*" in tags or current in tags:
        raise PreconditionFailed(details={"current_etag": current})


IfNoneMatch = Annotated[
    str | None,
    Header(max_length=1024, description="`*`: only if the resource does not exist yet (412 otherwise)."),
]
