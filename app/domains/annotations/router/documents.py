"""A project's documents over HTTP (v1): members read them a page at a time, filtered by status,
annotator or text; managers add and delete them (bulk imports: router/imports.py)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.core.cursors import InvalidCursor
from app.domains.annotations.dependencies import (
    DocumentServiceDep,
    ProjectDocument,
    Reader,
    VisibleProject,
    Writer,
)
from app.domains.annotations.errors import ProjectManagerRequired
from app.domains.annotations.schemas import DocumentCreate, DocumentFilter, DocumentPage, DocumentRead
from app.web.response_headers import sends
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/documents", tags=["annotations"])


@router.get("", dependencies=[Reader], responses=errors(InvalidCursor))
async def list_documents(
    project: VisibleProject, documents: DocumentServiceDep, filters: Annotated[DocumentFilter, Query()]
) -> DocumentPage:
    """The project's documents in import order: pass `next_cursor` back as `cursor` until it
    is null. `annotator_id`: those that member has annotated; `q`: the text contains it."""
    page, next_cursor = await documents.page(access=project, filters=filters)
    return DocumentPage(
        items=[DocumentRead.model_validate(document) for document in page], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Writer],
    responses={**errors(ProjectManagerRequired), 201: sends("Location")},
)
async def create_document(
    project: VisibleProject,
    body: DocumentCreate,
    documents: DocumentServiceDep,
    request: Request,
    response: Response,
) -> DocumentRead:
    """Add one document (managers); many at once: `POST /projects/{id}/imports`."""
    document = await documents.create(access=project, data=body)
    response.headers["Location"] = f"{request.url.path}/{document.id}"
    return DocumentRead.model_validate(document)


@router.get("/{document_id}", dependencies=[Reader])
async def get_document(document: ProjectDocument) -> DocumentRead:
    return DocumentRead.model_validate(document)


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
    responses=errors(ProjectManagerRequired),
)
async def delete_document(
    project: VisibleProject, document: ProjectDocument, documents: DocumentServiceDep
) -> None:
    """Delete a document with its annotations (managers)."""
    await documents.delete(access=project, document=document)
