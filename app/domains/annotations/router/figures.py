"""Where a project stands (v1): progress for its members, agreement for its managers and reviewers."""

from fastapi import APIRouter

from app.domains.annotations.dependencies import (
    AgreementServiceDep,
    ProgressServiceDep,
    Reader,
    VisibleProject,
)
from app.domains.annotations.errors import AgreementNotVisible
from app.domains.annotations.schemas import AgreementRead, ProgressRead
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}", tags=["annotations"])


@router.get("/progress", dependencies=[Reader])
async def project_progress(project: VisibleProject, progress: ProgressServiceDep) -> ProgressRead:
    """Documents by status, each member's annotated documents, each label's marks and documents."""
    return await progress.progress(access=project)


@router.get("/agreement", dependencies=[Reader], responses=errors(AgreementNotVisible))
async def project_agreement(project: VisibleProject, agreement: AgreementServiceDep) -> AgreementRead:
    """Every pair of annotators over the documents both annotated: percent agreement and
    Cohen's kappa (classification) or span precision, recall and F1 (spans), overall and per
    label, and their means over the pairs (managers, reviewers, admins)."""
    return await agreement.agreement(access=project)
