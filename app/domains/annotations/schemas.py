"""What crosses the wire for projects, labels and members: inputs refuse unknown fields, nulls
where a value is required, and oversized values."""

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.schemas import JsonObject
from app.domains.annotations.models import DocumentStatus, ProjectKind, ProjectRole
from app.web.ids import MAX_ID, EntityId

ProjectName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=10_000)]
LabelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
# One key an annotator presses to apply the label: a single printable, non-space character.
Shortcut = Annotated[str, StringConstraints(pattern=r"^\S$")]
DEFAULT_COLOUR = "#209cee"
MAX_PAGE_SIZE = 100
# A label set is what an annotator picks from: small, so it is listed whole.
MAX_LABELS_PER_PROJECT = 200
ItemT = TypeVar("ItemT")


class Partial(BaseModel):
    """An update: only the fields sent change; those in `not_null` may be left out, never null."""

    model_config = ConfigDict(extra="forbid")
    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self) -> "Partial":
        nulls = [name for name in self.model_fields_set & self.not_null if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} may be left out but not null")
        return self


class CursorFilter(BaseModel):
    """A listing's page, from the query string: pass `next_cursor` back as `cursor`."""

    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )


class CursorPage(BaseModel, Generic[ItemT]):
    """Subclassed per item type, which names the schema in OpenAPI."""

    items: list[ItemT]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProjectName
    description: Description = ""
    kind: ProjectKind = Field(description="Fixed once the project exists: annotations depend on it.")
    allow_overlapping_spans: bool = Field(default=False, description="Spans projects only.")
    collaborative: bool = Field(
        default=False, description="Annotators see and change each other's annotations."
    )


class ProjectUpdate(Partial):
    not_null = frozenset({"name", "description", "allow_overlapping_spans", "collaborative"})

    name: ProjectName | None = None
    description: Description | None = None
    allow_overlapping_spans: bool | None = None
    collaborative: bool | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    kind: ProjectKind
    allow_overlapping_spans: bool
    collaborative: bool
    created_by: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class ProjectFilter(CursorFilter):
    member_id: EntityId | None = Field(
        default=None, description="Admins: the projects of this member (default: every project)."
    )


class ProjectPage(CursorPage[ProjectRead]):
    pass


class LabelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LabelName
    colour: Colour = DEFAULT_COLOUR
    shortcut: Shortcut | None = None


class LabelUpdate(Partial):
    """`shortcut: null` removes the label's shortcut."""

    not_null = frozenset({"name", "colour"})

    name: LabelName | None = None
    colour: Colour | None = None
    shortcut: Shortcut | None = None


class LabelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    name: str
    colour: str
    shortcut: str | None


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: EntityId
    role: ProjectRole


class MemberChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: ProjectRole


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    project_id: int
    role: ProjectRole
    created_at: datetime


class MemberPage(CursorPage[MemberRead]):
    pass


# A document is one text an annotator reads at once: a long article fits, a book does not.
MAX_DOCUMENT_CHARS = 1_000_000
DocumentText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DOCUMENT_CHARS)]


def finite_numbers(meta: JsonObject) -> JsonObject:
    """PostgreSQL's JSON has no NaN or Infinity (Python's JSON reads them): refused here, not
    by the database as a 500. Walked without recursion: nesting must not exhaust the stack."""
    pending: list[Any] = [meta]
    while pending:
        value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("numbers must be finite: no NaN or Infinity")
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return meta


Meta = Annotated[JsonObject, AfterValidator(finite_numbers)]


class DocumentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: DocumentText
    meta: Meta = Field(default_factory=lambda: JsonObject(), description="Kept as sent.")


# An annotation is what one person marks on one document: a thousand marks is far beyond that,
# and bounds the work of checking them (sorting for overlaps) and of writing them.
MAX_MARKS_PER_ANNOTATION = 1_000
MAX_REVIEW_COMMENT = 2_000
# A span's offsets are within a text, whose length (code points) fits the database's INTEGER.
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]


class MarkWrite(BaseModel):
    """A label on a span (`start`, `end` in code points, end exclusive) in a spans project;
    on the whole document (no `start`, no `end`) in a classification project."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label_id: EntityId
    start: Offset | None = None
    end: Offset | None = None


class AnnotationWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marks: list[MarkWrite] = Field(max_length=MAX_MARKS_PER_ANNOTATION)


class MarkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    label_id: int
    start: int | None
    end: int | None


class AnnotationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: int
    annotator_id: int
    version: int
    marks: list[MarkRead] = Field(description="Spans by start, end and label; categories by label.")
    created_at: datetime
    updated_at: datetime


class ReviewNote(BaseModel):
    """What a reviewer says with their decision (optional)."""

    model_config = ConfigDict(extra="forbid")

    comment: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REVIEW_COMMENT)] | None
    ) = None


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    text: str
    meta: JsonObject
    status: DocumentStatus
    reviewed_by: int | None = Field(description="Who approved, rejected or reopened it last.")
    reviewed_at: datetime | None
    review_comment: str | None
    created_at: datetime
    updated_at: datetime


class DocumentFilter(CursorFilter):
    status: DocumentStatus | None = None
    annotator_id: EntityId | None = Field(
        default=None, description="Only the documents this member has an annotation of."
    )
    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Part of the text, in any case."
    )


class DocumentPage(CursorPage[DocumentRead]):
    pass


class ImportFormat(StrEnum):
    JSONL = "jsonl"  # one JSON object a line: text, labels, annotations, meta
    CSV = "csv"  # a header line with a `text` column; the other columns go to meta
    TEXT = "text"  # one document a line


class ExportFilter(BaseModel):
    """What an export writes: every document, or only approved ones; everyone's labels, or one
    annotator's."""

    annotator_id: EntityId | Literal["me"] | None = Field(
        default=None, description="Only this annotator's labels (`me`: yours), on every document."
    )
    approved: bool = Field(default=False, description="Only the approved documents.")


class DocumentCounts(BaseModel):
    total: int
    unannotated: int
    annotated: int
    approved: int
    rejected: int


class MemberProgress(BaseModel):
    user_id: int
    role: ProjectRole
    annotated_documents: int


class LabelUse(BaseModel):
    label_id: int
    name: str
    marks: int = Field(description="Marks with this label, by every annotator.")
    documents: int = Field(description="Documents on which at least one annotator used it.")


class ProgressRead(BaseModel):
    documents: DocumentCounts
    members: list[MemberProgress]
    labels: list[LabelUse]


class ClassificationFigures(BaseModel):
    """Null where the figure is undefined: kappa when chance agreement is 1 (docs/annotations.md)."""

    percent_agreement: float | None
    kappa: float | None


class SpanFigures(BaseModel):
    """Null where a denominator is 0 (docs/annotations.md)."""

    precision: float | None
    recall: float | None
    f1: float | None


Figures = ClassificationFigures | SpanFigures


class LabelFigures(BaseModel):
    label_id: int
    name: str
    figures: Figures


class PairAgreement(BaseModel):
    annotator_ids: tuple[int, int] = Field(description="The first is the reference for precision and recall.")
    documents: int = Field(description="Documents both annotated.")
    overall: Figures
    labels: list[LabelFigures]


class AgreementRead(BaseModel):
    kind: ProjectKind
    pairs: list[PairAgreement]
    average: Figures = Field(description="The mean over the pairs of each figure they define.")
    labels: list[LabelFigures] = Field(description="Each label's figures, averaged over the pairs.")
