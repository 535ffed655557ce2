"""A project team for the annotation and review tests: a manager, two annotators, a
reviewer, two labels and a document."""

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from app.domains.annotations.models import Document
from tests.fixtures.accounts import PeopleFactory, Person
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project, stored_document

TEXT = "Ada Lovelace met Charles Babbage in London."


@dataclass
class Team:
    """A project with a manager (ann), two annotators (bob, cat), a reviewer (rex), two labels
    and one document."""

    ann: Person
    bob: Person
    cat: Person
    rex: Person
    project: dict[str, Any]
    per: int
    loc: int
    document_id: int

    @property
    def document(self) -> str:
        return f"{PROJECTS}/{self.project['id']}/documents/{self.document_id}"

    def annotation(self, who: str | int = "me") -> str:
        return f"{self.document}/annotations/{who}"


async def make_team(app: FastAPI, people: PeopleFactory, text: str = TEXT, **project: Any) -> Team:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    cat = await people.member("cat@example.com")
    rex = await people.member("rex@example.com")
    created = await new_project(ann.client, **project)
    for person, role in ((bob, "annotator"), (cat, "annotator"), (rex, "reviewer")):
        await add_member(ann.client, created["id"], person.id, role)
    per = await new_label(ann.client, created["id"], "PER")
    loc = await new_label(ann.client, created["id"], "LOC")
    document_id = await stored_document(app, project_id=created["id"], text=text)
    return Team(ann, bob, cat, rex, created, per["id"], loc["id"], document_id)


def span(label: int | str, start: int, end: int) -> dict[str, Any]:
    return {"label_id": label, "start": start, "end": end}


async def status_of(app: FastAPI, document_id: int) -> str:
    async with app.state.runtime.session_factory() as session:
        return str(await session.scalar(select(Document.status).where(Document.id == document_id)))
