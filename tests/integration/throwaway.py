"""A test-only router and table that exercise the platform without any real domain."""

from typing import Annotated

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import String, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import ConflictError
from app.infrastructure.database import Base
from app.infrastructure.repository import Repository
from app.infrastructure.runtime import UoW
from app.web.responses import errors

SECRET_IN_EXCEPTION = "password=hunter2 SELECT * FROM users"
SECRET_IN_LOCAL = "correct-horse-in-a-local"


class Widget(Base):
    __tablename__ = "test_widgets"

    name: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(default=0)


class WidgetRepository(Repository[Widget]):
    model = Widget


class WidgetNameTaken(ConflictError):
    error_code = "widget_name_taken"
    message_key = "errors.http"  # any key with a placeholder will do for the platform tests


class WidgetCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=50)]
    size: int = 0


class WidgetRead(BaseModel):
    id: int
    name: str
    size: int


router = APIRouter(prefix="/throwaway")


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError(SECRET_IN_EXCEPTION)


@router.post("/boom-with-a-password-at-hand")
async def boom_with_a_password_at_hand() -> None:
    password = SECRET_IN_LOCAL  # a local variable of the failing frame: no log may show it
    raise RuntimeError(f"failed with a {len(password)}-character password")


@router.post("/widgets/unwritable")
async def create_unwritable_widget(uow: UoW) -> None:
    """A statement the database refuses (no size), carrying a value no log may show."""
    async with uow:
        statement = text("INSERT INTO test_widgets (name) VALUES (:name)")
        await uow.session.execute(statement, {"name": SECRET_IN_LOCAL})


@router.post("/widgets", status_code=201, responses=errors(WidgetNameTaken))
async def create_widget(body: WidgetCreate, uow: UoW) -> WidgetRead:
    async with uow:
        widgets = WidgetRepository(uow.session)
        if await widgets.exists(name=body.name):
            raise WidgetNameTaken(status_code=409)
        widget = await widgets.add(Widget(name=body.name, size=body.size))
    return WidgetRead.model_validate(widget, from_attributes=True)


@router.post("/widgets/then-fail")
async def create_widget_then_fail(body: WidgetCreate, uow: UoW) -> None:
    async with uow:
        await WidgetRepository(uow.session).add(Widget(name=body.name))
        raise RuntimeError("after the write")


@router.get("/widgets/count")
async def count_widgets(uow: UoW) -> int:
    return await WidgetRepository(uow.session).count()


def install(app: FastAPI) -> None:
    app.include_router(router)


async def create_widget_table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: Widget.__table__.create(sync, checkfirst=True))
