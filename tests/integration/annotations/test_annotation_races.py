"""Annotation writes and reviews of one document under racing requests: they take turns on
the document, so a first PUT racing another becomes its update, one `If-Match` wins once,
and an edit never lands on a document being approved; never a 500."""

from fastapi import FastAPI
from sqlalchemy import func, select

from app.domains.annotations.models import Annotation, Document
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, new_label
from tests.integration.annotations.team import make_team, span
from tests.races import RACERS, ROUNDS, count, race


async def test_first_puts_at_once_make_one_annotation(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)

    outcome = await race(
        [
            team.bob.client.put(team.annotation(), json={"marks": [span(team.per, n, n + 1)]})
            for n in range(RACERS)
        ]
    )
    final = await team.bob.client.get(team.annotation())

    assert outcome == {(201, None): 1, (200, None): RACERS - 1}
    assert final.json()["version"] == RACERS
    assert await count(people, select(func.count()).select_from(Annotation)) == 1


async def test_create_only_puts_at_once_make_one_annotation(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    body = {"marks": [span(team.per, 0, 3)]}

    outcome = await race(
        [
            team.bob.client.put(team.annotation(), json=body, headers={"If-None-Match": "*"})
            for _ in range(RACERS)
        ]
    )

    assert outcome == {(201, None): 1, (412, "precondition_failed"): RACERS - 1}


async def test_one_etag_is_written_over_once(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    created = await team.bob.client.put(team.annotation(), json={"marks": []})
    etag = created.headers["ETag"]

    outcome = await race(
        [
            team.bob.client.put(
                team.annotation(), json={"marks": [span(team.per, n, n + 1)]}, headers={"If-Match": etag}
            )
            for n in range(RACERS)
        ]
    )

    assert outcome == {(200, None): 1, (412, "precondition_failed"): RACERS - 1}


async def test_annotators_at_once_each_get_theirs(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people, collaborative=True)
    body = {"marks": [span(team.per, 0, 3)]}

    outcome = await race(
        [team.bob.client.put(team.annotation(), json=body), team.cat.client.put(team.annotation(), json=body)]
    )

    assert outcome == {(201, None): 2}
    assert await count(people, select(func.count()).select_from(Annotation)) == 2


async def test_an_edit_racing_an_approval_never_lands_on_the_approved_document(
    app: FastAPI, people: PeopleFactory
) -> None:
    team = await make_team(app, people)
    await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 3)]})
    for n in range(ROUNDS):
        outcome = await race(
            [
                team.rex.client.post(f"{team.document}/approve"),
                team.bob.client.put(team.annotation(), json={"marks": [span(team.per, n, n + 2)]}),
                team.cat.client.put(team.annotation(), json={"marks": [span(team.loc, n, n + 2)]}),
            ]
        )

        assert set(outcome) <= {(200, None), (201, None), (409, "document_approved")}
        assert outcome[(200, None)] + outcome[(201, None)] >= 1  # the approval, at least
        async with app.state.runtime.session_factory() as session:
            document = await session.get(Document, team.document_id)
            assert document is not None
            assert document.status == "approved"
            assert document.reviewed_at is not None
            latest = await session.scalar(
                select(func.max(Annotation.updated_at)).where(Annotation.document_id == team.document_id)
            )
            assert latest is not None
            assert latest <= document.reviewed_at  # what was approved is what is there
        reopened = await team.rex.client.post(f"{team.document}/reopen")
        assert reopened.status_code == 200


async def test_deletes_racing_a_review_leave_a_consistent_status(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    for _ in range(ROUNDS):
        await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 3)]})

        outcome = await race(
            [team.rex.client.post(f"{team.document}/reject"), team.bob.client.delete(team.annotation())]
        )

        assert set(outcome) <= {(200, None), (204, None), (409, "nothing_to_review")}
        async with app.state.runtime.session_factory() as session:
            status = await session.scalar(select(Document.status).where(Document.id == team.document_id))
        # The delete ran last, or the rejection found nothing to review: either way nothing is left.
        assert status == "unannotated"


async def test_one_approval_of_many_at_once(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    await team.bob.client.put(team.annotation(), json={"marks": []})

    outcome = await race(
        [
            (team.rex if n % 2 else team.ann).client.post(
                f"{team.document}/approve", json={"comment": str(n)}
            )
            for n in range(RACERS)
        ]
    )

    assert outcome == {(200, None): 1, (409, "already_approved"): RACERS - 1}


async def test_a_label_deleted_while_an_annotation_takes_it(app: FastAPI, people: PeopleFactory) -> None:
    team = await make_team(app, people)
    labels = f"{PROJECTS}/{team.project['id']}/labels"
    for n in range(ROUNDS):
        label = await new_label(team.ann.client, team.project["id"], f"label {n}")

        outcome = await race(
            [
                team.ann.client.delete(f"{labels}/{label['id']}"),
                team.bob.client.put(team.annotation(), json={"marks": [span(label["id"], 0, 3)]}),
            ]
        )

        # Whoever gets there first wins; the other is a 4xx that says why, never a 500.
        assert set(outcome) <= {
            (200, None),
            (201, None),
            (204, None),
            (409, "label_in_use"),
            (409, "reference_removed"),
            (422, "unknown_label"),
        }
        assert sum(status < 300 for status, _ in outcome.elements()) == 1
