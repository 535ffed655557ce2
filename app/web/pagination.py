"""Offset pagination for admin listings: `?limit=&offset=` in, `{items, total, limit, offset}` out."""

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
    items: list[ItemT]
    total: int
    limit: int
    offset: int
