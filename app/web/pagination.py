"""Offset pagination for admin listings: `?limit=&offset=` in, `{items, total, limit, offset}` out."""

from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

MAX_PAGE_SIZE = 100
ItemT = TypeVar("ItemT")


class OffsetPage(BaseModel):
    limit: int
    offset: int


async def offset_page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> OffsetPage:
    return OffsetPage(limit=limit, offset=offset)


PageParams = Annotated[OffsetPage, Depends(offset_page)]


class Page(BaseModel, Generic[ItemT]):
    """A listing's page. Subclass it per item type (`class UserPage(Page[UserRead])`): the
    subclass gives the schema its name in OpenAPI, where `Page[UserRead]` is `Page_UserRead_`."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int


class SortOrder(StrEnum):
    """The direction of a listing's sort."""

    ASC = "asc"
    DESC = "desc"
