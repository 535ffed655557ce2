"""Annotations through HTTP: each annotator's marks on a document, checked against its text
(code points) and the project (kind, labels, overlaps), seen and changed by whom the project
allows, versioned with ETags, and the document's status kept in step."""

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.domains.annotations.models import Annotation, Mark
from app.domains.annotations.schemas import MAX_MARKS_PER_ANNOTATION
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, new_label, new_project, stored_document
from tests.integration.annotations.team import TEXT, make_team, span, status_of
from tests.races import count


async def test_an_annotator_creates_reads_replaces_and_deletes_their_annotation(
    app: FastAPI, people: PeopleFactory
) -> None:
    team = await make_team(app, people)
    marks = [span(team.loc, 35, 41), span(team.per, 0, 12)]

    created = await team.bob.client.put(team.annotation(), json={"marks": marks})
    read = await team.bob.client.get(team.annotation(team.bob.id))
    replaced = await team.bob.client.put(
        team.annotation(),
        json={"marks": [span(team.per, 17, 32)]},
        headers={"If-Match": created.headers["ETag"]},
    )
    listed = await team.bob.client.get(f"{team.document}/annotations")
    deleted = await team.bob.client.delete(team.annotation(), headers={"If-Match": replaced.headers["ETag"]})
    gone = await team.bob.client.get(team.annotation())

    assert created.status_code == 201
    body = created.json()
    assert body == {
        "id": body["id"],
        "document_id": team.document_id,
        "annotator_id": team.bob.id,
        "version": 1,
        "marks": [span(team.per, 0, 12), span(team.loc, 35, 41)],  # in text order
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert created.headers["ETag"] == f'"{body["id"]}-1"'
    assert read.json() == body
    assert read.headers["ETag"] == created.headers["ETag"]
    assert replaced.status_code == 200
    assert replaced.json()["version"] == 2
    assert replaced.json()["marks"] == [span(team.per, 17, 32)]
    assert replaced.headers["ETag"] == f'"{body["id"]}-2"'
    assert listed.json() == [replaced.json()]
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.json()["error_code"] == "annotation_not_found"
    assert await count(people, select(func.count()).select_from(Mark)) == 0


async def test_spans_count_code_points(app: FastAPI, people: PeopleFactory) -> None:
    text = "🦀 crab and 👩‍🔬 scientist"  # a non-BMP character, and a ZWJ sequence of three code points
    team = await make_team(app, people, text=text)
    crab, scientist = text.index("crab"), text.index("scientist")

    saved = await team.bob.client.put(
        team.annotation(),
        json={"marks": [span(team.per, crab, crab + 4), span(team.per, scientist, len(text))]},
    )
    past_the_end = await team.bob.client.put(
        team.annotation(), json={"marks": [span(team.per, 0, len(text) + 1)]}
    )

    assert (crab, scientist, len(text)) == (2, 15, 24)  # UTF-16 would count 3, 18 and 27
    assert saved.status_code == 201, saved.text
    assert past_the_end.status_code == 422
    assert past_the_end.json()["error_code"] == "invalid_span"
    assert past_the_end.json()["details"] == {"mark": 0, "start": 0, "end": 25, "length": 24}


@pytest.mark.parametrize(
    ("marks", "error_code", "details"),
    [
        ([span(0, 0, 3)], "unknown_label", {"mark": 0, "label_id": 0}),
        ([{"label_id": "PER"}], "span_required", {"mark": 0}),
        ([{"label_id": "PER", "start": 3}], "span_required", {"mark": 0}),
        ([span("PER", 5, 5)], "invalid_span", {"mark": 0, "start": 5, "end": 5, "length": len(TEXT)}),
        ([span("PER", 6, 2)], "invalid_span", {"mark": 0, "start": 6, "end": 2, "length": len(TEXT)}),
        ([span("PER", 40, 44)], "invalid_span", {"mark": 0, "start": 40, "end": 44, "length": len(TEXT)}),
        ([span("PER", 0, 3), span("PER", 0, 3)], "duplicate_mark", {"mark": 1, "first": 0}),
        ([span("PER", 0, 12), span("LOC", 4, 12)], "overlapping_spans", {"mark": 1, "other": 0}),
        ([span("PER", 0, 12), span("LOC", 0, 12)], "overlapping_spans", {"mark": 1, "other": 0}),
        ([span("LOC", 35, 41), span("PER", 0, 40)], "overlapping_spans", {"mark": 1, "other": 0}),
    ],
)
async def test_marks_that_do_not_fit_are_refused(
    app: FastAPI, people: PeopleFactory, marks: list[dict[str, Any]], error_code: str, details: dict[str, Any]
) -> None:
    team = await make_team(app, people)
    labels = {"PER": team.per, "LOC": team.loc, 0: 999_999}
    marks = [
        {**mark, "label_id": labels[mark["label_id"]]} for mark in marks
    ]  # the parameters stay as they are
    if error_code == "unknown_label":
        details = {**details, "label_id": 999_999}

    response = await team.bob.client.put(team.annotation(), json={"marks": marks})
    russian = await team.bob.client.put(
        team.annotation(), json={"marks": marks}, headers={"Accept-Language": "ru"}
    )

    assert response.status_code == 422
    assert response.json()["error_code"] == error_code
    assert response.json()["details"] == details
    assert russian.json()["message"] != response.json()["message"]
    assert await count(people, select(func.count()).select_from(Annotation)) == 0


async def test_touching_spans_do_not_overlap_and_overlaps_pass_where_allowed(
    app: FastAPI, people: PeopleFactory
) -> None:
    team = await make_team(app, people, allow_overlapping_spans=True)
    strict = await new_project(team.ann.client)
    strict_label = await new_label(team.ann.client, strict["id"], "PER")
    strict_document = await stored_document(app, project_id=strict["id"], text="abcdefghij")
    strict_url = f"{PROJECTS}/{strict['id']}/documents/{strict_document}/annotations/me"

    overlapping = await team.bob.client.put(
        team.annotation(),
        json={"marks": [span(team.per, 0, 12), span(team.loc, 4, 12), span(team.per, 4, 12)]},
    )
    touching = await team.ann.client.put(
        strict_url, json={"marks": [span(strict_label["id"], 5, 9), span(strict_label["id"], 0, 5)]}
    )

    assert overlapping.status_code == 201, overlapping.text
    assert [mark["start"] for mark in overlapping.json()["marks"]] == [0, 4, 4]
    assert touching.status_code == 201, touching.text


@pytest.mark.parametrize(
    ("kind", "marks", "status", "error_code"),
    [
        ("single_label", ["PER"], 201, None),
        ("single_label", [], 422, "one_label_expected"),
        ("single_label", ["PER", "LOC"], 422, "one_label_expected"),
        ("multi_label", ["PER", "LOC"], 201, None),
        ("multi_label", [], 201, None),
        ("multi_label", ["PER", "PER"], 422, "duplicate_mark"),
        ("multi_label", [("PER", 0, 3)], 422, "span_not_allowed"),
        ("single_label", [("PER", 0, 3)], 422, "span_not_allowed"),
        ("spans", ["PER"], 422, "span_required"),
        ("spans", [], 201, None),
    ],
)
async def test_the_project_kind_decides_the_shape_of_marks(
    app: FastAPI, people: PeopleFactory, kind: str, marks: list[Any], status: int, error_code: str | None
) -> None:
    team = await make_team(app, people, kind=kind)
    labels = {"PER": team.per, "LOC": team.loc}
    body = [
        span(labels[mark[0]], mark[1], mark[2]) if isinstance(mark, tuple) else {"label_id": labels[mark]}
        for mark in marks
    ]

    response = await team.bob.client.put(team.annotation(), json={"marks": body})

    assert response.status_code == status, response.text
    if error_code:
        assert response.json()["error_code"] == error_code
    else:
        shown = response.json()["marks"]
        assert (
            shown
            == sorted(
                ({"label_id": labels[mark], "start": None, "end": None} for mark in marks),
                key=lambda mark: int(mark["label_id"] or 0),
            )
            or kind == "spans"
        )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"marks": None},
        {"marks": "PER"},
        {"marks": [{"start": 0, "end": 3}]},
        {"marks": [{"label_id": 1, "start": -1, "end": 3}]},
        {"marks": [{"label_id": 1, "start": 0, "end": 2**31}]},
        {"marks": [{"label_id": 0, "start": 0, "end": 3}]},
        {"marks": [{"label_id": 1, "start": 0, "end": 3, "colour": "red"}]},
        {"marks": [], "annotator_id": 1},
    ],
)
async def test_invalid_bodies_are_refused(app: FastAPI, people: PeopleFactory, body: dict[str, Any]) -> None:
    team = await make_team(app, people)

    response = await team.bob.client.put(team.annotation(), json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"


async def test_an_annotation_has_a_bounded_number_of_marks(app: FastAPI, people: PeopleFactory) -> None:
    text = "x" * (MAX_MARKS_PER_ANNOTATION + 1)
    team = await make_team(app, people, text=text)
    at_most = [span(team.per, n, n + 1) for n in range(MAX_MARKS_PER_ANNOTATION)]

    fits = await team.bob.client.put(team.annotation(), json={"marks": at_most})
    beyond = await team.bob.client.put(
        team.annotation(), json={"marks": [*at_most, span(team.per, MAX_MARKS_PER_ANNOTATION, len(text))]}
    )

    assert fits.status_code == 201
    assert len(fits.json()["marks"]) == MAX_MARKS_PER_ANNOTATION
    assert beyond.status_code == 422
    assert beyond.json()["error_code"] == "validation_error"


async def test_strangers_and_anonymous_callers_see_nothing(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    stranger = await people.member("eve@example.com")
    await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 3)]})
    anonymous = people.new_client()

    answers = [
        await stranger.client.get(f"{team.document}/annotations"),
        await stranger.client.get(team.annotation(team.bob.id)),
        await stranger.client.put(team.annotation(), json={"marks": []}),
        await stranger.client.delete(team.annotation(team.bob.id)),
    ]
    unauthenticated = [
        await anonymous.get(f"{team.document}/annotations"),
        await anonymous.put(team.annotation(team.bob.id), json={"marks": []}),
        await anonymous.delete(team.annotation(team.bob.id)),
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.json()["error_code"] == "project_not_found"
    for response in unauthenticated:
        assert response.status_code == 401


async def test_a_document_of_another_project_is_not_found(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    other = await new_project(team.ann.client)
    elsewhere = await stored_document(app, project_id=other["id"], text="elsewhere")
    url = f"{PROJECTS}/{team.project['id']}/documents/{elsewhere}/annotations"

    listed = await team.ann.client.get(url)
    written = await team.ann.client.put(f"{url}/me", json={"marks": []})

    for response in (listed, written):
        assert response.status_code == 404
        assert response.json()["error_code"] == "document_not_found"


async def test_annotators_see_only_their_own_unless_the_project_is_collaborative(
    app: FastAPI, people: PeopleFactory
) -> None:
    team = await make_team(app, people)
    await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 3)]})
    await team.cat.client.put(team.annotation(), json={"marks": [span(team.loc, 35, 41)]})

    cat_sees = await team.cat.client.get(f"{team.document}/annotations")
    cat_reads_bob = await team.cat.client.get(team.annotation(team.bob.id))
    rex_sees = await team.rex.client.get(f"{team.document}/annotations")
    ann_reads_bob = await team.ann.client.get(team.annotation(team.bob.id))
    await team.ann.client.put(f"{PROJECTS}/{team.project['id']}", json={"collaborative": True})
    cat_sees_now = await team.cat.client.get(f"{team.document}/annotations")

    assert [item["annotator_id"] for item in cat_sees.json()] == [team.cat.id]
    assert cat_reads_bob.status_code == 404
    assert cat_reads_bob.json()["error_code"] == "annotation_not_found"
    assert [item["annotator_id"] for item in rex_sees.json()] == [team.bob.id, team.cat.id]
    assert ann_reads_bob.status_code == 200
    assert [item["annotator_id"] for item in cat_sees_now.json()] == [team.bob.id, team.cat.id]


