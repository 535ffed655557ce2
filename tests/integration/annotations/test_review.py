"""Review through HTTP: reviewers and managers approve, reject and reopen annotated documents;
each decision is recorded with who made it, when and what they said."""

from typing import Any

import pytest
from fastapi import FastAPI

from tests.fixtures.accounts import PeopleFactory
from tests.integration.annotations.team import TEXT, Team, make_team, span, status_of
from tests.unstorable import NUL, SURROGATE, assert_refused, send


async def annotated_team(app: FastAPI, people: PeopleFactory) -> Team:
    team = await make_team(app, people)
    response = await team.bob.client.put(team.annotation(), json={"marks": [span(team.per, 0, 12)]})
    assert response.status_code == 201, response.text
    return team


async def test_a_reviewer_approves_and_the_document_says_so(app: FastAPI, people: PeopleFactory) -> None:
    team = await annotated_team(app, people)

    approved = await team.rex.client.post(f"{team.document}/approve", json={"comment": "  fine  "})

    assert approved.status_code == 200
    body = approved.json()
    assert body == {
        "id": team.document_id,
        "project_id": team.project["id"],
        "text": TEXT,
        "meta": {},
        "status": "approved",
        "reviewed_by": team.rex.id,
        "reviewed_at": body["reviewed_at"],
        "review_comment": "fine",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["reviewed_at"] is not None
    assert await status_of(app, team.document_id) == "approved"


async def test_reject_then_reopen_record_the_last_decision(app: FastAPI, people: PeopleFactory) -> None:
    team = await annotated_team(app, people)

    rejected = await team.ann.client.post(f"{team.document}/reject", json={"comment": "LOC is missing"})
    again = await team.rex.client.post(f"{team.document}/reject")
    approved = await team.rex.client.post(f"{team.document}/approve", content=b"")
    reopened = await team.ann.client.post(f"{team.document}/reopen", json={"comment": "one more look"})

    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reviewed_by"] == team.ann.id
    assert rejected.json()["review_comment"] == "LOC is missing"
    assert again.json()["status"] == "rejected"
    assert again.json()["review_comment"] is None
    assert approved.status_code == 200, approved.text
    assert reopened.json()["status"] == "annotated"
    assert reopened.json()["reviewed_by"] == team.ann.id
    assert reopened.json()["review_comment"] == "one more look"


async def test_admins_review_without_being_members(app: FastAPI, people: PeopleFactory) -> None:
    team = await annotated_team(app, people)
    admin = await people.admin()

    response = await admin.client.post(f"{team.document}/approve")

    assert response.status_code == 200
    assert response.json()["reviewed_by"] == admin.id


@pytest.mark.parametrize("action", ["approve", "reject", "reopen"])
async def test_annotators_do_not_review(app: FastAPI, people: PeopleFactory, action: str) -> None:
    team = await annotated_team(app, people)

    response = await team.bob.client.post(f"{team.document}/{action}")
    russian = await team.bob.client.post(f"{team.document}/{action}", headers={"Accept-Language": "ru"})

    assert response.status_code == 403
    assert response.json()["error_code"] == "reviewer_required"
    assert russian.json()["message"].startswith("Проверять")
    assert await status_of(app, team.document_id) == "annotated"


@pytest.mark.parametrize("action", ["approve", "reject", "reopen"])
async def test_strangers_and_anonymous_callers_do_not_review(
    app: FastAPI, people: PeopleFactory, action: str
) -> None:
    team = await annotated_team(app, people)
    stranger = await people.member("eve@example.com")

    hidden = await stranger.client.post(f"{team.document}/{action}")
    anonymous = await people.new_client().post(f"{team.document}/{action}")
    elsewhere = await team.rex.client.post(f"{team.document[: team.document.rindex('/')]}/999999/{action}")

    assert hidden.status_code == 404
    assert hidden.json()["error_code"] == "project_not_found"
    assert anonymous.status_code == 401
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error_code"] == "document_not_found"


@pytest.mark.parametrize(
    ("steps", "action", "error_code"),
    [
        ([], "reopen", "document_not_approved"),
        (["approve"], "approve", "already_approved"),
        (["approve"], "reject", "document_approved"),
        (["reject"], "reopen", "document_not_approved"),
    ],
)
async def test_decisions_that_do_not_fit_the_status_are_conflicts(
    app: FastAPI, people: PeopleFactory, steps: list[str], action: str, error_code: str
) -> None:
    team = await annotated_team(app, people)
    for step in steps:
        assert (await team.rex.client.post(f"{team.document}/{step}")).status_code == 200

    response = await team.rex.client.post(f"{team.document}/{action}")

    assert response.status_code == 409
    assert response.json()["error_code"] == error_code


@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_a_document_nobody_annotated_is_not_reviewed(
    app: FastAPI, people: PeopleFactory, action: str
) -> None:
    team = await make_team(app, people)

    response = await team.rex.client.post(f"{team.document}/{action}")

    assert response.status_code == 409
    assert response.json()["error_code"] == "nothing_to_review"
    assert await status_of(app, team.document_id) == "unannotated"


@pytest.mark.parametrize(
    "body",
    [{"comment": "x" * 2001}, {"comment": 5}, {"note": "x"}, [], "fine"],
)
async def test_invalid_review_bodies_are_refused(app: FastAPI, people: PeopleFactory, body: Any) -> None:
    team = await annotated_team(app, people)

    response = await team.rex.client.post(f"{team.document}/reject", json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"
    assert await status_of(app, team.document_id) == "annotated"


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
async def test_a_comment_no_database_stores_is_refused(app: FastAPI, people: PeopleFactory, bad: str) -> None:
    team = await annotated_team(app, people)

    response = await send(team.rex.client, "POST", f"{team.document}/reject", {"comment": f"a{bad}b"})

    assert_refused(response, "body", "comment")
    assert await status_of(app, team.document_id) == "annotated"
