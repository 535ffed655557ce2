"""Tags over HTTP (v1): each user's own labels for todos."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from app.domains.todos.dependencies import (
    ActingOwner,
    CurrentActor,
    Reader,
    TagServiceDep,
    VisibleTag,
    Writer,
)
from app.domains.todos.errors import TagNameTaken
from app.domains.todos.schemas import TagCreate, TagRead, TagUpdate
from app.infrastructure.idempotency import IdempotencyDep, StoredResponse
from app.web.ids import OwnerQuery
from app.web.responses import errors

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("", dependencies=[Reader])
async def list_tags(
    actor: CurrentActor,
    tags: TagServiceDep,
    owner_id: OwnerQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[TagRead]:
    found = await tags.listing(actor=actor, owner_id=owner_id, limit=limit, offset=offset)
    return [TagRead.model_validate(tag) for tag in found]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TagRead,
    dependencies=[Writer],
    responses=errors(TagNameTaken),
)
async def create_tag(
    body: TagCreate,
    owner_id: ActingOwner,
    actor: CurrentActor,
    tags: TagServiceDep,
    idempotency: IdempotencyDep,
    request: Request,
) -> JSONResponse:
    """Create a tag (names are unique per user); `Idempotency-Key` makes retries safe."""

    async def create() -> StoredResponse:
        tag = await tags.create(owner_id=owner_id, data=body)
        return StoredResponse(
            status_code=status.HTTP_201_CREATED,
            body=TagRead.model_validate(tag).model_dump(mode="json"),
            headers={"Location": f"{request.url.path}/{tag.id}"},
        )

    return await idempotency.respond(
        principal_id=actor.id,
        scope="tags.create",
        request={"body": body.model_dump(mode="json"), "owner_id": owner_id},
        create=create,
    )


@router.get("/{tag_id}", dependencies=[Reader])
async def get_tag(tag: VisibleTag) -> TagRead:
    return TagRead.model_validate(tag)


@router.put("/{tag_id}", dependencies=[Writer], responses=errors(TagNameTaken))
async def update_tag(tag: VisibleTag, body: TagUpdate, tags: TagServiceDep) -> TagRead:
    return TagRead.model_validate(await tags.update(tag=tag, changes=body))


@router.delete(
    "/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
)
async def delete_tag(tag: VisibleTag, tags: TagServiceDep) -> None:
    """Delete a tag; todos carrying it simply lose it."""
    await tags.delete(tag=tag)
