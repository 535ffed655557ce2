"""The audit trail over HTTP: admins read it; nobody changes it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.domains.accounts.dependencies import require
from app.domains.containers.dependencies import AuditTrailDep
from app.domains.containers.schemas import AuditFilter, AuditPage, AuditRead
from app.web.pagination import PageParams

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(require("audit:read"))])


@router.get("")
async def list_audit_records(
    audit: AuditTrailDep, page: PageParams, filters: Annotated[AuditFilter, Query()]
) -> AuditPage:
    """Container and image actions, newest first: who, what, on what, with which outcome."""
    found, total = await audit.search(filters, limit=page.limit, offset=page.offset)
    items = [AuditRead.model_validate(record) for record in found]
    return AuditPage(items=items, total=total, limit=page.limit, offset=page.offset)
