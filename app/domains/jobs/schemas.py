from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import JsonObject
from app.domains.jobs.status import JobStatus
from app.web.ids import EntityId
from app.web.pagination import Page


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=64, examples=["maintenance"])


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    owner_id: int | None
    status: JobStatus
    progress: int = Field(ge=0, le=100)
    message: str | None
    result: JsonObject | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(Page[JobRead]):
    pass


class JobFilter(BaseModel):
    """The listing's filters, read from the query string."""

    status: JobStatus | None = None
    kind: str | None = Field(default=None, max_length=64)
    owner_id: EntityId | None = Field(default=None, description="Admins only; others always see their own.")
