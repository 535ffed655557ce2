"""Agreement through HTTP, on small projects whose figures are worked out by hand below (the
formulas: docs/annotations.md, "Agreement"); who may see it."""

from typing import Any

import pytest
from fastapi import FastAPI

from tests.fixtures.accounts import PeopleFactory, Person
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project, seeded


class Team:
    """ann manages; bob, cat and dan annotate, in that order of user id."""

    def __init__(self, ann: Person, annotators: list[Person], project: dict[str, Any]) -> None:
        self.ann = ann
        self.bob, self.cat, self.dan = annotators
        self.project = project
        self.url = f"{PROJECTS}/{project['id']}/agreement"

    async def label(self, name: str) -> int:
        return int((await new_label(self.ann.client, self.project["id"], name))["id"])


async def team(people: PeopleFactory, kind: str) -> Team:
    ann = await people.member("ann@example.com")
    annotators = [await people.member(f"{name}@example.com") for name in ("bob", "cat", "dan")]
    project = await new_project(ann.client, kind=kind)
    for person in annotators:
        await add_member(ann.client, project["id"], person.id, "annotator")
    return Team(ann, annotators, project)


def kappa(percent: float, kappa: float | None) -> dict[str, Any]:
    return {
        "percent_agreement": pytest.approx(percent),
        "kappa": None if kappa is None else pytest.approx(kappa),
    }


def prf(precision: float | None, recall: float | None, f1: float | None) -> dict[str, Any]:
    return {
        name: None if value is None else pytest.approx(value)
        for name, value in (("precision", precision), ("recall", recall), ("f1", f1))
    }


async def test_single_label_kappa_over_categories_and_per_label(app: FastAPI, people: PeopleFactory) -> None:
    t = await team(people, "single_label")
    pos, neg, neu = await t.label("POS"), await t.label("NEG"), await t.label("NEU")
    project_id = t.project["id"]
    for bobs, cats in ((pos, pos), (pos, neg), (neg, neg), (neu, neg)):
        await seeded(app, project_id=project_id, annotations={t.bob.id: [bobs], t.cat.id: [cats]})
    await seeded(app, project_id=project_id, annotations={t.bob.id: [pos]})  # bob alone: not compared

    response = await t.ann.client.get(t.url)

    # 4 documents both annotated; same category on 2: p_o = 2/4 = 1/2.
    # bob: POS 2, NEG 1, NEU 1; cat: POS 1, NEG 3, NEU 0.
    # p_e = (2*1 + 1*3 + 1*0) / 4^2 = 5/16; kappa = (1/2 - 5/16) / (1 - 5/16) = (3/16) / (11/16) = 3/11.
    overall = kappa(1 / 2, 3 / 11)
    # Per label, yes/no on each of the 4 documents (both, bob only, cat only, neither):
    # POS: 1, 1, 0, 2 -> p_o = 3/4; bob yes 2/4, cat yes 1/4;
    #      p_e = 1/2*1/4 + 1/2*3/4 = 1/2; kappa = (3/4 - 1/2) / (1/2) = 1/2.
    # NEG: 1, 0, 2, 1 -> p_o = 2/4; bob 1/4, cat 3/4; p_e = 3/16 + 3/16 = 3/8;
    #      kappa = (1/2 - 3/8) / (5/8) = 1/5.
    # NEU: 0, 1, 0, 3 -> p_o = 3/4; bob 1/4, cat 0; p_e = 0 + 3/4*1 = 3/4; kappa = 0 / (1/4) = 0.
    labels = [
        {"label_id": neg, "name": "NEG", "figures": kappa(1 / 2, 1 / 5)},
        {"label_id": neu, "name": "NEU", "figures": kappa(3 / 4, 0)},
        {"label_id": pos, "name": "POS", "figures": kappa(3 / 4, 1 / 2)},
    ]
    assert response.status_code == 200
    assert response.json() == {
        "kind": "single_label",
        "pairs": [
            {"annotator_ids": [t.bob.id, t.cat.id], "documents": 4, "overall": overall, "labels": labels}
        ],
        "average": overall,  # one pair: its own figures
        "labels": labels,
    }


