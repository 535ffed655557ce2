"""What the panel shows. Reads go straight to the tables; every write goes through the
domain services, so the panel obeys the API's rules (the last admin stays an admin)."""

from typing import Any

from sqladmin import ModelView, action
from sqlalchemy import Select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import SelectField

from app.admin.context import accounts, current_admin, readable
from app.core.errors import AppError
from app.domains.accounts.models import AuthSession, Profile, User
from app.domains.accounts.permissions import Role
from app.domains.accounts.schemas import AdminUserUpdate
from app.domains.containers.models import AuditRecord
from app.domains.jobs.models import Job
from app.domains.todos.models import Tag, Todo
from app.web.ids import MAX_ID

USER_COLUMNS: list[Any] = [User.id, User.email, User.role, User.is_active, User.is_verified, User.created_at]


def row_id(pk: str) -> int:
    """The id a panel URL names. Every table's key is an integer id, and anything else names no
    row: 404, before sqladmin's conversion (a ValueError) or the driver (an overflow) fails as a 500."""
    if not (pk.isascii() and pk.isdigit() and len(pk) <= len(str(MAX_ID))) or not 1 <= int(pk) <= MAX_ID:
        raise HTTPException(status_code=404)
    return int(pk)


class KeelView(ModelView):
    def details_query(self, request: Request) -> Select[Any]:
        row_id(request.path_params["pk"])
        return super().details_query(request)

    def form_edit_query(self, request: Request) -> Select[Any]:
        row_id(request.path_params["pk"])
        return super().form_edit_query(request)


class ReadOnlyView(KeelView):
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    page_size = 50


class UserAdmin(KeelView, model=User):
    name_plural = "Users"
    icon = "fa-solid fa-user"
    can_create = False  # accounts are created by registration, the API or `keel create-admin`
    column_list = USER_COLUMNS
    column_details_list = USER_COLUMNS  # never the password hash
    column_export_list = USER_COLUMNS
    column_searchable_list = [User.email]
    column_sortable_list = [User.id, User.email, User.role, User.created_at]
    column_default_sort = [(User.id, False)]
    form_columns = [User.role, User.is_active]
    form_overrides = {"role": SelectField}
    form_args = {"role": {"choices": [(role.value, role.value) for role in Role]}}

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        changes = AdminUserUpdate(role=data.get("role"), is_active=bool(data.get("is_active")))
        async with accounts(request) as services:
            admin = await current_admin(request, services)
            try:
                return await services.users.administer(user_id=row_id(pk), changes=changes, actor=admin.user)
            except AppError as error:
                raise ValueError(readable(request, error)) from error

    async def delete_model(self, request: Request, pk: Any) -> None:
        async with accounts(request) as services:
            admin = await current_admin(request, services)
            try:
                await services.users.remove(user_id=row_id(str(pk)), actor=admin.user)
            except AppError as error:
                raise ValueError(readable(request, error)) from error


class ProfileAdmin(ReadOnlyView, model=Profile):
    name_plural = "Profiles"
    icon = "fa-solid fa-id-card"
    column_list = [Profile.user_id, Profile.display_name, Profile.locale, Profile.timezone]
    column_searchable_list = [Profile.display_name]


class SessionAdmin(ReadOnlyView, model=AuthSession):
    name = "Session"
    name_plural = "Sessions"
    icon = "fa-solid fa-key"
    column_list = [
        AuthSession.id,
        AuthSession.user_id,
        AuthSession.created_at,
        AuthSession.last_used_at,
        AuthSession.expires_at,
        AuthSession.revoked_at,
        AuthSession.revoked_reason,
        AuthSession.ip_address,
    ]
    column_sortable_list = [AuthSession.id, AuthSession.last_used_at]
    column_default_sort = [(AuthSession.id, True)]

    @action(name="revoke", label="Revoke", confirmation_message="End these sessions now?")
    async def revoke(self, request: Request) -> Response:
        session_ids = [row_id(pk) for pk in request.query_params.get("pks", "").split(",") if pk]
        async with accounts(request) as services:
            await services.auth.revoke_sessions(session_ids=session_ids, reason="revoked_by_admin")
        return RedirectResponse(request.url_for("admin:list", identity=self.identity), status_code=302)


class TodoAdmin(ReadOnlyView, model=Todo):
    name_plural = "Todos"
    icon = "fa-solid fa-list-check"
    column_list = [Todo.id, Todo.owner_id, Todo.title, Todo.completed, Todo.version, Todo.created_at]
    column_searchable_list = [Todo.title]
    column_sortable_list = [Todo.id, Todo.title, Todo.created_at]


class TagAdmin(ReadOnlyView, model=Tag):
    name_plural = "Tags"
    icon = "fa-solid fa-tag"
    column_list = [Tag.id, Tag.owner_id, Tag.name, Tag.colour]
    column_searchable_list = [Tag.name]


class JobAdmin(ReadOnlyView, model=Job):
    name_plural = "Jobs"
    icon = "fa-solid fa-gears"
    column_list = [Job.id, Job.kind, Job.owner_id, Job.status, Job.progress, Job.attempts, Job.created_at]
    column_sortable_list = [Job.id, Job.status, Job.created_at]
    column_default_sort = [(Job.id, True)]


class AuditAdmin(ReadOnlyView, model=AuditRecord):
    """The containers audit trail: read here, never changed."""

    name = "Audit record"
    name_plural = "Audit"
    icon = "fa-solid fa-clipboard-list"
    column_list = [
        AuditRecord.id,
        AuditRecord.created_at,
        AuditRecord.actor_email,
        AuditRecord.action,
        AuditRecord.target,
        AuditRecord.outcome,
        AuditRecord.error_code,
    ]
    column_searchable_list = [AuditRecord.action, AuditRecord.target, AuditRecord.actor_email]
    column_sortable_list = [AuditRecord.id, AuditRecord.action, AuditRecord.outcome, AuditRecord.created_at]
    column_default_sort = [(AuditRecord.id, True)]


VIEWS: list[type[ModelView]] = [
    UserAdmin,
    ProfileAdmin,
    SessionAdmin,
    TodoAdmin,
    TagAdmin,
    JobAdmin,
    AuditAdmin,
]
