"""The annotations domain's background work: the import job, and the removal of uploads no
job will read (a queued import cancelled, a worker lost for good)."""

import asyncio
from datetime import datetime

from app.domains.annotations.service.import_job import run_import
from app.domains.annotations.service.imports import IMPORT_KIND
from app.infrastructure.background import JobKind
from app.infrastructure.runtime import Runtime

IMPORT_DOCUMENTS = JobKind(IMPORT_KIND, handler=run_import)  # queued by `POST /projects/{id}/imports` only
# Longer than any import waits in the queue and runs: an upload older than this is an orphan.
STALE_UPLOAD_SECONDS = 24 * 3600


async def purge_stale_uploads(runtime: Runtime, now: datetime) -> dict[str, int]:
    directory = runtime.settings.annotations_upload_dir
    oldest = now.timestamp() - STALE_UPLOAD_SECONDS

    def purge() -> int:
        if not directory.is_dir():
            return 0
        removed = 0
        for path in directory.glob("*.upload"):
            if path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    return {"stale_uploads": await asyncio.to_thread(purge)}
