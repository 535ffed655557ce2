"""Outages of real servers, cut at the network (tests/proxy.py): each answers a 503 with its
own `error_code` and `Retry-After`, never a 500, and Keel heals by itself when the server is back."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.main import create_app
from tests.databases import empty_app_tables, migrate, postgres_database
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.platform import make_settings, postgres_server_url, started
from tests.proxy import TcpProxy, tcp_proxy


@asynccontextmanager
async def keel(settings: Settings) -> AsyncIterator[tuple[FastAPI, PeopleFactory]]:
    async with started(create_app(settings)) as app:
        people = PeopleFactory(app)
        try:
            yield app, people
        finally:
            await people.close()
            await empty_app_tables(app)


# <part:redis>
# Used by the Redis and the worker's tests (a service with the worker has Redis).
def through(proxy: TcpProxy, url: str) -> str:
    """`url` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return parts._replace(netloc=netloc).geturl()


# </part:redis>
def assert_unavailable(response: Response, error_code: str) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error_code"] == error_code
    assert response.headers["Retry-After"] == "5"
    assert "127.0.0.1" not in response.text  # the cause is logged, not shown


# <part:redis>
@asynccontextmanager
async def keel_on_a_cuttable_redis(
    database_url: str, redis_url: str
) -> AsyncIterator[tuple[FastAPI, PeopleFactory, TcpProxy]]:
    """Keel with a Redis cache that it reaches through a proxy the test can cut."""
    server = urlsplit(redis_url)
    async with (
        tcp_proxy(server.hostname or "127.0.0.1", server.port or 6379) as proxy,
        keel(make_settings(database_url, redis_url=through(proxy, redis_url))) as (app, people),
    ):
        yield app, people, proxy


async def test_a_redis_outage_fails_closed_and_heals(database_url: str, redis_url: str) -> None:
    async with keel_on_a_cuttable_redis(database_url, redis_url) as (_, people, proxy):
        member = await people.member()
        anonymous = people.new_client()

        await proxy.cut()
        me = await member.client.get("/api/v1/users/me")  # revocation cannot be checked
        login = await anonymous.post("/api/v1/auth/login", json={"email": member.email, "password": PASSWORD})
        ready = await anonymous.get("/health/ready")
        await proxy.restore()
        me_again = await member.client.get("/api/v1/users/me")
        ready_again = await anonymous.get("/health/ready")

    assert_unavailable(me, "cache_unavailable")
    assert_unavailable(login, "cache_unavailable")  # the login limit is never skipped
    assert ready.status_code == 503
    assert ready.json()["details"]["cache"]["status"] == "failed"
    assert ready.json()["details"]["database"]["status"] == "ok"
    assert me_again.status_code == 200
    assert ready_again.status_code == 200
    assert ready_again.json()["checks"]["cache"]["latency_ms"] >= 0


# </part:redis>
@asynccontextmanager
async def keel_on_a_cuttable_database() -> AsyncIterator[tuple[FastAPI, PeopleFactory, TcpProxy]]:
    """Keel on a fresh PostgreSQL database that it reaches through a proxy the test can cut."""
    async with postgres_database(postgres_server_url()) as database:
        await migrate(database)
        server = make_url(database)
        async with tcp_proxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
            url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            async with keel(make_settings(url, database_connect_timeout=2)) as (app, people):
                yield app, people, proxy  # restored by the test before it ends: the tables are emptied


async def test_a_database_outage_answers_503_and_heals() -> None:
    async with keel_on_a_cuttable_database() as (_, people, proxy):
        member = await people.member()
        anonymous = people.new_client()

        await proxy.cut()
        me = await member.client.get("/api/v1/users/me")
        register = await anonymous.post(
            "/api/v1/auth/register", json={"email": "new@example.com", "password": PASSWORD}
        )
        ready = await anonymous.get("/health/ready")
        await proxy.restore()
        me_again = await member.client.get("/api/v1/users/me")

    assert_unavailable(me, "database_unavailable")
    assert_unavailable(register, "database_unavailable")
    assert ready.status_code == 503
    assert ready.json()["details"]["database"]["status"] == "failed"
    assert me_again.status_code == 200


