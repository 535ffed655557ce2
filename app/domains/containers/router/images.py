"""Images over HTTP: list them; pull one in the background (within the allowlist); admins remove."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.core.errors import BrokerUnavailable
from app.domains.accounts.dependencies import require
from app.domains.containers.dependencies import CurrentActor, ImageServiceDep, Manager, Reader
from app.domains.containers.errors import (
    DockerUnavailable,
    ImageInUse,
    ImageNotAllowed,
    ImageNotFound,
    RuntimeConflict,
    RuntimeFailed,
)
from app.domains.containers.references import REFERENCE_PATTERN
from app.domains.containers.schemas import ImagePull, ImageRead
from app.domains.jobs.schemas import JobRead
from app.web.response_headers import sends
from app.web.responses import errors

router = APIRouter(prefix="/images", tags=["images"])

# What any use of the engine may answer.
ENGINE_ERRORS = (DockerUnavailable, RuntimeFailed)


@router.get("", dependencies=[Reader], responses=errors(*ENGINE_ERRORS))
async def list_images(images: ImageServiceDep) -> list[ImageRead]:
    """The images on the engine, newest first."""
    return [
        ImageRead(
            id=image.id, tags=list(image.tags), size_bytes=image.size_bytes, created_at=image.created_at
        )
        for image in await images.listing()
    ]


@router.post(
    "/pull",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Manager],
    responses={**errors(ImageNotAllowed, BrokerUnavailable), 202: sends("Location")},
)
async def pull_image(
    body: ImagePull, actor: CurrentActor, images: ImageServiceDep, response: Response
) -> JobRead:
    """Pull an allowed image in the background: follow the job for progress and outcome."""
    job = await images.pull(actor, body.image)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job


@router.delete(
    "/{image:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require("images:manage"))],
    responses=errors(*ENGINE_ERRORS, ImageNotFound, ImageInUse, RuntimeConflict),
)
async def remove_image(
    image: Annotated[str, Path(pattern=REFERENCE_PATTERN, description="A tag (only it goes) or an id.")],
    actor: CurrentActor,
    images: ImageServiceDep,
    force: Annotated[bool, Query(description="Even if stopped containers use it.")] = False,
) -> None:
    await images.remove(actor, image, force=force)
