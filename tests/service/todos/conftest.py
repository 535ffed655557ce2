"""The todos services, built on the test's unit of work as the app's dependencies build them."""

import pytest

from app.core.cursors import CursorCodec
from app.domains.todos.service import TagService, TodoService
from app.infrastructure.unit_of_work import UnitOfWork


@pytest.fixture
def todos(uow: UnitOfWork, cursors: CursorCodec) -> TodoService:
    return TodoService(uow=uow, cursors=cursors)


@pytest.fixture
def tags(uow: UnitOfWork) -> TagService:
    return TagService(uow=uow)
