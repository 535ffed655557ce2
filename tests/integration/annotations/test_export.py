"""A project's export through HTTP: JSON lines in the format import reads, every document or
the approved ones, everyone's labels or one annotator's, streamed a batch at a time; who may
export what."""

import json
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import Response

from app.domains.annotations.models import DocumentStatus
from app.domains.annotations.service import export
from tests.fixtures.accounts import PeopleFactory, Person
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project, seeded

TEXT = "Ann met Bob in Paris."


def lines(response: Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.text == "" or response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


class SpansProject:
    """ann manages, bob annotates; three documents: one approved with both annotators'
    spans, one unannotated, one with bob's empty annotation."""

    def __init__(self, ann: Person, bob: Person, project: dict[str, Any], documents: list[int]) -> None:
        self.ann, self.bob, self.project, self.documents = ann, bob, project, documents
        self.url = f"{PROJECTS}/{project['id']}/export"


@pytest.fixture
async def spans(app: FastAPI, people: PeopleFactory) -> SpansProject:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")
    per = (await new_label(ann.client, project["id"], "PER"))["id"]
    loc = (await new_label(ann.client, project["id"], "LOC"))["id"]
    documents = [
        await seeded(
            app,
            project_id=project["id"],
            text=TEXT,
            meta={"source": "news", "id": "theirs", "status": "theirs"},
            status=DocumentStatus.APPROVED,
            annotations={ann.id: [(15, 20, loc), (0, 3, per)], bob.id: [(0, 3, per), (8, 11, per)]},
        ),
        await seeded(app, project_id=project["id"], text="Nothing here."),
        await seeded(app, project_id=project["id"], text="Zoë in Kraków.", annotations={bob.id: []}),
    ]
    return SpansProject(ann, bob, project, documents)


async def test_the_default_export_has_every_document_with_everyones_labels(spans: SpansProject) -> None:
    response = await spans.ann.client.get(spans.url)

    first, second, third = spans.documents
    assert lines(response) == [
        {
            "source": "news",
            "id": first,
            "text": TEXT,
            "labels": [[0, 3, "PER"], [8, 11, "PER"], [15, 20, "LOC"]],
            "annotations": [
                {"annotator": "ann@example.com", "labels": [[0, 3, "PER"], [15, 20, "LOC"]]},
                {"annotator": "bob@example.com", "labels": [[0, 3, "PER"], [8, 11, "PER"]]},
            ],
            "status": "approved",
        },
        {"id": second, "text": "Nothing here.", "labels": [], "annotations": [], "status": "unannotated"},
        {
            "id": third,
            "text": "Zoë in Kraków.",
            "labels": [],
            "annotations": [{"annotator": "bob@example.com", "labels": []}],
            "status": "annotated",
        },
    ]
    assert "Zoë in Kraków." in response.text  # UTF-8, not \u escapes
    assert response.headers["content-disposition"] == (
        f'attachment; filename="project-{spans.project["id"]}.jsonl"'
    )


async def test_the_export_is_gzipped_for_clients_that_accept_it(spans: SpansProject) -> None:
    gzipped = await spans.ann.client.get(spans.url, headers={"Accept-Encoding": "gzip"})
    plain = await spans.ann.client.get(spans.url, headers={"Accept-Encoding": "identity"})

    assert gzipped.headers["content-encoding"] == "gzip"  # once, by the export: not again by the middleware
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert lines(gzipped) == lines(plain)
    assert len(plain.content) == len(plain.text.encode())


async def test_one_annotators_export_has_every_document_with_their_labels_only(spans: SpansProject) -> None:
    response = await spans.ann.client.get(spans.url, params={"annotator_id": spans.bob.id})

    exported = lines(response)
    assert [(line["id"], line["labels"]) for line in exported] == [
        (spans.documents[0], [[0, 3, "PER"], [8, 11, "PER"]]),
        (spans.documents[1], []),
        (spans.documents[2], []),
    ]
    assert all("annotations" not in line for line in exported)
    assert f"annotator-{spans.bob.id}.jsonl" in response.headers["content-disposition"]


async def test_the_approved_export_has_the_approved_documents_only(spans: SpansProject) -> None:
    everyone = await spans.ann.client.get(spans.url, params={"approved": "true"})
    mine = await spans.ann.client.get(spans.url, params={"approved": "true", "annotator_id": "me"})
    all_of_them = await spans.ann.client.get(spans.url, params={"approved": "false"})

    assert [(line["id"], len(line["annotations"])) for line in lines(everyone)] == [(spans.documents[0], 2)]
    assert [line["labels"] for line in lines(mine)] == [[[0, 3, "PER"], [15, 20, "LOC"]]]
    assert len(lines(all_of_them)) == 3
    assert "-approved" in everyone.headers["content-disposition"]


async def test_a_classification_export_writes_label_names(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    project = await new_project(ann.client, kind="multi_label")
    sports = (await new_label(ann.client, project["id"], "sports"))["id"]
    politics = (await new_label(ann.client, project["id"], "politics"))["id"]
    await seeded(app, project_id=project["id"], annotations={ann.id: [sports, politics]})

    response = await ann.client.get(f"{PROJECTS}/{project['id']}/export")

    [line] = lines(response)
    assert line["labels"] == ["politics", "sports"]
    assert line["annotations"] == [{"annotator": "ann@example.com", "labels": ["sports", "politics"]}]


async def test_the_export_reads_the_project_a_batch_at_a_time(
    app: FastAPI, people: PeopleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = await people.member("ann@example.com")
    project = await new_project(ann.client, kind="single_label")
    label = (await new_label(ann.client, project["id"], "spam"))["id"]
    documents = [
        await seeded(app, project_id=project["id"], text=f"text {number}", annotations={ann.id: [label]})
        for number in range(5)
    ]
    monkeypatch.setattr(export, "EXPORT_BATCH", 2)  # batches of 2, 2 and 1

    exported = lines(await ann.client.get(f"{PROJECTS}/{project['id']}/export"))

    assert [(line["id"], line["text"], line["labels"]) for line in exported] == [
        (document, f"text {number}", ["spam"]) for number, document in enumerate(documents)
    ]


async def test_an_empty_project_exports_an_empty_body(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.get(f"{PROJECTS}/{project['id']}/export")

    assert lines(response) == []
    assert response.content == b""


async def test_an_annotator_exports_only_their_own_annotations(spans: SpansProject) -> None:
    everything = await spans.bob.client.get(spans.url)
    anns = await spans.bob.client.get(spans.url, params={"annotator_id": spans.ann.id})
    mine = await spans.bob.client.get(spans.url, params={"annotator_id": "me"})
    mine_by_id = await spans.bob.client.get(spans.url, params={"annotator_id": spans.bob.id})

    for refused in (everything, anns):
        assert refused.status_code == 403
        assert refused.json()["error_code"] == "export_own_annotations_only"
    assert lines(mine) == lines(mine_by_id)
    assert lines(mine)[0]["labels"] == [[0, 3, "PER"], [8, 11, "PER"]]


async def test_annotators_of_a_collaborative_project_export_everything(
    spans: SpansProject,
) -> None:
    made = await spans.ann.client.put(f"{PROJECTS}/{spans.project['id']}", json={"collaborative": True})
    assert made.status_code == 200

    response = await spans.bob.client.get(spans.url)

    assert len(lines(response)[0]["annotations"]) == 2


async def test_reviewers_and_admins_export_everything(spans: SpansProject, people: PeopleFactory) -> None:
    cat = await people.member("cat@example.com")
    await add_member(spans.ann.client, spans.project["id"], cat.id, "reviewer")
    admin = await people.admin()

    for person in (cat, admin):
        assert len(lines(await person.client.get(spans.url))[0]["annotations"]) == 2


async def test_strangers_and_the_anonymous_cannot_export(spans: SpansProject, people: PeopleFactory) -> None:
    stranger = await people.member("eve@example.com")

    hidden = await stranger.client.get(spans.url)
    anonymous = await people.new_client().get(spans.url)
    missing = await spans.ann.client.get(f"{PROJECTS}/2147483647/export")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error_code"] == "project_not_found"
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"annotator_id": "0"},
        {"annotator_id": "-1"},
        {"annotator_id": "someone"},
        {"annotator_id": "2147483648"},
        {"annotator_id": ""},
        {"approved": "perhaps"},
    ],
)
async def test_bad_export_parameters_are_refused(spans: SpansProject, params: dict[str, str]) -> None:
    response = await spans.ann.client.get(spans.url, params=params)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"
