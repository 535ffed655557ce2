"""An export imports back as it was: the agreed JSON Lines format in both directions."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.domains.annotations.models import DocumentStatus
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project, seeded
from tests.fixtures.platform import make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, annotations_upload_dir=tmp_path / "uploads")


def without_keel_keys(body: str) -> list[dict[str, Any]]:
    """The lines without what the importing project gives anew: ids and review statuses."""
    return [
        {key: value for key, value in json.loads(line).items() if key not in ("id", "status")}
        for line in body.splitlines()
    ]


async def test_an_exported_project_imports_into_another_as_it_was(
    app: FastAPI, people: PeopleFactory
) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    source, target = await new_project(ann.client), await new_project(ann.client)
    for project in (source, target):
        await add_member(ann.client, project["id"], bob.id, "annotator")
    per = (await new_label(ann.client, source["id"], "PER"))["id"]
    loc = (await new_label(ann.client, source["id"], "LOC"))["id"]
    await seeded(
        app,
        project_id=source["id"],
        text="Ann met Bob in Paris.",
        meta={"source": "news", "page": 3},
        status=DocumentStatus.APPROVED,
        annotations={ann.id: [(0, 3, per), (15, 20, loc)], bob.id: [(0, 3, per), (8, 11, per)]},
    )
    await seeded(app, project_id=source["id"], text="Nothing here.")
    await seeded(app, project_id=source["id"], text="Zoë in Kraków.", annotations={bob.id: []})
    exported = await ann.client.get(f"{PROJECTS}/{source['id']}/export")

    upload = await ann.client.post(
        f"{PROJECTS}/{target['id']}/imports",
        content=exported.content,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert upload.status_code == 202, upload.text
    await app.state.runtime.broker.drain()
    job = (await ann.client.get(upload.headers["Location"])).json()
    again = await ann.client.get(f"{PROJECTS}/{target['id']}/export")

    assert job["status"] == "succeeded", job
    assert len(exported.text.splitlines()) == 3
    assert without_keel_keys(again.text) == without_keel_keys(exported.text)
