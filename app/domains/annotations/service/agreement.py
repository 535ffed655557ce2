"""How far a project's annotators agree, pair by pair and label by label (docs/annotations.md).

The annotations are read a batch of documents at a time, in document order, and each document
is folded into the counts of every pair of its annotators before the next is read: memory
grows with annotators and labels, never with documents.
"""

from collections.abc import AsyncIterator
from itertools import combinations
from typing import Any

from app.domains.annotations.agreement import (
    ClassificationPair,
    Kappa,
    PrecisionRecall,
    Span,
    SpanPair,
    mean,
)
from app.domains.annotations.errors import AgreementNotVisible
from app.domains.annotations.models import ProjectKind, ProjectRole
from app.domains.annotations.repository import ReportMark, ReportRepository
from app.domains.annotations.schemas import (
    AgreementRead,
    ClassificationFigures,
    Figures,
    LabelFigures,
    PairAgreement,
    SpanFigures,
)
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.unit_of_work import UnitOfWork

AGREEMENT_BATCH = 1_000  # documents annotated twice or more, per read
Marks = frozenset[int] | frozenset[Span]  # a document's labels, or its spans
Pair = ClassificationPair | SpanPair


class AgreementService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.reports = ReportRepository(uow.session)

    async def agreement(self, *, access: ProjectAccess) -> AgreementRead:
        """Managers, reviewers and admins: it compares annotators with one another."""
        if not (access.may_manage or access.role is ProjectRole.REVIEWER):
            raise AgreementNotVisible(access.project_id)
        kind = ProjectKind(access.project.kind)
        spans = kind is ProjectKind.SPANS
        pairs: dict[tuple[int, int], Pair] = {}
        async for annotations in self._documents(access.project_id, spans=spans):
            for first, second in combinations(sorted(annotations), 2):
                pair = pairs.get((first, second))
                if pair is None:
                    pair = pairs[first, second] = SpanPair() if spans else ClassificationPair()
                pair.add(annotations[first], annotations[second])  # type: ignore[arg-type]
        names = await self.reports.label_names(access.project_id)
        return _report(kind, pairs, names)

    async def _documents(self, project_id: int, *, spans: bool) -> AsyncIterator[dict[int, Marks]]:
        """Each document two annotators or more annotated: every annotator's marks on it."""
        after_id = 0
        while True:
            wanted = await self.reports.documents_annotated_twice(
                project_id=project_id, after_id=after_id, limit=AGREEMENT_BATCH
            )
            if not wanted:
                return
            rows = await self.reports.marks_between(
                project_id=project_id, first_id=wanted[0], last_id=wanted[-1], annotator_id=None, only=wanted
            )
            for document in _by_document(rows, spans=spans):
                yield document
            after_id = wanted[-1]


def _by_document(rows: list[ReportMark], *, spans: bool) -> list[dict[int, Marks]]:
    documents: dict[int, dict[int, set[Any]]] = {}
    for row in rows:
        marks = documents.setdefault(row.document_id, {}).setdefault(row.annotator_id, set())
        if row.label_id is None:
            continue  # an annotation without marks: an empty set
        if spans and row.start is not None and row.end is not None:
            marks.add((row.start, row.end, row.label_id))
        elif not spans:
            marks.add(row.label_id)
    return [
        {annotator: frozenset(marks) for annotator, marks in annotators.items()}
        for annotators in documents.values()
    ]


def _figures(figures: Kappa | PrecisionRecall) -> Figures:
    if isinstance(figures, Kappa):
        return ClassificationFigures(percent_agreement=figures.percent_agreement, kappa=figures.kappa)
    return SpanFigures(precision=figures.precision, recall=figures.recall, f1=figures.f1)


def _overall(kind: ProjectKind, pair: Pair) -> Kappa | PrecisionRecall:
    if isinstance(pair, SpanPair):
        return pair.micro()
    return pair.single_label() if kind is ProjectKind.SINGLE_LABEL else pair.multi_label()


def _averaged(kind: ProjectKind, figures: list[Kappa | PrecisionRecall]) -> Figures:
    """The mean over the pairs of each figure, of those pairs that define it."""
    if kind is ProjectKind.SPANS:
        spans = [figure for figure in figures if isinstance(figure, PrecisionRecall)]
        return _figures(
            PrecisionRecall(
                precision=mean([figure.precision for figure in spans]),
                recall=mean([figure.recall for figure in spans]),
                f1=mean([figure.f1 for figure in spans]),
            )
        )
    kappas = [figure for figure in figures if isinstance(figure, Kappa)]
    return _figures(
        Kappa(
            percent_agreement=mean([figure.percent_agreement for figure in kappas]),
            kappa=mean([figure.kappa for figure in kappas]),
        )
    )


def _report(kind: ProjectKind, pairs: dict[tuple[int, int], Pair], names: dict[int, str]) -> AgreementRead:
    def by_name(label_id: int) -> tuple[str, int]:
        return names.get(label_id, ""), label_id

    overall: list[Kappa | PrecisionRecall] = []
    per_label: dict[int, list[Kappa | PrecisionRecall]] = {}
    listed: list[PairAgreement] = []
    for annotator_ids, pair in sorted(pairs.items()):
        figures = _overall(kind, pair)
        labels: dict[int, Kappa | PrecisionRecall] = dict(pair.per_label())
        overall.append(figures)
        for label_id, label_figures in labels.items():
            per_label.setdefault(label_id, []).append(label_figures)
        listed.append(
            PairAgreement(
                annotator_ids=annotator_ids,
                documents=pair.documents,
                overall=_figures(figures),
                labels=[
                    LabelFigures(
                        label_id=label_id, name=names.get(label_id, ""), figures=_figures(labels[label_id])
                    )
                    for label_id in sorted(labels, key=by_name)
                ],
            )
        )
    return AgreementRead(
        kind=kind,
        pairs=listed,
        average=_averaged(kind, overall),
        labels=[
            LabelFigures(
                label_id=label_id, name=names.get(label_id, ""), figures=_averaged(kind, per_label[label_id])
            )
            for label_id in sorted(per_label, key=by_name)
        ],
    )
