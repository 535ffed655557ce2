"""Whether a set of marks fits the document and the project, before anything is written.

Offsets count code points (Python's `str` indexing), end exclusive: in "🦀 crab" the word
"crab" is [2, 6), though a UTF-16 client counts it [3, 7). Errors name the offending mark
by its index in the request (`details.mark`), so that a client can point at it.
"""

from collections.abc import Collection, Sequence

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


def checked_marks(
    marks: Sequence[MarkWrite],
    *,
    kind: ProjectKind,
    allow_overlapping_spans: bool,
    text: str,
    label_ids: Collection[int],
) -> list[MarkRow]:
    """The marks in their stored order (spans by start, end, label; categories by label), or
    the first rule they break."""
    for index, mark in enumerate(marks):
        if mark.label_id not in label_ids:
            raise UnknownLabel(index, label_id=mark.label_id)
    if kind is ProjectKind.SPANS:
        spans = _spans(marks, text_length=len(text))
        _refuse_duplicates(marks)
        if not allow_overlapping_spans:
            _refuse_overlaps(spans)
        ordered = sorted((start, end, mark.label_id) for mark, (start, end) in zip(marks, spans, strict=True))
        return [MarkRow(label_id=label_id, start=start, end=end) for start, end, label_id in ordered]
    _check_categories(marks)
    _refuse_duplicates(marks)
    if kind is ProjectKind.SINGLE_LABEL and len(marks) != 1:
        raise OneLabelExpected(len(marks))
    return sorted(
        (MarkRow(label_id=mark.label_id, start=None, end=None) for mark in marks),
        key=lambda row: row.label_id,
    )


def _spans(marks: Sequence[MarkWrite], *, text_length: int) -> list[tuple[int, int]]:
    spans = []
    for index, mark in enumerate(marks):
        if mark.start is None or mark.end is None:
            raise SpanRequired(index)
        if not 0 <= mark.start < mark.end <= text_length:
            raise InvalidSpan(index, start=mark.start, end=mark.end, length=text_length)
        spans.append((mark.start, mark.end))
    return spans


def _check_categories(marks: Sequence[MarkWrite]) -> None:
    for index, mark in enumerate(marks):
        if mark.start is not None or mark.end is not None:
            raise SpanNotAllowed(index)


def _refuse_duplicates(marks: Sequence[MarkWrite]) -> None:
    first_of: dict[MarkWrite, int] = {}
    for index, mark in enumerate(marks):
        first = first_of.setdefault(mark, index)
        if first != index:
            raise DuplicateMark(index, first=first)


def _refuse_overlaps(spans: Sequence[tuple[int, int]]) -> None:
    """Sorted by start, a span overlaps an earlier one exactly when it starts before the
    furthest end seen so far; touching spans ([0, 5) and [5, 9)) do not overlap."""
    reach, reacher = 0, -1  # the furthest end so far, and the index of its span
    for start, end, index in sorted((start, end, index) for index, (start, end) in enumerate(spans)):
        if start < reach:
            raise OverlappingSpans(max(index, reacher), other=min(index, reacher))
        if end > reach:
            reach, reacher = end, index
