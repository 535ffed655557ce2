"""Reading an import file, line by line, without a database."""

import io

import pytest

from app.domains.annotations.models import ProjectKind
from app.domains.annotations.schemas import ImportFormat
from app.domains.annotations.service import import_file
from app.domains.annotations.service.import_file import BadLine, DocumentLine, LabelRules, lines_of

SPANS = LabelRules(ProjectKind.SPANS, allow_overlapping_spans=False)


def read(content: bytes, format: ImportFormat = ImportFormat.JSONL) -> list[DocumentLine | BadLine]:
    return list(lines_of(io.BytesIO(content), format, SPANS))


def test_a_line_too_long_is_bad_and_the_next_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_file, "MAX_LINE_BYTES", 64)
    content = b'{"text": "' + b"x" * 200 + b'"}\n{"text": "next"}\n'

    found = read(content)

    assert found[0] == BadLine(1, "longer than 64 bytes")
    assert isinstance(found[1], DocumentLine)
    assert (found[1].number, found[1].text) == (2, "next")


def test_line_numbers_count_blank_lines_and_csv_records_spanning_lines() -> None:
    jsonl = read(b'\n{"text": "a"}\n\n{"text": ""}\n')
    csv = read(b'text\n"two\nlines"\n\n"bad\x00"\n', ImportFormat.CSV)

    assert [(line.number, type(line).__name__) for line in jsonl] == [(2, "DocumentLine"), (4, "BadLine")]
    assert [(line.number, type(line).__name__) for line in csv] == [(2, "DocumentLine"), (5, "BadLine")]


def test_spans_are_sorted_and_deduplicated_and_labels_trimmed() -> None:
    (line,) = read(b'{"text": "abcdef", "labels": [[3, 5, " B "], [0, 2, "A"], [0, 2, "A"]]}\n')

    assert isinstance(line, DocumentLine)
    assert line.annotations == [(None, [("A", 0, 2), ("B", 3, 5)])]


@pytest.mark.parametrize(
    ("format", "content"),
    [
        (ImportFormat.JSONL, b'\xef\xbb\xbf{"text": "first"}\n'),
        (ImportFormat.CSV, b"\xef\xbb\xbftext\nfirst\n"),
        (ImportFormat.TEXT, b"\xef\xbb\xbffirst\n"),
    ],
)
def test_a_byte_order_mark_is_not_part_of_the_file(format: ImportFormat, content: bytes) -> None:
    (line,) = read(content, format)

    assert isinstance(line, DocumentLine)
    assert line.text == "first"