async def test_multi_label_kappa_pools_label_decisions_and_averages_pairs(
    app: FastAPI, people: PeopleFactory
) -> None:
    t = await team(people, "multi_label")
    a, b = await t.label("A"), await t.label("B")
    project_id = t.project["id"]
    await seeded(app, project_id=project_id, annotations={t.bob.id: [a, b], t.cat.id: [a], t.dan.id: [a]})
    await seeded(app, project_id=project_id, annotations={t.bob.id: [b], t.cat.id: [b]})
    await seeded(app, project_id=project_id, annotations={t.bob.id: [], t.cat.id: [a], t.dan.id: []})

    body = (await t.ann.client.get(t.url)).json()

    # (bob, cat) on documents 1, 2, 3 (n = 3); counts (both, bob only, cat only, neither):
    #   A: 1, 0, 1, 1 -> p_o = 2/3; bob 1/3, cat 2/3; p_e = 2/9 + 2/9 = 4/9; kappa = (2/9)/(5/9) = 2/5.
    #   B: 1, 1, 0, 1 -> p_o = 2/3; bob 2/3, cat 1/3; p_e = 4/9; kappa = 2/5.
    #   pooled over A and B, 6 decisions: 2, 1, 1, 2 -> p_o = 4/6 = 2/3; bob 3/6, cat 3/6;
    #   p_e = 1/4 + 1/4 = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3.
    # (bob, dan) on documents 1, 3 (n = 2):
    #   A: 1, 0, 0, 1 -> p_o = 1; bob 1/2, dan 1/2; p_e = 1/2; kappa = (1 - 1/2) / (1/2) = 1.
    #   B: 0, 1, 0, 1 -> p_o = 1/2; bob 1/2, dan 0; p_e = 0 + 1/2*1 = 1/2; kappa = 0.
    #   pooled, 4 decisions: 1, 1, 0, 2 -> p_o = 3/4; bob 2/4, dan 1/4; p_e = 1/8 + 3/8 = 1/2;
    #   kappa = (3/4 - 1/2) / (1/2) = 1/2.
    # (cat, dan) on documents 1, 3 (n = 2), only A used:
    #   A: 1, 1, 0, 0 -> p_o = 1/2; cat 1, dan 1/2; p_e = 1/2 + 0 = 1/2; kappa = 0. Pooled: the same.
    bob_cat = {"annotator_ids": [t.bob.id, t.cat.id], "documents": 3, "overall": kappa(2 / 3, 1 / 3)}
    bob_dan = {"annotator_ids": [t.bob.id, t.dan.id], "documents": 2, "overall": kappa(3 / 4, 1 / 2)}
    cat_dan = {"annotator_ids": [t.cat.id, t.dan.id], "documents": 2, "overall": kappa(1 / 2, 0)}
    assert [{key: pair[key] for key in bob_cat} for pair in body["pairs"]] == [bob_cat, bob_dan, cat_dan]
    assert [(label["name"], label["figures"]) for label in body["pairs"][1]["labels"]] == [
        ("A", kappa(1, 1)),
        ("B", kappa(1 / 2, 0)),
    ]
    # Means over the pairs: p_o (2/3 + 3/4 + 1/2) / 3 = 23/36; kappa (1/3 + 1/2 + 0) / 3 = 5/18.
    assert body["average"] == kappa(23 / 36, 5 / 18)
    # A in all three pairs: p_o (2/3 + 1 + 1/2) / 3 = 13/18, kappa (2/5 + 1 + 0) / 3 = 7/15;
    # B in (bob, cat) and (bob, dan): p_o (2/3 + 1/2) / 2 = 7/12, kappa (2/5 + 0) / 2 = 1/5.
    assert body["labels"] == [
        {"label_id": a, "name": "A", "figures": kappa(13 / 18, 7 / 15)},
        {"label_id": b, "name": "B", "figures": kappa(7 / 12, 1 / 5)},
    ]


