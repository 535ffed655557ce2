"""The containers domain's admin view: the audit trail, read here and never changed."""

from sqladmin import ModelView

from app.domains.containers.models import AuditRecord
from app.web.admin import ReadOnlyView


class AuditAdmin(ReadOnlyView, model=AuditRecord):
    """The containers audit trail: read here, never changed."""

    name = "Audit record"
    name_plural = "Audit"
    recent_on_dashboard = 5
    icon = "fa-solid fa-clipboard-list"
    column_list = [
        AuditRecord.id,
        AuditRecord.created_at,
        AuditRecord.actor_email,
        AuditRecord.action,
        AuditRecord.target,
        AuditRecord.outcome,
        AuditRecord.error_code,
    ]
    column_searchable_list = [AuditRecord.action, AuditRecord.target, AuditRecord.actor_email]
    column_sortable_list = [AuditRecord.id, AuditRecord.action, AuditRecord.outcome, AuditRecord.created_at]
    column_default_sort = [(AuditRecord.id, True)]


VIEWS: list[type[ModelView]] = [AuditAdmin]
