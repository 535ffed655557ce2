from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.web.ids import EntityId
from app.web.moments import Moment
from app.web.pagination import SortOrder

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=10_000)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
TagIds = Annotated[list[EntityId], Field(max_length=50, description="Your tags' ids (at most 50).")]
DEFAULT_COLOUR = "#6b7280"
ModelT = TypeVar("ModelT", bound=BaseModel)


class TagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TagName
    colour: Colour = DEFAULT_COLOUR


class TagUpdate(BaseModel):
    """Partial: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: TagName | None = None
    colour: Colour | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> "TagUpdate":
        return _refuse_explicit_nulls(self)


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    colour: str
    owner_id: int


class TodoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description = ""
    completed: bool = False
    tag_ids: TagIds = []


class TodoUpdate(BaseModel):
    """Partial: only the fields sent change; `tag_ids` replaces the todo's tags."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    tag_ids: TagIds | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> "TodoUpdate":
        return _refuse_explicit_nulls(self)


class TodoRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    completed: bool
    owner_id: int
    tags: list[TagRead]
    version: int
    created_at: datetime
    updated_at: datetime


class TodoSort(StrEnum):
    """What the v2 listing sorts by (then by id)."""

    CREATED_AT = "created_at"
    TITLE = "title"


class TodoFilter(BaseModel):
    """v2 listing: filters, order and page, from the query string."""

    model_config = ConfigDict(use_enum_values=True)  # the repository and cursors use plain strings

    completed: bool | None = None
    tag: list[Annotated[str, StringConstraints(max_length=50)]] = Field(
        default=[], max_length=10, description="Tag names; repeat to require several."
    )
    q: str | None = Field(default=None, max_length=200, description="Text in the title or description.")
    created_after: Moment | None = None
    created_before: Moment | None = None
    sort: TodoSort = TodoSort.CREATED_AT
    order: SortOrder = SortOrder.DESC
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )
    owner_id: EntityId | None = Field(default=None, description="Admins: someone else's todos.")


class TodoPage(BaseModel):
    items: list[TodoRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


def _refuse_explicit_nulls(model: ModelT) -> ModelT:
    """`null` is not a value for these fields; leave a field out to keep it."""
    nulls = [name for name in model.model_fields_set if getattr(model, name) is None]
    if nulls:
        raise ValueError(f"{', '.join(nulls)} may be left out but not null")
    return model