async def test_span_precision_recall_and_f1_against_the_first_annotator(
    app: FastAPI, people: PeopleFactory
) -> None:
    t = await team(people, "spans")
    per, loc = await t.label("PER"), await t.label("LOC")
    project_id = t.project["id"]
    await seeded(
        app,
        project_id=project_id,
        annotations={
            t.bob.id: [(0, 3, per), (15, 20, loc)],
            t.cat.id: [(0, 3, per), (15, 20, per), (8, 11, per)],
        },
    )
    await seeded(app, project_id=project_id, annotations={t.bob.id: [(0, 4, per)], t.cat.id: []})

    body = (await t.ann.client.get(t.url)).json()

    # bob is the reference (A), cat the other (B). Exact matches: (0, 3, PER) only.
    # Overall (micro): matched 1, |A| = 3, |B| = 3: P = 1/3, R = 1/3, F1 = 2*1 / (3 + 3) = 1/3.
    # PER: matched 1, |A| = 2 ((0,3), (0,4)), |B| = 3: P = 1/3, R = 1/2,
    #      F1 = 2*1 / (2 + 3) = 2/5 (= 2PR/(P+R) = (1/3) / (5/6)).
    # LOC: matched 0, |A| = 1, |B| = 0: P = 0/0 -> null, R = 0/1 = 0, F1 = 0 / (1 + 0) = 0.
    overall = prf(1 / 3, 1 / 3, 1 / 3)
    labels = [
        {"label_id": loc, "name": "LOC", "figures": prf(None, 0, 0)},
        {"label_id": per, "name": "PER", "figures": prf(1 / 3, 1 / 2, 2 / 5)},
    ]
    assert body == {
        "kind": "spans",
        "pairs": [
            {"annotator_ids": [t.bob.id, t.cat.id], "documents": 2, "overall": overall, "labels": labels}
        ],
        "average": overall,
        "labels": labels,
    }


async def test_kappa_is_null_when_chance_agreement_is_certain(app: FastAPI, people: PeopleFactory) -> None:
    t = await team(people, "single_label")
    pos = await t.label("POS")
    for _ in range(2):
        await seeded(app, project_id=t.project["id"], annotations={t.bob.id: [pos], t.cat.id: [pos]})

    body = (await t.ann.client.get(t.url)).json()

    # Both always say POS: p_o = 1, p_e = 1*1 = 1, kappa = 0/0: undefined.
    assert body["pairs"][0]["overall"] == {"percent_agreement": 1.0, "kappa": None}
    assert body["average"] == {"percent_agreement": 1.0, "kappa": None}


@pytest.mark.parametrize("kind", ["spans", "single_label", "multi_label"])
async def test_without_two_annotators_on_a_document_there_are_no_pairs(
    app: FastAPI, people: PeopleFactory, kind: str
) -> None:
    t = await team(people, kind)
    label = await t.label("X")
    mark: int | tuple[int, int, int] = (0, 1, label) if kind == "spans" else label
    await seeded(app, project_id=t.project["id"], annotations={t.bob.id: [mark]})
    await seeded(app, project_id=t.project["id"], annotations={t.cat.id: [mark]})
    await seeded(app, project_id=t.project["id"])

    body = (await t.ann.client.get(t.url)).json()

    nothing = prf(None, None, None) if kind == "spans" else {"percent_agreement": None, "kappa": None}
    assert body == {"kind": kind, "pairs": [], "average": nothing, "labels": []}


async def test_two_empty_span_annotations_leave_every_figure_undefined(
    app: FastAPI, people: PeopleFactory
) -> None:
    t = await team(people, "spans")
    await seeded(app, project_id=t.project["id"], annotations={t.bob.id: [], t.cat.id: []})

    body = (await t.ann.client.get(t.url)).json()

    # matched 0, |A| = 0, |B| = 0: every denominator is 0.
    assert body["pairs"] == [
        {
            "annotator_ids": [t.bob.id, t.cat.id],
            "documents": 1,
            "overall": prf(None, None, None),
            "labels": [],
        }
    ]


async def test_managers_reviewers_and_admins_see_agreement_annotators_do_not(people: PeopleFactory) -> None:
    t = await team(people, "spans")
    reviewer = await people.member("rev@example.com")
    await add_member(t.ann.client, t.project["id"], reviewer.id, "reviewer")
    admin = await people.admin()
    stranger = await people.member("eve@example.com")

    refused = await t.bob.client.get(t.url)
    hidden = await stranger.client.get(t.url)
    anonymous = await people.new_client().get(t.url)

    assert refused.status_code == 403
    assert refused.json()["error_code"] == "agreement_not_visible"
    assert hidden.status_code == 404
    assert anonymous.status_code == 401
    for person in (t.ann, reviewer, admin):
        assert (await person.client.get(t.url)).status_code == 200
