"""The import job (`annotations.import`): reads an uploaded file into a project's documents,
all or nothing.

One transaction over the whole file: each batch of lines is read and checked in a thread
(service/import_file.py), its annotators and labels resolved here, and written with Core
executemany. At the first bad line writing stops, but reading goes on to find the others; the
job then rolls everything back and fails with the bad lines in its result (docs/decisions.md,
"Imports are all or nothing"). Memory stays flat: a batch at a time, no ORM objects.
"""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from app.domains.accounts.service.assembly import account_services
from app.domains.annotations.models import DocumentStatus, ProjectKind
from app.domains.annotations.repository import ImportRepository, MemberRepository, ProjectRepository
from app.domains.annotations.schemas import DEFAULT_COLOUR, MAX_LABELS_PER_PROJECT, ImportFormat
from app.domains.annotations.service.import_file import BadLine, DocumentLine, LabelRules, Parsed, lines_of
from app.infrastructure.background import JobContext, JobFailed
from app.infrastructure.database import utc_now
from app.infrastructure.unit_of_work import UnitOfWork

BATCH_SIZE = 2000  # lines per thread hop and per INSERT batch
BATCH_CHARS = 8_000_000  # or fewer lines, when their texts are long
MAX_REPORTED_BAD_LINES = 100
REPORT_EVERY_SECONDS = 1.0


def upload_path(directory: Path, name: str) -> Path:
    """The upload's file; `name` comes from the job's payload, which Keel wrote."""
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"not an upload's name: {name!r}")
    return directory / name


async def run_import(context: JobContext) -> dict[str, Any]:
    """The job's handler. The uploaded file is deleted when the job ends, whatever the outcome."""
    settings = context.runtime.settings
    path = upload_path(settings.annotations_upload_dir, str(context.payload["file"]))
    if not await asyncio.to_thread(path.is_file):
        # The API wrote it to its KEEL_ANNOTATIONS_UPLOAD_DIR: this process sees another one.
        raise JobFailed(
            "the uploaded file is not in this worker's KEEL_ANNOTATIONS_UPLOAD_DIR: "
            "the API and every worker must share that directory",
            result={"upload_dir": str(settings.annotations_upload_dir)},
        )
    try:
        return await DocumentImport(context).run(path)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


