"""The admin panel's read-only views of documents, annotations and their marks."""

# <part:admin>

from sqlalchemy import select

from app.domains.annotations.admin import PREVIEW_LENGTH
from app.domains.annotations.models import Annotation, Document, Label, Mark
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.annotations import new_label, new_project


async def test_the_panel_lists_documents_with_a_preview_and_annotations_with_their_marks(
    people: PeopleFactory,
) -> None:
    ann = await people.member()
    admin = await people.admin()
    project = await new_project(ann.client, name="panel documents")
    label = await new_label(ann.client, project["id"], "PANEL-PERSON")
    long_text = "Ada Lovelace wrote the first program. " + "x" * 500 + " THE-HIDDEN-END"
    async with people.app.state.runtime.session_factory() as session, session.begin():
        document = Document(project_id=project["id"], text=long_text, meta={}, status="annotated")
        session.add(document)
        await session.flush()
        annotation = Annotation(document_id=document.id, project_id=project["id"], annotator_id=ann.id)
        session.add(annotation)
        await session.flush()
        session.add(Mark(annotation_id=annotation.id, label_id=label["id"], start=0, end=12))
    panel = people.new_client()
    login = await panel.post("/admin/login", data={"username": admin.email, "password": PASSWORD})
    assert login.status_code == 302

    documents = await panel.get("/admin/document/list")
    annotations = await panel.get("/admin/annotation/list")
    marks = await panel.get("/admin/mark/list")

    assert [documents.status_code, annotations.status_code, marks.status_code] == [200, 200, 200]
    assert long_text[:PREVIEW_LENGTH] in documents.text
    assert "THE-HIDDEN-END" not in documents.text  # a long text is cut in the list
    assert f">{annotation.id}<" in annotations.text.replace(" ", "").replace("\n", "")
    async with people.app.state.runtime.session_factory() as session:
        label_id = await session.scalar(select(Label.id).where(Label.name == "PANEL-PERSON"))
    assert str(label_id) in marks.text
    assert (await panel.get(f"/admin/document/details/{document.id}")).status_code == 200


# </part:admin>
