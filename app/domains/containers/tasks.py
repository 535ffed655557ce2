"""The containers domain's job: pulling an image, its progress reported from the engine's stream."""

import time
from typing import Any

from app.domains.containers.ports import PullProgress
from app.domains.containers.runtimes import create_runtime
from app.domains.containers.service.images import PULL_IMAGE_KIND
from app.infrastructure.background import JobContext, JobKind

REPORT_EVERY_SECONDS = 0.5
DONE = ("Pull complete", "Already exists", "Download complete")


class PullTracker:
    """Progress over every layer the engine mentions: each counts by its bytes, done or not."""

    def __init__(self) -> None:
        self.layers: dict[str, float] = {}
        self.last_status = ""

    def update(self, step: PullProgress) -> None:
        self.last_status = step.status
        # "Pulling from keel/busybox" names the tag in `id`: it is no layer.
        if not step.layer or step.status.startswith("Pulling from"):
            return
        if step.status in DONE:
            self.layers[step.layer] = 1.0
        elif step.total and step.current is not None:
            self.layers[step.layer] = max(
                self.layers.get(step.layer, 0.0), min(step.current / step.total, 1.0)
            )
        else:
            self.layers.setdefault(step.layer, 0.0)

    @property
    def percent(self) -> int:
        if not self.layers:
            return 0
        return min(99, int(100 * sum(self.layers.values()) / len(self.layers)))  # 100 once finished


async def pull_image(context: JobContext) -> dict[str, Any]:
    reference = str(context.payload["image"])
    runtime = create_runtime(context.runtime.settings)
    tracker = PullTracker()
    reported_at = 0.0
    try:
        await context.report(0, f"pulling {reference}")
        async for step in runtime.pull_image(reference):
            tracker.update(step)
            if time.monotonic() - reported_at >= REPORT_EVERY_SECONDS:
                reported_at = time.monotonic()
                await context.report(tracker.percent, f"{step.status} {step.layer or ''}".strip())
        await context.report(tracker.percent, tracker.last_status)  # "Downloaded newer image for …"
    finally:
        await runtime.close()
    return {"image": reference, "layers": len(tracker.layers), "status": tracker.last_status}


PULL_IMAGE = JobKind(PULL_IMAGE_KIND, handler=pull_image)  # queued by `POST /images/pull` only
