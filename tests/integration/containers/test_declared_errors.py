"""What the containers operations answer while the Docker engine is down is among the errors
their OpenAPI declares (the probes: tests/integration/test_declared_errors.py)."""

from pathlib import Path

from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.platform import http_client, make_settings, started
from tests.integration.test_declared_errors import probe_every_operation


async def test_answers_while_docker_is_down_are_declared(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, docker_url=f"unix://{tmp_path / 'no-engine.sock'}")
    async with started(create_app(settings)) as app, http_client(app) as client:
        people = PeopleFactory(app)
        admin = await people.admin()
        member = await people.member()
        schema = (await client.get("/openapi.json")).json()
        callers = {"stranger": client, "member": member.client, "admin": admin.client}
        # Only what uses the engine: the other operations may end these callers' sessions.
        engine = r"/api/v1/(containers|images)"
        failures, answered = await probe_every_operation(schema, callers, "docker down", paths=engine)
        await people.close()
        await empty_app_tables(app)

    assert not failures, "\n".join(sorted(set(failures)))
    assert (503, "docker_unavailable") in answered
