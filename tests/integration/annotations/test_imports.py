"""Importing documents through HTTP and the real job runner (in process): JSON Lines, CSV and
text files become documents with their annotations, or, with any bad line, nothing at all."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from app.core.config import Settings
from app.domains.annotations.models import Annotation, Document, Label, Mark
from app.domains.jobs.models import Job
from app.domains.jobs.runner import JobRunner
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project
from tests.fixtures.platform import make_settings

MAX_IMPORT_BYTES = 256 * 1024
JSONL = "application/x-ndjson"


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def settings(database_url: str, upload_dir: Path) -> Settings:
    return make_settings(
        database_url, annotations_upload_dir=upload_dir, annotations_max_import_bytes=MAX_IMPORT_BYTES
    )


def uploads_left(upload_dir: Path) -> list[Path]:
    return list(upload_dir.iterdir()) if upload_dir.exists() else []


def jsonl(*lines: Any) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines
    )


async def upload(
    client: AsyncClient,
    project: dict[str, Any],
    content: Any,
    content_type: str | None = JSONL,
    **params: Any,
) -> Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return await client.post(
        f"{PROJECTS}/{project['id']}/imports", content=content, headers=headers, params=params
    )


async def imported(
    app: FastAPI, client: AsyncClient, project: dict[str, Any], content: bytes, **options: Any
) -> dict[str, Any]:
    """The import's job once it has finished."""
    response = await upload(client, project, content, **options)
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/api/v1/jobs/{response.json()['id']}"
    await app.state.runtime.broker.drain()
    job = (await client.get(response.headers["Location"])).json()
    assert job["status"] in ("succeeded", "failed"), job
    return dict(job)


async def rows(app: FastAPI, model: type[Any]) -> list[Any]:
    async with app.state.runtime.session_factory() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def count(app: FastAPI, model: type[Any]) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def nothing_imported(app: FastAPI) -> bool:
    return [await count(app, model) for model in (Document, Annotation, Mark, Label)] == [0, 0, 0, 0]


async def marks_by_document(app: FastAPI) -> dict[str, dict[str, list[tuple[str, Any, Any]]]]:
    """document text -> annotator e-mail... as annotator id -> sorted (label, start, end)."""
    labels = {label.id: label.name for label in await rows(app, Label)}
    documents = {document.id: document.text for document in await rows(app, Document)}
    annotations = {a.id: (documents[a.document_id], str(a.annotator_id)) for a in await rows(app, Annotation)}
    found: dict[str, dict[str, list[tuple[str, Any, Any]]]] = {}
    for text, annotator in annotations.values():
        found.setdefault(text, {})[annotator] = []
    for mark in await rows(app, Mark):
        text, annotator = annotations[mark.annotation_id]
        found[text][annotator].append((labels[mark.label_id], mark.start, mark.end))
    return {text: {a: sorted(m) for a, m in by.items()} for text, by in found.items()}


