"""Label and member rules, on the services: unique names and shortcut keys per project, one
membership per user, and a project that always keeps a manager."""

import pytest

from app.domains.annotations.errors import (
    AlreadyMember,
    LabelNameTaken,
    LabelShortcutTaken,
    LastManager,
    ProjectManagerRequired,
)
from app.domains.annotations.models import ProjectRole
from app.domains.annotations.schemas import CursorFilter, LabelCreate, LabelUpdate, MemberAdd
from app.domains.annotations.service.access import AccessService, Actor
from app.domains.annotations.service.labels import LabelService
from app.domains.annotations.service.members import MemberService
from app.infrastructure.unit_of_work import UnitOfWork
from tests.factories import make_user
from tests.fixtures.annotations import make_label, make_member, make_project, manager_access


async def test_label_names_and_shortcuts_are_unique_per_project(
    uow: UnitOfWork, labels: LabelService
) -> None:
    manager = await make_user(uow)
    project, other = await make_project(uow, creator=manager), await make_project(uow, creator=manager)
    await make_label(uow, project=project, manager=manager, name="PER", shortcut="p")
    loc = await make_label(uow, project=project, manager=manager, name="LOC")
    access, elsewhere = manager_access(project, manager), manager_access(other, manager)

    # Each refused write rolls back and expires what the session holds: one per test step.
    with pytest.raises(LabelShortcutTaken):
        await labels.update(access=access, label=loc, changes=LabelUpdate(shortcut="p"))
    with pytest.raises(LabelNameTaken):
        await labels.create(access=access, data=LabelCreate(name="PER"))
    again = await labels.create(access=elsewhere, data=LabelCreate(name="PER", shortcut="p"))

    assert again.project_id == elsewhere.project_id
    assert [label.name for label in await labels.listing(access=access)] == ["LOC", "PER"]


async def test_annotators_may_not_change_labels(
    uow: UnitOfWork, labels: LabelService, access: AccessService
) -> None:
    manager, annotator = await make_user(uow), await make_user(uow)
    project = await make_project(uow, creator=manager)
    await make_member(uow, project=project, manager=manager, user=annotator)
    seen = await access.visible(project_id=project.id, actor=Actor(id=annotator.id, is_admin=False))

    with pytest.raises(ProjectManagerRequired):
        await labels.create(access=seen, data=LabelCreate(name="PER"))


async def test_a_user_is_a_member_once(uow: UnitOfWork, members: MemberService) -> None:
    manager, user = await make_user(uow), await make_user(uow)
    manager_id, user_id = manager.id, user.id  # the refused write rolls back, expiring them
    project = await make_project(uow, creator=manager)
    access = manager_access(project, manager)
    await make_member(uow, project=project, manager=manager, user=user)

    with pytest.raises(AlreadyMember):
        await members.add(access=access, data=MemberAdd(user_id=user_id, role=ProjectRole.REVIEWER))
    page, _ = await members.page(access=access, filters=CursorFilter())
    assert sorted((member.user_id, member.role) for member in page) == sorted(
        [(manager_id, "manager"), (user_id, "annotator")]
    )


async def test_the_last_manager_stays(uow: UnitOfWork, members: MemberService) -> None:
    manager, deputy = await make_user(uow), await make_user(uow)
    manager_id, deputy_id = manager.id, deputy.id  # refused writes roll back, expiring what was read
    project = await make_project(uow, creator=manager)
    access = manager_access(project, manager)
    first = await members.get(access=access, user_id=manager.id)
    second = await make_member(uow, project=project, manager=manager, user=deputy, role=ProjectRole.MANAGER)

    await members.change_role(access=access, member=second, role=ProjectRole.ANNOTATOR)
    with pytest.raises(LastManager):
        await members.change_role(access=access, member=first, role=ProjectRole.REVIEWER)
    first = await members.get(access=access, user_id=manager_id)  # the refusal expired it
    with pytest.raises(LastManager):
        await members.remove(access=access, member=first)
    second = await members.get(access=access, user_id=deputy_id)
    await members.remove(access=access, member=second)  # not a manager any more: may go
    assert (await members.get(access=access, user_id=manager_id)).role == "manager"
