"""A project's documents and annotations as JSON lines (the format import reads), streamed.

The export never holds the project: it reads a batch of documents by id, then their marks
in one range query, writes their lines, and only then reads the next batch. Each batch waits
for a database slot and gives it back before its lines are sent, so a slow client holds no
connection (the request's own unit of work is closed once the response has started).
Each batch reads what is committed when it runs: a document added meanwhile is exported if its
id comes after the batch being read, one deleted meanwhile is not if it had not been written.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from app.domains.accounts.errors import UserNotFound
from app.domains.accounts.service.users import UserService
from app.domains.annotations.errors import ExportOfOwnAnnotationsOnly
from app.domains.annotations.models import DocumentStatus, ProjectKind, ProjectRole
from app.domains.annotations.repository import ExportDocument, ReportMark, ReportRepository
from app.domains.annotations.schemas import ExportFilter
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.unit_of_work import UnitOfWork

# Documents per batch: about a megabyte of lines at a kilobyte each (docs/decisions.md).
EXPORT_BATCH = 1_000
MEDIA_TYPE = "application/x-ndjson"

Reads = Callable[[], AbstractAsyncContextManager[UnitOfWork]]
Label = str | list[int | str]  # "Name" (classification) or [start, end, "Name"] (spans)
Batch = tuple[list[ExportDocument], list[ReportMark]]
# One encoder for every line: `json.dumps` with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """What one export writes, settled before its first line, while errors can still be answered."""

    project_id: int
    spans: bool
    annotator_id: int | None  # one annotator's labels, and no `annotations` key
    approved_only: bool
    label_names: dict[int, str]  # read once; refreshed if a label is added during the export
    emails: dict[int, str]  # the annotators who had annotated when the export began

    @property
    def filename(self) -> str:
        parts = [f"project-{self.project_id}"]
        if self.approved_only:
            parts.append("approved")
        if self.annotator_id is not None:
            parts.append(f"annotator-{self.annotator_id}")
        return "-".join(parts) + ".jsonl"


class ExportService:
    def __init__(self, *, uow: UnitOfWork, users: UserService, reads: Reads) -> None:
        self.reports = ReportRepository(uow.session)
        self.users = users
        self.reads = reads  # a unit of work per batch, for the stream's lifetime

    async def plan(self, *, access: ProjectAccess, filters: ExportFilter) -> ExportPlan:
        """Who may export what: managers, reviewers and admins everything; annotators of a
        project that is not collaborative only their own annotations (`annotator_id=me`)."""
        annotator_id = access.actor.id if filters.annotator_id == "me" else filters.annotator_id
        project = access.project
        if (
            access.role is ProjectRole.ANNOTATOR
            and not access.actor.is_admin
            and not project.collaborative
            and annotator_id != access.actor.id
        ):
            raise ExportOfOwnAnnotationsOnly(access.project_id)
        emails: dict[int, str] = {}
        if annotator_id is None:
            for user_id in await self.reports.annotator_ids(access.project_id):
                try:
                    emails[user_id] = (await self.users.get(user_id)).email
                except UserNotFound:
                    continue  # deleted since: their annotations went with them
        return ExportPlan(
            project_id=access.project_id,
            spans=project.kind == ProjectKind.SPANS.value,
            annotator_id=annotator_id,
            approved_only=filters.approved,
            label_names=await self.reports.label_names(access.project_id),
            emails=emails,
        )

    async def lines(self, plan: ExportPlan) -> AsyncIterator[bytes]:
        """The export's lines, a batch of documents per chunk. The next batch is read while
        this one is encoded and sent: the database and the encoding overlap."""
        reading: asyncio.Future[Batch] | None = asyncio.ensure_future(self._batch(plan, after_id=0))
        try:
            while reading is not None:
                documents, marks = await reading
                reading = None
                if not documents:
                    return
                if len(documents) == EXPORT_BATCH:
                    reading = asyncio.ensure_future(self._batch(plan, after_id=documents[-1].id))
                yield _encode(plan, documents, marks)
        finally:
            if reading is not None:  # the client left: stop the read, give its connection back
                reading.cancel()
                await asyncio.gather(reading, return_exceptions=True)

    async def _batch(self, plan: ExportPlan, *, after_id: int) -> Batch:
        """Up to EXPORT_BATCH documents after `after_id` and their marks, on a connection taken
        for these two queries only."""
        status = DocumentStatus.APPROVED.value if plan.approved_only else None
        async with self.reads() as uow:
            reports = ReportRepository(uow.session)
            documents = await reports.document_batch(
                project_id=plan.project_id, after_id=after_id, limit=EXPORT_BATCH, status=status
            )
            if not documents:
                return documents, []
            marks = await reports.marks_between(
                project_id=plan.project_id,
                first_id=documents[0].id,
                last_id=documents[-1].id,
                annotator_id=plan.annotator_id,
            )
            if any(mark.label_id not in plan.label_names for mark in marks if mark.label_id is not None):
                plan.label_names.update(await reports.label_names(plan.project_id))
        return documents, marks


def _encode(plan: ExportPlan, documents: list[ExportDocument], marks: list[ReportMark]) -> bytes:
    labels_of: dict[int, dict[int, list[Label]]] = {}  # document -> annotator -> labels
    for mark in marks:
        annotators = labels_of.setdefault(mark.document_id, {})
        labels = annotators.setdefault(mark.annotator_id, [])
        if mark.label_id is not None:
            labels.append(_label(plan, mark))
    return "".join(_line(plan, document, labels_of.get(document.id, {})) for document in documents).encode()


def _label(plan: ExportPlan, mark: ReportMark) -> Label:
    name = plan.label_names[mark.label_id] if mark.label_id is not None else ""
    if plan.spans and mark.start is not None and mark.end is not None:
        return [mark.start, mark.end, name]
    return name


def _line(plan: ExportPlan, document: ExportDocument, labels_of: dict[int, list[Label]]) -> str:
    line: dict[str, Any] = {**document.meta, "id": document.id, "text": document.text}
    if plan.annotator_id is not None:
        line["labels"] = labels_of.get(plan.annotator_id, [])
    else:
        known = {annotator: labels for annotator, labels in labels_of.items() if annotator in plan.emails}
        line["labels"] = _union(known.values())
        line["annotations"] = [
            {"annotator": plan.emails[annotator], "labels": labels} for annotator, labels in known.items()
        ]
    line["status"] = document.status
    return _JSON.encode(line) + "\n"


def _union(label_lists: Iterable[list[Label]]) -> list[Label]:
    """Every annotator's labels once: spans by position, categories by name."""
    unique = {_sort_key(label): label for labels in label_lists for label in labels}
    return [unique[key] for key in sorted(unique)]


def _sort_key(label: Label) -> tuple[int | str, ...]:
    return (0, label) if isinstance(label, str) else (1, *label)