async def test_a_jsonl_file_without_labels_becomes_unannotated_documents_with_their_meta(
    app: FastAPI, people: PeopleFactory, upload_dir: Path
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    content = jsonl(
        {"text": "first", "source": "web", "id": 99, "status": "approved"},
        b"",
        {"text": "second \u00e9\U0001f600", "labels": []},
    )

    job = await imported(app, ann.client, project, content)
    listed = (await ann.client.get(f"{PROJECTS}/{project['id']}/documents")).json()["items"]

    assert job["status"] == "succeeded", job
    assert job["kind"] == "annotations.import"
    assert job["result"] == {"documents": 2, "annotations": 0, "labels_created": 0}
    assert job["progress"] == 100
    assert [(d["text"], d["meta"], d["status"]) for d in listed] == [
        ("first", {"source": "web"}, "unannotated"),
        ("second \u00e9\U0001f600", {}, "unannotated"),
    ]
    assert uploads_left(upload_dir) == []  # the upload is gone with its job


async def test_spans_become_the_importers_annotation_and_unknown_labels_are_created(
    app: FastAPI, people: PeopleFactory
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    await new_label(ann.client, project["id"], "PER")
    content = jsonl(
        {"text": "Ada met Bob in Paris", "labels": [[0, 3, "PER"], [8, 11, "PER"], [15, 20, "LOC"]]},
        {"text": "\U0001f600 Ada", "labels": [[2, 5, "PER"], [2, 5, "PER"]]},  # code points; duplicates once
        {"text": "no labels here"},
    )

    job = await imported(app, ann.client, project, content)
    documents = (await ann.client.get(f"{PROJECTS}/{project['id']}/documents")).json()["items"]
    labels = (await ann.client.get(f"{PROJECTS}/{project['id']}/labels")).json()

    assert job["status"] == "succeeded", job
    assert job["result"] == {"documents": 3, "annotations": 2, "labels_created": 1}
    assert [d["status"] for d in documents] == ["annotated", "annotated", "unannotated"]
    assert [(label["name"], label["colour"]) for label in labels] == [("LOC", "#209cee"), ("PER", "#209cee")]
    me = str(ann.id)
    assert await marks_by_document(app) == {
        "Ada met Bob in Paris": {me: [("LOC", 15, 20), ("PER", 0, 3), ("PER", 8, 11)]},
        "\U0001f600 Ada": {me: [("PER", 2, 5)]},
    }


async def test_doccanos_label_key_imports_categories(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client, kind="multi_label")
    content = jsonl(
        {"text": "great", "label": ["positive", "short", "positive"]}, {"text": "meh", "label": []}
    )

    job = await imported(app, ann.client, project, content)

    assert job["result"] == {"documents": 2, "annotations": 1, "labels_created": 2}
    assert await marks_by_document(app) == {
        "great": {str(ann.id): [("positive", None, None), ("short", None, None)]}
    }


async def test_each_annotators_annotation_is_imported_for_them(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client, kind="single_label")
    await add_member(ann.client, project["id"], bob.id, "annotator")
    content = jsonl(
        {
            "text": "fine",
            "labels": ["ignored when annotations are given"],
            "annotations": [
                {"annotator": "ANN@example.com", "labels": ["positive"]},
                {"annotator": "bob@example.com", "labels": ["negative"]},
            ],
        },
        {"text": "seen, nothing to mark", "annotations": [{"annotator": "bob@example.com", "labels": []}]},
    )

    job = await imported(app, ann.client, project, content)
    by_bob = (
        await ann.client.get(f"{PROJECTS}/{project['id']}/documents", params={"annotator_id": bob.id})
    ).json()

    assert job["result"] == {"documents": 2, "annotations": 3, "labels_created": 2}, job
    assert await marks_by_document(app) == {
        "fine": {str(ann.id): [("positive", None, None)], str(bob.id): [("negative", None, None)]},
        "seen, nothing to mark": {str(bob.id): []},
    }
    assert [item["text"] for item in by_bob["items"]] == ["fine", "seen, nothing to mark"]


async def test_a_csv_file_has_a_text_column_and_the_others_go_to_meta(
    app: FastAPI, people: PeopleFactory
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    content = b'source,text\nweb,"first, with a comma"\n\nbook,"two\nlines"\n'

    job = await imported(app, ann.client, project, content, content_type="text/csv")
    documents = await rows(app, Document)

    assert job["result"] == {"documents": 2, "annotations": 0, "labels_created": 0}, job
    assert [(d.text, d.meta) for d in documents] == [
        ("first, with a comma", {"source": "web"}),
        ("two\nlines", {"source": "book"}),
    ]


async def test_a_text_file_is_a_document_a_line(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    content = b"first line\r\n\n  \nsecond line\nthird"

    job = await imported(
        app, ann.client, project, content, content_type="application/octet-stream", format="text"
    )

    assert job["result"] == {"documents": 3, "annotations": 0, "labels_created": 0}, job
    assert [d.text for d in await rows(app, Document)] == ["first line", "second line", "third"]


async def test_one_malformed_line_fails_the_import_and_nothing_is_kept(
    app: FastAPI, people: PeopleFactory, upload_dir: Path
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    good = {"text": "fine", "labels": [[0, 4, "NEW"]]}
    content = jsonl(*([good] * 2500), b'{"text": "broken', good, b"[1, 2]", {"label": []})

    job = await imported(app, ann.client, project, content)

    assert job["status"] == "failed"
    assert job["error"] == "bad lines: 3; nothing was imported"
    assert job["result"]["bad_line_count"] == 3
    assert [line["line"] for line in job["result"]["bad_lines"]] == [2501, 2503, 2504]
    assert job["result"]["bad_lines"][0]["reason"].startswith("not JSON")
    assert [line["reason"] for line in job["result"]["bad_lines"][1:]] == ["not a JSON object", "no text"]
    assert await nothing_imported(app)  # the 2,500 documents before it and the label made for them too
    assert uploads_left(upload_dir) == []


async def test_only_the_first_hundred_bad_lines_are_listed(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    job = await imported(app, ann.client, project, b"{}\n" * 150)

    assert job["result"]["bad_line_count"] == 150
    assert len(job["result"]["bad_lines"]) == 100


@pytest.mark.parametrize(
    ("kind", "line", "reason"),
    [
        (
            "spans",
            {"text": "abc", "labels": [[0, 4, "X"]]},
            "span [0, 4] is outside the text, which has 3 characters",
        ),
        (
            "spans",
            {"text": "abc", "labels": [[2, 1, "X"]]},
            "span [2, 1] is outside the text, which has 3 characters",
        ),
        ("spans", {"text": "abc", "labels": [[0, 2, "X"], [1, 3, "Y"]]}, "spans [0, 2] and [1, 3] overlap"),
        (
            "spans",
            {"text": "abc", "labels": ["X"]},
            "a category ('X') on a spans project: a span is [start, end, label]",
        ),
        ("spans", {"text": "abc", "labels": [[0, 1]]}, "a span is [start, end, label]"),
        ("spans", {"text": "abc", "labels": [[0, True, "X"]]}, "a span's start and end are whole numbers"),
        ("spans", {"text": "abc", "labels": [[0, 1, ""]]}, "label names are 1 to 100 characters"),
        ("spans", {"text": "abc", "labels": "X"}, "labels must be a list"),
        (
            "single_label",
            {"text": "abc", "labels": [[0, 1, "X"]]},
            "a span on a classification project: a label is its name",
        ),
        (
            "single_label",
            {"text": "abc", "labels": ["X", "Y"]},
            "more than one label on a single-label project",
        ),
        ("multi_label", {"text": "abc", "labels": ["X" * 101]}, "label names are 1 to 100 characters"),
        ("spans", {"text": ""}, "the text is empty"),
        ("spans", {"text": 12}, "the text is not a string"),
        (
            "spans",
            {"text": "abc", "score": float("nan")},
            "holds NaN or Infinity, which no database's JSON stores",
        ),
        (
            "spans",
            b'{"text": "abc", "score": 1e999}',
            "holds NaN or Infinity, which no database's JSON stores",
        ),
        (
            "spans",
            {"text": "nul \u0000"},
            "holds NUL (U+0000) or an unpaired surrogate, which no database stores",
        ),
        (
            "spans",
            {"text": "abc", "annotations": [{"annotator": "nobody@example.com", "labels": []}]},
            "nobody@example.com is not a member of the project",
        ),
        (
            "spans",
            {"text": "abc", "annotations": {"annotator": "x"}},
            "annotations must be a list of {annotator, labels}",
        ),
        (
            "spans",
            {"text": "abc", "annotations": [{"labels": []}]},
            'each annotation is {"annotator": e-mail, "labels": [...]}',
        ),
    ],
)
async def test_a_bad_line_is_reported_with_its_number_and_reason(
    app: FastAPI, people: PeopleFactory, kind: str, line: dict[str, Any] | bytes, reason: str
) -> None:
    ann = await people.member()
    project = await new_project(ann.client, kind=kind)

    job = await imported(app, ann.client, project, jsonl({"text": "fine"}, line))

    assert job["status"] == "failed"
    assert job["result"] == {"bad_lines": [{"line": 2, "reason": reason}], "bad_line_count": 1}
    assert await nothing_imported(app)


async def test_a_lone_surrogate_is_refused(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    job = await imported(app, ann.client, project, b'{"text": "ok", "note": "\\ud800"}\n')

    assert job["result"]["bad_lines"] == [
        {"line": 1, "reason": "holds NUL (U+0000) or an unpaired surrogate, which no database stores"}
    ]


async def test_overlapping_spans_are_fine_where_the_project_allows_them(
    app: FastAPI, people: PeopleFactory
) -> None:
    ann = await people.member()
    project = await new_project(ann.client, allow_overlapping_spans=True)

    job = await imported(
        app, ann.client, project, jsonl({"text": "abc", "labels": [[0, 2, "X"], [1, 3, "Y"]]})
    )

    assert job["result"] == {"documents": 1, "annotations": 1, "labels_created": 2}


async def test_a_file_that_is_not_utf8_fails(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    as_jsonl = await imported(app, ann.client, project, '{"text": "caf\u00e9"}\n'.encode("latin-1"))
    as_text = await imported(
        app, ann.client, project, "ok\ncaf\u00e9\n".encode("latin-1"), content_type="text/plain"
    )
    as_csv = await imported(
        app, ann.client, project, "text\nok\ncaf\u00e9\n".encode("latin-1"), content_type="text/csv"
    )

    assert as_jsonl["result"]["bad_lines"] == [{"line": 1, "reason": "not UTF-8 (byte 14)"}]
    assert as_text["result"]["bad_lines"] == [{"line": 2, "reason": "not UTF-8 (byte 4)"}]
    assert as_csv["result"]["bad_lines"] == [{"line": 3, "reason": "not UTF-8"}]
    assert await nothing_imported(app)


async def test_a_csv_file_needs_a_text_column_and_whole_rows(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    no_text = await imported(app, ann.client, project, b"body,source\nx,y\n", content_type="text/csv")
    short_row = await imported(app, ann.client, project, b"text,source\nx,y\nz\n", content_type="text/csv")

    assert no_text["result"]["bad_lines"] == [{"line": 1, "reason": "the header line has no text column"}]
    assert short_row["result"]["bad_lines"] == [{"line": 3, "reason": "1 fields where the header has 2"}]


async def test_labels_past_the_projects_bound_fail_the_import(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client, kind="multi_label")
    names = [f"L{n}" for n in range(201)]

    job = await imported(app, ann.client, project, jsonl({"text": "many", "labels": names}))

    assert job["result"]["bad_lines"] == [
        {"line": 1, "reason": "label 'L200' would make more than 200 labels"}
    ]
    assert await nothing_imported(app)


async def test_an_upload_over_the_limit_is_413_and_leaves_nothing(
    app: FastAPI, people: PeopleFactory, upload_dir: Path
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    line = jsonl({"text": "x" * 1000})
    too_big = line * (MAX_IMPORT_BYTES // len(line) + 1)

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: refused as it grows
        for _ in range(MAX_IMPORT_BYTES // len(line) + 1):
            yield line

    declared = await upload(ann.client, project, too_big)
    chunked = await upload(ann.client, project, streamed())
    within = await upload(ann.client, project, too_big[: MAX_IMPORT_BYTES - MAX_IMPORT_BYTES % len(line)])
    await app.state.runtime.broker.drain()

    assert (declared.status_code, declared.json()["error_code"]) == (413, "payload_too_large")
    assert (chunked.status_code, chunked.json()["error_code"]) == (413, "payload_too_large")
    assert within.status_code == 202
    assert [job.id for job in await rows(app, Job)] == [within.json()["id"]]
    assert uploads_left(upload_dir) == []


async def test_only_managers_import(app: FastAPI, people: PeopleFactory, upload_dir: Path) -> None:
    ann = await people.member()
    bob = await people.member("bob@example.com")
    eve = await people.member("eve@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")
    content = jsonl({"text": "x"})

    annotator = await upload(bob.client, project, content)
    stranger = await upload(eve.client, project, content)
    anonymous = await upload(people.new_client(), project, content)

    assert (annotator.status_code, annotator.json()["error_code"]) == (403, "project_manager_required")
    assert (stranger.status_code, stranger.json()["error_code"]) == (404, "project_not_found")
    assert anonymous.status_code == 401
    assert await count(app, Job) == 0
    assert uploads_left(upload_dir) == []


async def test_an_admin_imports_into_any_project(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    admin = await people.admin()
    project = await new_project(ann.client)

    job = await imported(app, admin.client, project, jsonl({"text": "x", "labels": [[0, 1, "X"]]}))

    assert job["result"] == {"documents": 1, "annotations": 1, "labels_created": 1}
    assert job["owner_id"] == admin.id


@pytest.mark.parametrize(
    ("content_type", "params", "status", "error_code"),
    [
        (JSONL, {"format": "xml"}, 422, "validation_error"),
        ("application/json", {}, 415, "import_format_unknown"),
        ("application/json", {"format": "jsonl"}, 415, "import_format_unknown"),
        ("application/octet-stream", {}, 415, "import_format_unknown"),
        (None, {"format": "jsonl"}, 415, "import_format_unknown"),
    ],
)
async def test_the_format_must_be_known(
    app: FastAPI,
    people: PeopleFactory,
    content_type: str | None,
    params: dict[str, str],
    status: int,
    error_code: str,
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await upload(ann.client, project, jsonl({"text": "x"}), content_type=content_type, **params)

    assert (response.status_code, response.json()["error_code"]) == (status, error_code)
    assert await count(app, Job) == 0


async def test_marks_land_on_their_own_documents_across_batches(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    count_ = 2600  # more than a batch (2,000 lines) and than an INSERT's page of rows (1,000)
    lines = [
        {"text": f"doc {n}", "labels": [[0, 3, f"L{n % 3}"]]} if n % 2 else {"text": f"doc {n}"}
        for n in range(count_)
    ]

    job = await imported(app, ann.client, project, jsonl(*lines))

    assert job["result"] == {"documents": count_, "annotations": count_ // 2, "labels_created": 3}, job
    found = await marks_by_document(app)
    assert len(found) == count_ // 2
    for text, by_annotator in found.items():
        n = int(text.removeprefix("doc "))
        assert n % 2 == 1
        assert by_annotator == {str(ann.id): [(f"L{n % 3}", 0, 3)]}


async def test_an_import_whose_project_was_deleted_meanwhile_fails_and_removes_its_file(
    app: FastAPI, people: PeopleFactory, upload_dir: Path
) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    name = "orphan.upload"
    await asyncio.to_thread(write_upload, upload_dir / name, jsonl({"text": "x"}))
    await ann.client.delete(f"{PROJECTS}/{project['id']}")
    async with app.state.runtime.session_factory() as session, session.begin():
        job = Job(
            kind="annotations.import",
            owner_id=ann.id,
            payload={"project_id": project["id"], "file": name, "format": "jsonl"},
        )
        session.add(job)
        await session.flush()
        job_id = job.id

    await JobRunner(app.state.runtime).run(job_id)

    done = (await ann.client.get(f"/api/v1/jobs/{job_id}")).json()
    assert (done["status"], done["error"]) == ("failed", "the project was deleted")
    assert uploads_left(upload_dir) == []


async def test_an_upload_the_runner_cannot_see_fails_the_job_saying_why(
    app: FastAPI, people: PeopleFactory, upload_dir: Path
) -> None:
    """A worker whose upload directory is not the API's (not shared): a clear failure."""
    ann = await people.member()
    project = await new_project(ann.client)
    async with app.state.runtime.session_factory() as session, session.begin():
        job = Job(
            kind="annotations.import",
            owner_id=ann.id,
            payload={"project_id": project["id"], "file": "elsewhere.upload", "format": "jsonl"},
        )
        session.add(job)
        await session.flush()
        job_id = job.id

    await JobRunner(app.state.runtime).run(job_id)

    done = (await ann.client.get(f"/api/v1/jobs/{job_id}")).json()
    assert done["status"] == "failed"
    assert "KEEL_ANNOTATIONS_UPLOAD_DIR" in done["error"]
    assert done["result"] == {"upload_dir": str(upload_dir)}
    assert await nothing_imported(app)


def write_upload(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