async def test_connections_the_database_closed_are_replaced_before_use() -> None:
    """What a PostgreSQL restart does to the pool: every pooled connection is closed by the
    server. The next requests get new connections instead of failing on the old ones."""
    async with postgres_database(postgres_server_url()) as database:
        await migrate(database)
        async with keel(make_settings(database)) as (_, people):
            member = await people.member()
            assert (await member.client.get("/api/v1/users/me")).status_code == 200  # pooled now

            admin = await asyncpg.connect(make_url(database).set(drivername="postgresql").render_as_string())
            try:
                ended = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            finally:
                await admin.close()
            await asyncio.sleep(0.2)  # the goodbye reaches the pooled connections
            after = [(await member.client.get("/api/v1/users/me")).status_code for _ in range(3)]

    assert ended >= 1
    assert after == [200, 200, 200]


# <part:worker>
async def submit_until_accepted(client: AsyncClient) -> Response:
    """After an outage the AMQP connection comes back on its own schedule (seconds)."""
    async with asyncio.timeout(20):
        while True:
            response = await client.post("/api/v1/jobs", json={"kind": "maintenance"})
            if response.status_code != 503:
                return response
            await asyncio.sleep(0.5)


async def test_a_broker_outage_answers_503_fails_the_job_and_heals(
    database_url: str, rabbitmq_url: str, broker_queue: str, redis_url: str
) -> None:
    server = urlsplit(rabbitmq_url)
    async with tcp_proxy(server.hostname or "127.0.0.1", server.port or 5672) as proxy:
        settings = make_settings(
            database_url,
            redis_url=redis_url,
            broker_url=through(proxy, rabbitmq_url),
            broker_queue=broker_queue,
            broker_publish_timeout=2,
        )
        async with keel(settings) as (_, people):
            admin = (await people.admin()).client
            before = await admin.post("/api/v1/jobs", json={"kind": "maintenance"})

            await proxy.cut()
            during = await admin.post("/api/v1/jobs", json={"kind": "maintenance"})
            ready = await admin.get("/health/ready")
            await proxy.restore()
            after = await submit_until_accepted(admin)
            failed = (await admin.get("/api/v1/jobs", params={"status": "failed"})).json()["items"]
            queued = (await admin.get("/api/v1/jobs", params={"status": "queued"})).json()["items"]

    assert before.status_code == 202
    assert_unavailable(during, "broker_unavailable")
    assert ready.json()["details"]["broker"]["status"] == "failed"
    assert after.status_code == 202
    # Every refused submission is recorded as failed, not left queued forever.
    assert failed
    assert {job["error"] for job in failed} == {"broker_unavailable"}
    assert {job["id"] for job in queued} == {before.json()["id"], after.json()["id"]}


async def test_keel_starts_without_rabbitmq_and_connects_when_it_appears(
    database_url: str, rabbitmq_url: str, broker_queue: str, redis_url: str
) -> None:
    server = urlsplit(rabbitmq_url)
    async with tcp_proxy(server.hostname or "127.0.0.1", server.port or 5672) as proxy:
        await proxy.cut()
        settings = make_settings(
            database_url,
            redis_url=redis_url,
            broker_url=through(proxy, rabbitmq_url),
            broker_queue=broker_queue,
        )
        async with keel(settings) as (_, people):
            admin = (await people.admin()).client
            live = await admin.get("/health/live")
            ready = await admin.get("/health/ready")
            await proxy.restore()
            accepted = await submit_until_accepted(admin)
            ready_again = await admin.get("/health/ready")

    assert live.status_code == 200
    assert ready.status_code == 503
    assert accepted.status_code == 202
    assert ready_again.status_code == 200
    assert ready_again.json()["checks"]["broker"]["status"] == "ok"


# </part:worker>
