"""Reading an import file: its lines, each a document to import or the reason it cannot be.

Pure and synchronous: the import job runs it a batch at a time in a worker thread, and this
module needs nothing from the database. What it checks is everything a line can get wrong on
its own (its encoding, its JSON, its text, the shape of its labels, spans against the text and
the project's kind); what needs the database (label ids, annotators' accounts) is the job's.
The agreed line format is in docs/annotations.md.
"""

import csv
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import IO, Any

from app.domains.annotations.models import ProjectKind
from app.domains.annotations.schemas import MAX_DOCUMENT_CHARS, MAX_MARKS_PER_ANNOTATION, ImportFormat

# A line is read whole: past this it is refused rather than held in memory (a document's text
# is at most MAX_DOCUMENT_CHARS, up to 4 bytes each in UTF-8, beside its labels and meta).
MAX_LINE_BYTES = 8 * 1024 * 1024
MAX_LABEL_NAME_CHARS = 100
DROPPED_KEYS = ("id", "status")  # an export's own, not the document's meta
# A JSON escape that decodes to text no database stores (NUL, a lone surrogate): only a line
# with one is searched in full.
SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, which spreadsheets write first

csv.field_size_limit(MAX_LINE_BYTES)  # the default, 128 KiB, is less than a document may be

MarkSpec = tuple[str, int | None, int | None]  # label name, start, end (None: a category)


@dataclass(slots=True)
class DocumentLine:
    """A line that is a document. `annotations` pairs an annotator's e-mail (None: whoever
    imports) with their marks."""

    number: int
    text: str
    meta: dict[str, Any]
    annotations: list[tuple[str | None, list[MarkSpec]]] = field(default_factory=list)


@dataclass(slots=True)
class BadLine:
    number: int
    reason: str


Parsed = DocumentLine | BadLine


@dataclass(frozen=True, slots=True)
class LabelRules:
    """What a project accepts as labels."""

    kind: ProjectKind
    allow_overlapping_spans: bool


def lines_of(file: IO[bytes], format: ImportFormat, rules: LabelRules) -> Iterator[Parsed]:
    """Every document line of the file, in order; blank lines are skipped."""
    if format is ImportFormat.CSV:
        return _csv_lines(file)
    if format is ImportFormat.TEXT:
        return _text_lines(file)
    return _jsonl_lines(file, rules)


