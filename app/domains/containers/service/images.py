"""Images: everyone may list them; pulls run as background jobs; admins remove."""

from app.domains.containers.policy import ContainerPolicy
from app.domains.containers.ports import ContainerRuntime, Image
from app.domains.containers.service.audit import Actor, AuditTrail
from app.domains.jobs.schemas import JobRead
from app.domains.jobs.service import JobService
from app.infrastructure.unit_of_work import UnitOfWork

PULL_IMAGE_KIND = "image_pull"


class ImageService:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        runtime: ContainerRuntime,
        policy: ContainerPolicy,
        audit: AuditTrail,
        jobs: JobService,
    ) -> None:
        self.uow = uow
        self.runtime = runtime
        self.policy = policy
        self.audit = audit
        self.jobs = jobs

    async def listing(self) -> list[Image]:
        async with self.uow.paused():  # the database serves others while the engine answers
            found = await self.runtime.list_images()
        return sorted(found, key=lambda image: image.created_at, reverse=True)

    async def pull(self, actor: Actor, reference: str) -> JobRead:
        """Queue the pull; the job reports the engine's progress and ends with the image."""
        async with self.audit.action(actor, "image.pull", reference) as entry:
            # The engine pulls the name's full form, the one the allowlist judged: with no tag
            # it would pull every tag of the repository.
            image = self.policy.check_image(reference)
            job = await self.jobs.submit(
                PULL_IMAGE_KIND, owner_id=actor.id, payload={"image": image.canonical}
            )
            entry.details = {"job_id": job.id}
            return JobRead.model_validate(job)

    async def remove(self, actor: Actor, image: str, *, force: bool) -> None:
        """By tag: the tag goes, the image stays while other tags name it. By id: the image."""
        async with self.audit.action(actor, "image.remove", image) as entry:
            entry.details = {"force": force}
            async with self.uow.paused():
                await self.runtime.remove_image(image, force=force)
