"""The annotations services, built on the test's unit of work as the app's dependencies build them."""

import pytest

from app.core.cursors import CursorCodec
from app.domains.annotations.service.access import AccessService
from app.domains.annotations.service.annotations import AnnotationService
from app.domains.annotations.service.labels import LabelService
from app.domains.annotations.service.members import MemberService
from app.domains.annotations.service.projects import ProjectService
from app.domains.annotations.service.review import ReviewService
from app.infrastructure.unit_of_work import UnitOfWork


@pytest.fixture
def access(uow: UnitOfWork) -> AccessService:
    return AccessService(uow=uow)


@pytest.fixture
def projects(uow: UnitOfWork, cursors: CursorCodec) -> ProjectService:
    return ProjectService(uow=uow, cursors=cursors)


@pytest.fixture
def labels(uow: UnitOfWork) -> LabelService:
    return LabelService(uow=uow)


@pytest.fixture
def members(uow: UnitOfWork, cursors: CursorCodec) -> MemberService:
    return MemberService(uow=uow, cursors=cursors)


@pytest.fixture
def annotations(uow: UnitOfWork) -> AnnotationService:
    return AnnotationService(uow=uow)


@pytest.fixture
def review(uow: UnitOfWork) -> ReviewService:
    return ReviewService(uow=uow)
