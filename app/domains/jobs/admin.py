"""The jobs domain's admin view: every job, read only."""

from sqladmin import ModelView

from app.domains.jobs.models import Job
from app.web.admin import ReadOnlyView


class JobAdmin(ReadOnlyView, model=Job):
    name_plural = "Jobs"
    recent_on_dashboard = 5
    icon = "fa-solid fa-gears"
    column_list = [Job.id, Job.kind, Job.owner_id, Job.status, Job.progress, Job.attempts, Job.created_at]
    column_sortable_list = [Job.id, Job.status, Job.created_at]
    column_default_sort = [(Job.id, True)]


VIEWS: list[type[ModelView]] = [JobAdmin]