class DocumentImport:
    def __init__(self, context: JobContext) -> None:
        self.context = context
        self.project_id = int(context.payload["project_id"])
        self.format = ImportFormat(context.payload["format"])
        self.importer_id = context.owner_id
        # SQLite has one writer, this job's transaction: progress would wait for its commit.
        self.reports_progress = not context.runtime.settings.is_sqlite
        self.bad_lines: list[dict[str, Any]] = []
        self.bad_line_count = 0
        self.counts = {"documents": 0, "annotations": 0, "labels_created": 0}

    async def run(self, path: Path) -> dict[str, Any]:
        async with self.context.runtime.transaction() as uow:
            projects = ProjectRepository(uow.session)
            # The project's only writer until the import ends: label creates wait for it,
            # so the label set's bound holds.
            await projects.lock(self.project_id)
            project = await projects.get_or_none(self.project_id)
            if project is None:
                raise JobFailed("the project was deleted", result={"documents": 0})
            rules = LabelRules(ProjectKind(project.kind), project.allow_overlapping_spans)
            self.rows = ImportRepository(uow.session)
            self.labels = await self.rows.held_labels(project.id)
            self.annotators = await self._annotators(uow)
            await self._read(path, rules)
            if self.bad_line_count:
                # Raised inside the transaction: it rolls back every row written so far.
                raise JobFailed(
                    f"bad lines: {self.bad_line_count}; nothing was imported",
                    result={"bad_lines": self.bad_lines, "bad_line_count": self.bad_line_count},
                )
        return self.counts

    async def _annotators(self, uow: UnitOfWork) -> dict[str, int]:
        """The project's members by e-mail (case-insensitive): annotators are named so in files."""
        users = account_services(self.context.runtime, uow).users
        found = {}
        for user_id in await MemberRepository(uow.session).user_ids(self.project_id):
            found[(await users.get(user_id)).email.casefold()] = user_id
        return found

    async def _read(self, path: Path, rules: LabelRules) -> None:
        file: IO[bytes] = await asyncio.to_thread(path.open, "rb")
        try:
            size = max(1, (await asyncio.to_thread(path.stat)).st_size)
            lines = lines_of(file, self.format, rules)
            reported_at = time.monotonic()
            while batch := await asyncio.to_thread(_next_batch, lines):
                await self._write(batch)
                if self.reports_progress and time.monotonic() - reported_at >= REPORT_EVERY_SECONDS:
                    reported_at = time.monotonic()
                    done = min(99, 100 * file.tell() // size)
                    await self.context.report(done, f"{self.counts['documents']} documents read")
        finally:
            await asyncio.to_thread(file.close)

    async def _write(self, batch: list[Parsed]) -> None:
        """The batch's documents, their annotations and marks; once a line is bad, only the
        reasons of the next bad ones are kept."""
        documents: list[dict[str, Any]] = []
        annotations: list[tuple[int, int, list[tuple[int, int | None, int | None]]]] = []
        for parsed in batch:
            reason = (
                parsed.reason
                if isinstance(parsed, BadLine)
                else await self._resolve(parsed, annotations, len(documents))
            )
            if reason is not None:
                self._bad(parsed.number, reason)
            elif not self.bad_line_count:
                assert isinstance(parsed, DocumentLine)
                status = DocumentStatus.ANNOTATED if parsed.annotations else DocumentStatus.UNANNOTATED
                documents.append({"text": parsed.text, "meta": parsed.meta, "status": status.value})
        if not self.bad_line_count:
            await self._insert(documents, annotations)

    async def _resolve(
        self,
        line: DocumentLine,
        annotations: list[tuple[int, int, list[tuple[int, int | None, int | None]]]],
        index: int,
    ) -> str | None:
        """Adds the line's annotations (by document index in the batch) to `annotations`, with
        annotators and labels as ids; or the reason it cannot."""
        resolved = []
        for email, marks in line.annotations:
            annotator_id = self.importer_id if email is None else self.annotators.get(email.casefold())
            if annotator_id is None:
                if email is None:  # the importer's account was deleted since the upload
                    return "labels without annotations need the importing user, whose account is gone"
                return f"{email} is not a member of the project"
            label_ids = []
            for name, start, end in marks:
                label_id = self.labels.get(name) or await self._new_label(name)
                if label_id is None:
                    return f"label {name!r} would make more than {MAX_LABELS_PER_PROJECT} labels"
                label_ids.append((label_id, start, end))
            resolved.append((index, annotator_id, label_ids))
        annotations.extend(resolved)
        return None

    async def _new_label(self, name: str) -> int | None:
        """A label the file names and the project lacks, made as doccano does; None past the bound."""
        if len(self.labels) >= MAX_LABELS_PER_PROJECT:
            return None
        self.labels[name] = await self.rows.add_label(
            {"project_id": self.project_id, "name": name, "colour": DEFAULT_COLOUR, **_stamps()}
        )
        self.counts["labels_created"] += 1
        return self.labels[name]

    async def _insert(
        self,
        documents: list[dict[str, Any]],
        annotations: list[tuple[int, int, list[tuple[int, int | None, int | None]]]],
    ) -> None:
        stamps = _stamps()
        document_ids = await self.rows.add_documents(
            [{"project_id": self.project_id, **document, **stamps} for document in documents]
        )
        annotation_ids = await self.rows.add_annotations(
            [
                {
                    "document_id": document_ids[index],
                    "project_id": self.project_id,
                    "annotator_id": annotator_id,
                    "version": 1,
                    **stamps,
                }
                for index, annotator_id, _ in annotations
            ]
        )
        await self.rows.add_marks(
            [
                {"annotation_id": annotation_id, "label_id": label_id, "start": start, "end": end, **stamps}
                for annotation_id, (_, _, marks) in zip(annotation_ids, annotations, strict=True)
                for label_id, start, end in marks
            ]
        )
        self.counts["documents"] += len(document_ids)
        self.counts["annotations"] += len(annotation_ids)

    def _bad(self, number: int, reason: str) -> None:
        self.bad_line_count += 1
        if len(self.bad_lines) < MAX_REPORTED_BAD_LINES:
            self.bad_lines.append({"line": number, "reason": reason})


def _next_batch(lines: Iterator[Parsed]) -> list[Parsed]:
    """Up to BATCH_SIZE lines, fewer if their texts reach BATCH_CHARS: long documents must not
    make a batch hold most of a file."""
    batch: list[Parsed] = []
    chars = 0
    for parsed in lines:
        batch.append(parsed)
        if isinstance(parsed, DocumentLine):
            chars += len(parsed.text)
        if len(batch) >= BATCH_SIZE or chars >= BATCH_CHARS:
            break
    return batch


def _stamps() -> dict[str, Any]:
    now = utc_now()
    return {"created_at": now, "updated_at": now}
