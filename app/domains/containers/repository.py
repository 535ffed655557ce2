"""Audit queries: records are added and searched, never changed or deleted."""

from sqlalchemy import func, select

from app.domains.containers.models import AuditRecord
from app.domains.containers.schemas import AuditFilter
from app.infrastructure.repository import Repository


class AuditRepository(Repository[AuditRecord]):
    model = AuditRecord

    async def search(self, filters: AuditFilter, *, limit: int, offset: int) -> tuple[list[AuditRecord], int]:
        query = select(AuditRecord)
        for column, value in (
            (AuditRecord.actor_id, filters.actor_id),
            (AuditRecord.action, filters.action),
            (AuditRecord.target, filters.target),
            (AuditRecord.outcome, filters.outcome),
        ):
            if value is not None:
                query = query.where(column == value)
        if filters.since is not None:
            query = query.where(AuditRecord.created_at >= filters.since)
        if filters.until is not None:
            query = query.where(AuditRecord.created_at < filters.until)
        total = int(await self.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        page = await self.session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit).offset(offset))
        return list(page), total
