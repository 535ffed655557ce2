"""A project's progress through HTTP: documents by status, each member's annotated documents,
each label's use; for every member of the project."""

from fastapi import FastAPI

from app.domains.annotations.models import DocumentStatus
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project, seeded


async def test_progress_counts_documents_members_and_labels(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    cat = await people.member("cat@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")
    await add_member(ann.client, project["id"], cat.id, "reviewer")
    per = (await new_label(ann.client, project["id"], "PER"))["id"]
    loc = (await new_label(ann.client, project["id"], "LOC"))["id"]
    unused = (await new_label(ann.client, project["id"], "ORG"))["id"]
    other = await new_project(ann.client)  # its documents count for it, not here
    await seeded(app, project_id=other["id"], annotations={ann.id: []})
    project_id = project["id"]
    for _ in range(2):
        await seeded(app, project_id=project_id)
    await seeded(app, project_id=project_id, annotations={bob.id: [(0, 3, per), (8, 11, per)]})
    await seeded(app, project_id=project_id, annotations={ann.id: [(0, 3, per)], bob.id: [(15, 20, loc)]})
    await seeded(
        app, project_id=project_id, status=DocumentStatus.APPROVED, annotations={ann.id: [], bob.id: []}
    )
    await seeded(app, project_id=project_id, status=DocumentStatus.REJECTED, annotations={bob.id: []})

    response = await bob.client.get(f"{PROJECTS}/{project_id}/progress")

    assert response.status_code == 200
    assert response.json() == {
        "documents": {"total": 6, "unannotated": 2, "annotated": 2, "approved": 1, "rejected": 1},
        "members": [
            {"user_id": ann.id, "role": "manager", "annotated_documents": 2},
            {"user_id": bob.id, "role": "annotator", "annotated_documents": 4},
            {"user_id": cat.id, "role": "reviewer", "annotated_documents": 0},
        ],
        "labels": [  # by name; PER: three marks on two documents
            {"label_id": loc, "name": "LOC", "marks": 1, "documents": 1},
            {"label_id": unused, "name": "ORG", "marks": 0, "documents": 0},
            {"label_id": per, "name": "PER", "marks": 3, "documents": 2},
        ],
    }


async def test_an_empty_projects_progress_is_all_zeros(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.get(f"{PROJECTS}/{project['id']}/progress")

    assert response.json() == {
        "documents": {"total": 0, "unannotated": 0, "annotated": 0, "approved": 0, "rejected": 0},
        "members": [{"user_id": ann.id, "role": "manager", "annotated_documents": 0}],
        "labels": [],
    }


async def test_strangers_and_the_anonymous_see_no_progress(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    stranger = await people.member("eve@example.com")
    admin = await people.admin()
    project = await new_project(ann.client)
    url = f"{PROJECTS}/{project['id']}/progress"

    hidden = await stranger.client.get(url)
    anonymous = await people.new_client().get(url)
    as_admin = await admin.client.get(url)
    bad_id = await ann.client.get(f"{PROJECTS}/0/progress")

    assert hidden.status_code == 404
    assert hidden.json()["error_code"] == "project_not_found"
    assert anonymous.status_code == 401
    assert as_admin.status_code == 200
    assert bad_id.status_code == 422
