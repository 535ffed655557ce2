"""How far a project is: its documents by status, each member's annotated documents, each
label's use. Three aggregate queries, whatever the project's size."""

from app.domains.annotations.models import DocumentStatus, ProjectRole
from app.domains.annotations.repository import ReportRepository
from app.domains.annotations.schemas import DocumentCounts, LabelUse, MemberProgress, ProgressRead
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.unit_of_work import UnitOfWork


class ProgressService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.reports = ReportRepository(uow.session)

    async def progress(self, *, access: ProjectAccess) -> ProgressRead:
        """For every member of the project: what is left to do is everyone's business."""
        project_id = access.project_id
        by_status = await self.reports.status_counts(project_id)
        counts = {status.value: by_status.get(status.value, 0) for status in DocumentStatus}
        return ProgressRead(
            documents=DocumentCounts(total=sum(by_status.values()), **counts),
            members=[
                MemberProgress(user_id=user_id, role=ProjectRole(role), annotated_documents=annotated)
                for user_id, role, annotated in await self.reports.member_progress(project_id)
            ],
            labels=[
                LabelUse(label_id=label_id, name=name, marks=marks, documents=documents)
                for label_id, name, marks, documents in await self.reports.label_use(project_id)
            ],
        )
