"""Project rules, on the service: the creator manages, members see, strangers do not,
versions guard updates, pages walk one's own projects."""

import pytest

from app.domains.annotations.errors import ProjectManagerRequired, ProjectNotFound
from app.domains.annotations.models import ProjectKind, ProjectRole
from app.domains.annotations.schemas import ProjectCreate, ProjectFilter, ProjectUpdate
from app.domains.annotations.service.access import AccessService, Actor
from app.domains.annotations.service.projects import ProjectService
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.etag import PreconditionFailed, etag_of
from tests.factories import make_user
from tests.fixtures.annotations import make_member, make_project


async def test_the_creator_becomes_the_projects_manager(
    uow: UnitOfWork, projects: ProjectService, access: AccessService
) -> None:
    creator = await make_user(uow)

    project = await projects.create(
        creator_id=creator.id,
        data=ProjectCreate(name="ner", kind=ProjectKind.SPANS, allow_overlapping_spans=True),
    )
    seen = await access.visible(project_id=project.id, actor=Actor(id=creator.id, is_admin=False))

    assert (project.kind, project.allow_overlapping_spans, project.version) == ("spans", True, 1)
    assert seen.role is ProjectRole.MANAGER
    assert seen.may_manage


async def test_members_see_a_project_strangers_do_not_admins_do(
    uow: UnitOfWork, access: AccessService
) -> None:
    creator, annotator, stranger, admin = [await make_user(uow) for _ in range(4)]
    project = await make_project(uow, creator=creator)
    await make_member(uow, project=project, manager=creator, user=annotator, role=ProjectRole.ANNOTATOR)

    as_annotator = await access.visible(project_id=project.id, actor=Actor(id=annotator.id, is_admin=False))
    as_admin = await access.visible(project_id=project.id, actor=Actor(id=admin.id, is_admin=True))
    with pytest.raises(ProjectNotFound):
        await access.visible(project_id=project.id, actor=Actor(id=stranger.id, is_admin=False))

    assert (as_annotator.role, as_annotator.may_manage) == (ProjectRole.ANNOTATOR, False)
    assert (as_admin.role, as_admin.may_manage) == (None, True)


async def test_only_managers_change_a_project(
    uow: UnitOfWork, projects: ProjectService, access: AccessService
) -> None:
    creator, reviewer = await make_user(uow), await make_user(uow)
    project = await make_project(uow, creator=creator, name="before")
    await make_member(uow, project=project, manager=creator, user=reviewer, role=ProjectRole.REVIEWER)
    seen = await access.visible(project_id=project.id, actor=Actor(id=reviewer.id, is_admin=False))

    with pytest.raises(ProjectManagerRequired):
        await projects.update(access=seen, changes=ProjectUpdate(name="after"), if_match=None)
    with pytest.raises(ProjectManagerRequired):
        await projects.delete(access=seen, if_match=None)
    assert (project.name, project.version) == ("before", 1)


async def test_an_update_from_a_stale_version_is_refused_and_changes_nothing(
    uow: UnitOfWork, projects: ProjectService, access: AccessService
) -> None:
    creator = await make_user(uow)
    project = await make_project(uow, creator=creator, name="draft")
    seen = await access.visible(project_id=project.id, actor=Actor(id=creator.id, is_admin=False))
    stale = etag_of(project.id, project.version)
    await projects.update(access=seen, changes=ProjectUpdate(name="second"), if_match=stale)

    with pytest.raises(PreconditionFailed):
        await projects.update(access=seen, changes=ProjectUpdate(name="third"), if_match=stale)
    assert (project.name, project.version) == ("second", 2)


async def test_pages_walk_ones_projects_newest_first(uow: UnitOfWork, projects: ProjectService) -> None:
    owner, other = await make_user(uow), await make_user(uow)
    made = [await make_project(uow, creator=owner) for _ in range(3)]
    await make_project(uow, creator=other)
    actor = Actor(id=owner.id, is_admin=False)

    first, cursor = await projects.page(actor=actor, filters=ProjectFilter(limit=2))
    second, end = await projects.page(actor=actor, filters=ProjectFilter(limit=2, cursor=cursor))
    everything, _ = await projects.page(actor=Actor(id=other.id, is_admin=True), filters=ProjectFilter())

    assert [found.id for found in first + second] == [made[2].id, made[1].id, made[0].id]
    assert end is None
    assert len(everything) == 4