async def test_who_writes_whose_annotation(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    admin = await people.admin()
    body = {"marks": [span(team.per, 0, 3)]}

    cat_over_bob = await team.cat.client.put(team.annotation(team.bob.id), json=body)
    cat_deletes_bob = await team.cat.client.delete(team.annotation(team.bob.id))
    rex_own = await team.rex.client.put(team.annotation(), json=body)
    ann_for_bob = await team.ann.client.put(team.annotation(team.bob.id), json=body)
    ann_for_rex = await team.ann.client.put(team.annotation(team.rex.id), json=body)
    ann_for_nobody = await team.ann.client.put(team.annotation(2_000_000), json=body)
    ann_own = await team.ann.client.put(team.annotation(), json=body)
    admin_for_cat = await admin.client.put(team.annotation(team.cat.id), json=body)
    await team.ann.client.put(f"{PROJECTS}/{team.project['id']}", json={"collaborative": True})
    cat_over_bob_now = await team.cat.client.put(team.annotation(team.bob.id), json=body)
    rex_over_bob_now = await team.rex.client.put(team.annotation(team.bob.id), json=body)

    assert cat_over_bob.status_code == cat_deletes_bob.status_code == 403
    assert cat_over_bob.json()["error_code"] == "own_annotations_only"
    assert rex_own.status_code == rex_over_bob_now.status_code == 403
    assert rex_own.json()["error_code"] == "annotator_required"
    assert ann_for_bob.status_code == 201
    assert ann_for_bob.json()["annotator_id"] == team.bob.id
    assert ann_for_rex.status_code == ann_for_nobody.status_code == 404
    assert ann_for_rex.json()["error_code"] == "annotator_not_found"
    assert ann_own.status_code == 201
    assert admin_for_cat.status_code == 201
    assert cat_over_bob_now.status_code == 200


@pytest.mark.parametrize("annotator", ["0", "-1", "you", "2147483648", "1.5"])
async def test_an_annotator_is_an_id_or_me(app: FastAPI, people: PeopleFactory, annotator: str) -> None:
    team = await make_team(app, people)

    response = await team.ann.client.get(team.annotation(annotator))

    assert response.status_code == 422


async def test_etags_guard_against_lost_updates(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    body = {"marks": [span(team.per, 0, 3)]}
    first = await team.bob.client.put(team.annotation(), json=body)
    stale = first.headers["ETag"]
    await team.bob.client.put(team.annotation(), json={"marks": []}, headers={"If-Match": stale})

    overwrite = await team.bob.client.put(team.annotation(), json=body, headers={"If-Match": stale})
    remove = await team.bob.client.delete(team.annotation(), headers={"If-Match": stale})
    create_only = await team.bob.client.put(team.annotation(), json=body, headers={"If-None-Match": "*"})
    cat_creates_only = await team.cat.client.put(team.annotation(), json=body, headers={"If-None-Match": "*"})
    cat_matches_nothing = await team.cat.client.put(
        team.annotation(team.cat.id), json=body, headers={"If-Match": cat_creates_only.headers["ETag"]}
    )
    await team.cat.client.delete(team.annotation())
    none_to_match = await team.cat.client.put(team.annotation(), json=body, headers={"If-Match": stale})

    for response in (overwrite, remove, create_only):
        assert response.status_code == 412
        assert response.json()["error_code"] == "precondition_failed"
        assert response.json()["details"] == {"current_etag": f'"{first.json()["id"]}-2"'}
    assert cat_creates_only.status_code == 201
    assert cat_matches_nothing.status_code == 200
    assert none_to_match.status_code == 412
    assert (await team.bob.client.get(team.annotation())).json()["marks"] == []


async def test_the_document_status_follows_its_annotations(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    body = {"marks": [span(team.per, 0, 3)]}
    seen = [await status_of(app, team.document_id)]

    await team.bob.client.put(team.annotation(), json=body)
    seen.append(await status_of(app, team.document_id))
    await team.cat.client.put(team.annotation(), json=body)
    await team.rex.client.post(f"{team.document}/reject", json={"comment": "PER spans whole names"})
    seen.append(await status_of(app, team.document_id))
    await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 12)]})
    seen.append(await status_of(app, team.document_id))
    await team.bob.client.delete(team.annotation())
    seen.append(await status_of(app, team.document_id))
    await team.cat.client.delete(team.annotation())
    seen.append(await status_of(app, team.document_id))

    assert seen == ["unannotated", "annotated", "rejected", "annotated", "annotated", "unannotated"]


