"""The panel's front page: how many rows each installed view holds, and the latest rows of the
views that ask for it (`recent_on_dashboard`): sign-ins, jobs, the containers audit.

Reads only, assembled from the views the installed domains declare: one query for every count,
one per recent list, and each list loads what its cells show in that query.
"""

from dataclasses import dataclass
from typing import Any

from sqladmin import ModelView
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload
from starlette.requests import Request

from app.web.admin import KeelView


@dataclass(frozen=True)
class Count:
    view: ModelView
    rows: int


@dataclass(frozen=True)
class Recent:
    view: ModelView
    columns: list[str]
    rows: list[list[Any]]  # each row: the formatted value of each column


async def counts(
    request: Request, views: list[ModelView], session_factory: async_sessionmaker[AsyncSession]
) -> list[Count]:
    if not views:
        return []
    query = select(*(view.count_query(request).scalar_subquery() for view in views))
    async with session_factory() as session:
        numbers = (await session.execute(query)).one()
    return [Count(view=view, rows=int(number or 0)) for view, number in zip(views, numbers, strict=True)]


async def recent(
    request: Request, views: list[ModelView], session_factory: async_sessionmaker[AsyncSession]
) -> list[Recent]:
    shown = [view for view in views if isinstance(view, KeelView) and view.recent_on_dashboard > 0]
    found = []
    async with session_factory() as session:
        for view in shown:
            # The list page's own query, sorted and loaded as the list page does.
            query = view.sort_query(view.list_query(request), request).limit(view.recent_on_dashboard)
            for relation in view._list_relations:
                query = query.options(selectinload(relation))
            rows = (await session.scalars(query)).unique().all()
            columns = view.get_list_columns()
            cells = [[(await view.get_list_value(row, name, request))[1] for name in columns] for row in rows]
            found.append(Recent(view=view, columns=columns, rows=cells))
    return found
