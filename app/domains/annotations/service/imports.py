"""Importing documents into a project (managers): the request's body, the file itself, is
streamed to the upload directory, and a job reads it (service/import_job.py).

The upload directory is shared by the API, which writes, and the worker, which reads
(`KEEL_ANNOTATIONS_UPLOAD_DIR`). A file is never held whole in memory; one over
`KEEL_ANNOTATIONS_MAX_IMPORT_BYTES` is refused by the platform's body limit for this path
(413), and what was written of it removed.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from app.domains.annotations.errors import ImportFormatUnknown
from app.domains.annotations.schemas import ImportFormat
from app.domains.annotations.service.access import ProjectAccess
from app.domains.jobs.schemas import JobRead
from app.domains.jobs.service import JobService
from app.infrastructure.unit_of_work import UnitOfWork

IMPORT_KIND = "annotations.import"
# The body's media type tells its format when `?format=` does not; octet-stream needs `?format=`.
FORMAT_OF_MEDIA_TYPE = {
    "application/x-ndjson": ImportFormat.JSONL,
    "application/jsonl": ImportFormat.JSONL,
    "application/jsonlines": ImportFormat.JSONL,
    "application/x-jsonlines": ImportFormat.JSONL,
    "text/csv": ImportFormat.CSV,
    "text/plain": ImportFormat.TEXT,
}
OCTET_STREAM = "application/octet-stream"
# Only these: a JSON or form body would be decoded and checked whole by the platform.
IMPORT_MEDIA_TYPES = (*FORMAT_OF_MEDIA_TYPE, OCTET_STREAM)
WRITE_CHUNK_BYTES = 1024 * 1024  # the body's chunks are small; the disk gets them a megabyte at a time


def import_format(requested: ImportFormat | None, content_type: str | None) -> ImportFormat:
    """`?format=` if given, else the Content-Type's; the Content-Type must be one of ours."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in IMPORT_MEDIA_TYPES:
        raise ImportFormatUnknown(expected=IMPORT_MEDIA_TYPES)
    chosen = requested or FORMAT_OF_MEDIA_TYPE.get(media_type)
    if chosen is None:
        raise ImportFormatUnknown(expected=IMPORT_MEDIA_TYPES)
    return chosen


class ImportService:
    def __init__(self, *, uow: UnitOfWork, jobs: JobService, upload_dir: Path) -> None:
        self.uow = uow
        self.jobs = jobs
        self.upload_dir = upload_dir

    async def start(
        self,
        *,
        access: ProjectAccess,
        requested: ImportFormat | None,
        content_type: str | None,
        body: AsyncIterator[bytes],
    ) -> JobRead:
        """Saves the upload and queues its import; the job's id is the caller's to follow."""
        access.ensure_manager()  # before a byte of the body is read
        chosen = import_format(requested, content_type)
        async with self.uow.paused():  # no database connection held while the file arrives
            path = await self._save(body)
        try:
            job = await self.jobs.submit(
                IMPORT_KIND,
                owner_id=access.actor.id,
                payload={"project_id": access.project_id, "file": path.name, "format": chosen.value},
            )
        except BaseException:
            path.unlink(missing_ok=True)  # no job will read it (and a cancelled task may not await)
            raise
        return JobRead.model_validate(job)

    async def _save(self, body: AsyncIterator[bytes]) -> Path:
        await asyncio.to_thread(self.upload_dir.mkdir, parents=True, exist_ok=True)
        path = self.upload_dir / f"{uuid.uuid4().hex}.upload"
        try:
            async with await anyio.open_file(path, "wb") as file:
                pending = bytearray()
                async for chunk in body:
                    pending += chunk
                    if len(pending) >= WRITE_CHUNK_BYTES:
                        await file.write(bytes(pending))
                        pending.clear()
                await file.write(bytes(pending))
        except BaseException:
            # Too large (the platform's 413), or the client went away: nothing stays behind.
            path.unlink(missing_ok=True)
            raise
        return path
