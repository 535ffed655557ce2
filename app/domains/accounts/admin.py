"""The accounts domain's admin views: users (role and activity changed through the service,
so the panel obeys the API's rules: the last admin stays an admin), profiles and sessions."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqladmin import ModelView, action
from sqlalchemy import Select
from sqlalchemy.orm import joinedload, load_only
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import SelectField

from app.core.errors import AppError
from app.domains.accounts.models import AuthSession, Profile, User
from app.domains.accounts.permissions import Role
from app.domains.accounts.schemas import AdminUserUpdate
from app.domains.accounts.service.assembly import AccountServices, account_services
from app.domains.accounts.service.auth import Caller
from app.infrastructure.runtime import runtime_of
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.admin import PANEL_SESSION_KEY, KeelView, ReadOnlyView, readable, row_id

USER_COLUMNS: list[Any] = [User.id, User.email, User.role, User.is_active, User.is_verified, User.created_at]


@asynccontextmanager
async def accounts(request: Request) -> AsyncIterator[AccountServices]:
    """The accounts services for one panel request, in a unit of work of their own."""
    runtime = runtime_of(request)
    uow = UnitOfWork(runtime.session_factory)
    try:
        yield account_services(runtime, uow)
    finally:
        await uow.close()


async def current_admin(request: Request, services: AccountServices) -> Caller:
    return await services.auth.resume(session_id=int(request.session[PANEL_SESSION_KEY]))


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
                return await services.users.administer(user_id=row_id(pk), changes=changes, actor=admin)
            except AppError as error:
                raise ValueError(readable(request, error)) from error

    async def delete_model(self, request: Request, pk: Any) -> None:
        async with accounts(request) as services:
            admin = await current_admin(request, services)
            try:
                await services.users.remove(user_id=row_id(str(pk)), actor=admin)
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
    recent_on_dashboard = 5  # the latest sign-ins
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
    column_labels = {AuthSession.user_id: "user"}
    column_formatters = {AuthSession.user_id: lambda session, _: session.user.email}
    column_sortable_list = [AuthSession.id, AuthSession.last_used_at]
    column_default_sort = [(AuthSession.id, True)]

    def list_query(self, request: Request) -> Select[Any]:
        # The e-mail comes in the same query as the sessions: no query per row.
        with_email = joinedload(AuthSession.user).options(load_only(User.email))
        return super().list_query(request).options(with_email)

    @action(name="revoke", label="Revoke", confirmation_message="End these sessions now?")
    async def revoke(self, request: Request) -> Response:
        session_ids = [row_id(pk) for pk in request.query_params.get("pks", "").split(",") if pk]
        async with accounts(request) as services:
            await services.auth.revoke_sessions(session_ids=session_ids, reason="revoked_by_admin")
        return RedirectResponse(request.url_for("admin:list", identity=self.identity), status_code=302)


VIEWS: list[type[ModelView]] = [UserAdmin, ProfileAdmin, SessionAdmin]
