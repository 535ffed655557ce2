"""Error reports, with `KEEL_SENTRY_DSN` set: the real SDK, sending to a Sentry ingest on loopback.

An unhandled request error and a failed job each arrive as one event with what finds them
again (request id or job id, the user's id), and with none of the secrets the failing
request carried: not its password, its Authorization header, nor its cookies.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from app.domains.accounts.dependencies import CurrentUser
from app.domains.jobs.kinds import job_kinds
from app.domains.jobs.runner import JobRunner
from app.infrastructure.background import JobContext, JobKind
from app.main import create_app
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.jobs import add_job, read_job
from tests.fixtures.platform import empty_app_tables, make_settings, started
from tests.receivers import SentryReceiver, sentry_receiver

PASSWORD_IN_BODY = "body-password-never-reported"
COOKIE_VALUE = "cookie-value-never-reported"

router = APIRouter(prefix="/reported")


class Credentials(BaseModel):
    password: str


@router.post("/boom")
async def fail_with_secrets_at_hand(body: Credentials, user: CurrentUser) -> None:
    password = body.password  # a local of the failing frame, too
    raise RuntimeError(f"the handler failed for user {user.id} ({len(password)} characters)")


async def explode(_: JobContext) -> dict[str, Any]:
    raise RuntimeError("the disk is full")


@pytest.fixture
def ingest() -> Iterator[SentryReceiver]:
    with sentry_receiver() as receiver:
        yield receiver


@pytest.fixture
async def reporting_app(database_url: str, ingest: SentryReceiver) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url, sentry_dsn=ingest.dsn))
    application.include_router(router)
    async with started(application):
        yield application
        await empty_app_tables(application)


@pytest.fixture
def failing_kind() -> Iterator[str]:
    job_kinds()["test.explode"] = JobKind("test.explode", explode)
    yield "test.explode"
    del job_kinds()["test.explode"]


def only_event(ingest: SentryReceiver) -> dict[str, Any] | None:
    events = ingest.events()
    assert len(events) <= 1, "one error, one event"
    return events[0] if events else None


async def test_an_unhandled_request_error_is_reported_with_its_request_and_user_and_no_secret(
    reporting_app: FastAPI, ingest: SentryReceiver
) -> None:
    people = PeopleFactory(reporting_app)
    member = await people.member()
    secrets = [PASSWORD_IN_BODY, COOKIE_VALUE, member.tokens["access_token"], member.tokens["refresh_token"]]

    response = await member.client.post(
        "/reported/boom",
        json={"password": PASSWORD_IN_BODY},
        headers={"Cookie": f"refresh_token={member.tokens['refresh_token']}; theme={COOKIE_VALUE}"},
    )
    await people.close()

    assert response.status_code == 500
    event = await ingest.wait_for(lambda: only_event(ingest))
    [exception] = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]
    assert event["user"] == {"id": str(member.id)}
    assert event["transaction"] == "POST /reported/boom"
    raw = b"".join(ingest.raw_envelopes)
    assert [secret for secret in secrets if secret.encode() in raw] == []
    assert b"Bearer" not in raw


async def test_a_failed_job_is_reported_with_its_id_and_owner(
    reporting_app: FastAPI, ingest: SentryReceiver, failing_kind: str
) -> None:
    people = PeopleFactory(reporting_app)
    member = await people.member()
    await people.close()
    job_id = await add_job(reporting_app, owner_id=member.id, kind=failing_kind)

    await JobRunner(reporting_app.state.runtime).run(job_id)

    assert (await read_job(reporting_app, job_id)).status == "failed"
    event = await ingest.wait_for(lambda: only_event(ingest))
    assert event["exception"]["values"][0]["value"] == "the disk is full"
    assert event["tags"] == {"job_id": str(job_id), "job_kind": failing_kind}
    assert event["user"] == {"id": str(member.id)}


async def test_without_a_dsn_nothing_is_sent(database_url: str, ingest: SentryReceiver) -> None:
    application = create_app(make_settings(database_url))
    application.include_router(router)
    async with started(application):
        people = PeopleFactory(application)
        member = await people.member()
        response = await member.client.post("/reported/boom", json={"password": PASSWORD_IN_BODY})
        await people.close()
        await empty_app_tables(application)

    assert response.status_code == 500
    assert ingest.raw_envelopes == []