def _raw_lines(file: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(number, bytes) per line, None for one longer than MAX_LINE_BYTES (skipped unread)."""
    number = 0
    while True:
        raw = file.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if number == 1:
            raw = raw.removeprefix(BOM)  # as editors on Windows save UTF-8
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := file.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, raw


def _jsonl_lines(file: IO[bytes], rules: LabelRules) -> Iterator[Parsed]:
    for number, raw in _raw_lines(file):
        if raw is None:
            yield BadLine(number, f"longer than {MAX_LINE_BYTES} bytes")
        elif raw.strip():
            yield _jsonl_line(number, raw, rules)


def _jsonl_line(number: int, raw: bytes, rules: LabelRules) -> Parsed:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadLine(number, f"not UTF-8 (byte {exc.start + 1})")
    try:
        data = json.loads(line, parse_constant=_no_constant, parse_float=_finite_float)
    except NonFinite:
        return BadLine(number, "holds NaN or Infinity, which no database's JSON stores")
    except json.JSONDecodeError as exc:
        # "Invalid control character at": Python's message expects its position after it.
        return BadLine(number, f"not JSON at column {exc.colno}: {exc.msg.removesuffix(' at')}")
    except RecursionError:
        return BadLine(number, "not JSON: nested too deeply")
    if not isinstance(data, dict):
        return BadLine(number, "not a JSON object")
    if SUSPECT_ESCAPE.search(line) and _holds_unstorable(data):
        return BadLine(number, "holds NUL (U+0000) or an unpaired surrogate, which no database stores")
    text = data.pop("text", None)
    reason = _text_problem(text)
    if reason:
        return BadLine(number, reason)
    assert isinstance(text, str)
    labels, label = data.pop("labels", None), data.pop("label", None)
    entries = data.pop("annotations", None)
    for key in DROPPED_KEYS:
        data.pop(key, None)
    document = DocumentLine(number, text, data)
    if entries is not None:
        reason = _add_annotations(document, entries, rules)
    else:
        marks = _marks(labels if labels is not None else label, text, rules)
        if isinstance(marks, str):
            reason = marks
        elif marks:
            document.annotations.append((None, marks))
    return BadLine(number, reason) if reason else document


class NonFinite(ValueError):
    pass


def _no_constant(name: str) -> float:
    raise NonFinite(name)  # NaN, Infinity, -Infinity: Python's JSON reads them, PostgreSQL's does not


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise NonFinite(text)
    return value


def _add_annotations(document: DocumentLine, entries: Any, rules: LabelRules) -> str | None:
    if not isinstance(entries, list):
        return "annotations must be a list of {annotator, labels}"
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("annotator"), str):
            return 'each annotation is {"annotator": e-mail, "labels": [...]}'
        annotator = entry["annotator"].strip()
        if annotator.casefold() in seen:
            return f"{annotator} has two annotations"
        seen.add(annotator.casefold())
        marks = _marks(entry.get("labels", entry.get("label", [])), document.text, rules)
        if isinstance(marks, str):
            return f"{annotator}: {marks}"
        document.annotations.append((annotator, marks))
    return None


def _marks(labels: Any, text: str, rules: LabelRules) -> list[MarkSpec] | str:
    """The marks of one annotation, de-duplicated, or what is wrong with them."""
    if labels is None:
        return []
    if not isinstance(labels, list):
        return "labels must be a list"
    if len(labels) > MAX_MARKS_PER_ANNOTATION:
        return f"more than {MAX_MARKS_PER_ANNOTATION} labels"
    if rules.kind is ProjectKind.SPANS:
        return _spans(labels, len(text), allow_overlap=rules.allow_overlapping_spans)
    return _categories(labels, single=rules.kind is ProjectKind.SINGLE_LABEL)


def _spans(labels: list[Any], length: int, *, allow_overlap: bool) -> list[MarkSpec] | str:
    spans: set[tuple[int, int, str]] = set()
    for item in labels:
        if isinstance(item, str):
            return f"a category ({item!r}) on a spans project: a span is [start, end, label]"
        if not isinstance(item, list) or len(item) != 3:
            return "a span is [start, end, label]"
        start, end, name = item
        if type(start) is not int or type(end) is not int:
            return "a span's start and end are whole numbers"
        if not 0 <= start < end <= length:
            return f"span [{start}, {end}] is outside the text, which has {length} characters"
        label = _label_name(name)
        if label is None:
            return f"label names are 1 to {MAX_LABEL_NAME_CHARS} characters"
        spans.add((start, end, label))
    ordered = sorted(spans)
    if not allow_overlap:
        for (start, end, _), (next_start, next_end, _) in pairwise(ordered):
            if next_start < end:
                return f"spans [{start}, {end}] and [{next_start}, {next_end}] overlap"
    return [(label, start, end) for start, end, label in ordered]


def _categories(labels: list[Any], *, single: bool) -> list[MarkSpec] | str:
    names: dict[str, None] = {}  # ordered, de-duplicated
    for item in labels:
        if isinstance(item, list):
            return "a span on a classification project: a label is its name"
        label = _label_name(item)
        if label is None:
            return f"label names are 1 to {MAX_LABEL_NAME_CHARS} characters"
        names[label] = None
    if single and len(names) > 1:
        return "more than one label on a single-label project"
    return [(name, None, None) for name in names]


def _label_name(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    name = name.strip()
    return name if 0 < len(name) <= MAX_LABEL_NAME_CHARS else None


def _text_problem(text: Any) -> str | None:
    if text is None:
        return "no text"
    if not isinstance(text, str):
        return "the text is not a string"
    if not text:
        return "the text is empty"
    if len(text) > MAX_DOCUMENT_CHARS:
        return f"the text is longer than {MAX_DOCUMENT_CHARS} characters"
    return None


def _holds_unstorable(document: Any) -> bool:
    """Whether any key or string of a decoded line is text no database stores (no recursion:
    a deeply nested line must not exhaust the stack)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _text_lines(file: IO[bytes]) -> Iterator[Parsed]:
    for number, raw in _raw_lines(file):
        if raw is None:
            yield BadLine(number, f"longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield BadLine(number, f"not UTF-8 (byte {exc.start + 1})")
            continue
        if text.strip():
            reason = _text_problem(text) or _unstorable_text(text)
            yield BadLine(number, reason) if reason else DocumentLine(number, text, {})


def _unstorable_text(text: str) -> str | None:
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if "\udc80" <= found.group() <= "\udcff":  # how `surrogateescape` kept a byte that is not UTF-8
        return "not UTF-8"
    return "holds NUL (U+0000), which no database stores"


def _csv_lines(file: IO[bytes]) -> Iterator[Parsed]:
    """A header line naming the columns, one of them `text`; the others go to meta."""
    # `surrogateescape` keeps a byte that is not UTF-8 as a surrogate: its row alone is bad.
    reader = csv.reader(io.TextIOWrapper(file, encoding="utf-8-sig", errors="surrogateescape", newline=""))
    header = _csv_row(reader)
    if header is None:
        return
    if isinstance(header, str) or "text" not in header:
        yield BadLine(1, header if isinstance(header, str) else "the header line has no text column")
        return
    unstorable = next(filter(None, map(_unstorable_text, header)), None)
    if unstorable:
        yield BadLine(1, unstorable)
        return
    text_column = header.index("text")
    others = [(index, name) for index, name in enumerate(header) if index != text_column]
    while True:
        number = reader.line_num + 1
        row = _csv_row(reader)
        if row is None:
            return
        if isinstance(row, str):
            yield BadLine(number, row)
        elif row:  # a blank line
            yield _csv_document(number, row, header, text_column, others)


def _csv_row(reader: Any) -> list[str] | str | None:
    """The next row, the reason it cannot be read, or None at the end of the file."""
    try:
        return list(next(reader))
    except StopIteration:
        return None
    except csv.Error as exc:
        return f"not CSV: {exc}"


def _csv_document(
    number: int, row: list[str], header: list[str], text_column: int, others: list[tuple[int, str]]
) -> Parsed:
    if len(row) != len(header):
        return BadLine(number, f"{len(row)} fields where the header has {len(header)}")
    text = row[text_column]
    reason = _text_problem(text) or next(filter(None, map(_unstorable_text, row)), None)
    if reason:
        return BadLine(number, reason)
    return DocumentLine(number, text, {name: row[index] for index, name in others})