async def test_an_approved_document_is_read_only_until_reopened(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    body = {"marks": [span(team.per, 0, 3)]}
    created = await team.bob.client.put(team.annotation(), json=body)
    await team.rex.client.post(f"{team.document}/approve")

    refused = [
        await team.bob.client.put(team.annotation(), json={"marks": []}),
        await team.cat.client.put(team.annotation(), json=body),
        await team.ann.client.put(team.annotation(team.bob.id), json={"marks": []}),
        await team.bob.client.delete(team.annotation(), headers={"If-Match": created.headers["ETag"]}),
    ]
    readable = await team.bob.client.get(team.annotation())
    await team.rex.client.post(f"{team.document}/reopen")
    changed = await team.bob.client.put(team.annotation(), json={"marks": []})

    for response in refused:
        assert response.status_code == 409
        assert response.json()["error_code"] == "document_approved"
    assert readable.json() == created.json()
    assert changed.status_code == 200
    assert await status_of(app, team.document_id) == "annotated"


async def test_a_label_in_use_is_not_deleted(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 3)]})
    labels = f"{PROJECTS}/{team.project['id']}/labels"

    in_use = await team.ann.client.delete(f"{labels}/{team.per}")
    await team.bob.client.put(team.annotation(), json={"marks": [span(team.loc, 0, 3)]})
    freed = await team.ann.client.delete(f"{labels}/{team.per}")

    assert in_use.status_code == 409
    assert in_use.json()["error_code"] == "label_in_use"
    assert freed.status_code == 204
