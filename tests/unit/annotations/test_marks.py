"""The rules a set of marks must keep, on `checked_marks` alone: offsets in code points, the
project's kind, its labels, and its overlap rule."""

import pytest

from app.core.errors import ValidationFailed
from app.domains.annotations.errors import (
    DuplicateMark,
    InvalidSpan,
    OneLabelExpected,
    OverlappingSpans,
    SpanNotAllowed,
    SpanRequired,
    UnknownLabel,
)
from app.domains.annotations.models import ProjectKind
from app.domains.annotations.repository import MarkRow
from app.domains.annotations.schemas import MarkWrite
from app.domains.annotations.service.marks import checked_marks

LABELS = {1, 2}


def spans(*marks: tuple[int, int, int], text: str = "0123456789", overlapping: bool = False) -> list[MarkRow]:
    return checked_marks(
        [MarkWrite(label_id=label, start=start, end=end) for label, start, end in marks],
        kind=ProjectKind.SPANS,
        allow_overlapping_spans=overlapping,
        text=text,
        label_ids=LABELS,
    )


def categories(kind: ProjectKind, *labels: int) -> list[MarkRow]:
    return checked_marks(
        [MarkWrite(label_id=label) for label in labels],
        kind=kind,
        allow_overlapping_spans=False,
        text="whatever",
        label_ids=LABELS,
    )


def test_spans_come_back_in_text_order() -> None:
    assert spans((2, 5, 9), (1, 0, 5), (1, 5, 6), overlapping=True) == [
        MarkRow(label_id=1, start=0, end=5),
        MarkRow(label_id=1, start=5, end=6),
        MarkRow(label_id=2, start=5, end=9),
    ]


def test_offsets_are_code_points() -> None:
    text = "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"  # seven characters outside the BMP: fourteen UTF-16 units, 28 UTF-8 bytes

    assert spans((1, 0, 7), text=text) == [MarkRow(label_id=1, start=0, end=7)]
    with pytest.raises(InvalidSpan):
        spans((1, 0, 8), text=text)


@pytest.mark.parametrize(
    ("marks", "error"),
    [
        ([(1, 0, 5), (2, 4, 6)], OverlappingSpans),
        ([(1, 0, 10), (2, 3, 4)], OverlappingSpans),  # one inside the other
        ([(1, 3, 4), (2, 0, 10)], OverlappingSpans),
        ([(1, 0, 2), (2, 5, 9), (1, 2, 5), (1, 8, 10)], OverlappingSpans),
        ([(1, 0, 5), (1, 0, 5)], DuplicateMark),
        ([(3, 0, 5)], UnknownLabel),
        ([(1, 4, 4)], InvalidSpan),
        ([(1, 0, 11)], InvalidSpan),
    ],
)
def test_span_rules(marks: list[tuple[int, int, int]], error: type[ValidationFailed]) -> None:
    with pytest.raises(error):
        spans(*marks)


def test_overlaps_name_the_later_mark_and_the_one_it_overlaps() -> None:
    with pytest.raises(OverlappingSpans) as refused:
        spans((1, 0, 2), (2, 5, 9), (1, 2, 5), (1, 8, 10))

    assert refused.value.details == {"mark": 3, "other": 1}


def test_touching_spans_and_allowed_overlaps_pass() -> None:
    assert len(spans((1, 0, 5), (2, 5, 10))) == 2
    assert len(spans((1, 0, 5), (2, 0, 5), (1, 2, 8), overlapping=True)) == 3


def test_spans_need_both_offsets() -> None:
    with pytest.raises(SpanRequired):
        checked_marks(
            [MarkWrite(label_id=1, start=0)],
            kind=ProjectKind.SPANS,
            allow_overlapping_spans=True,
            text="abc",
            label_ids=LABELS,
        )


def test_categories() -> None:
    assert categories(ProjectKind.MULTI_LABEL, 2, 1) == [
        MarkRow(label_id=1, start=None, end=None),
        MarkRow(label_id=2, start=None, end=None),
    ]
    assert categories(ProjectKind.MULTI_LABEL) == []
    assert categories(ProjectKind.SINGLE_LABEL, 2) == [MarkRow(label_id=2, start=None, end=None)]
    with pytest.raises(OneLabelExpected):
        categories(ProjectKind.SINGLE_LABEL)
    with pytest.raises(OneLabelExpected):
        categories(ProjectKind.SINGLE_LABEL, 1, 2)
    with pytest.raises(DuplicateMark):
        categories(ProjectKind.MULTI_LABEL, 1, 1)
    with pytest.raises(SpanNotAllowed):
        checked_marks(
            [MarkWrite(label_id=1, start=0, end=1)],
            kind=ProjectKind.MULTI_LABEL,
            allow_overlapping_spans=False,
            text="abc",
            label_ids=LABELS,
        )
