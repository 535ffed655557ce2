"""The caller's own account and profile, and user administration (`users:admin`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.core.errors import TooManyRequests
from app.domains.accounts.dependencies import (
    CurrentAdmin,
    CurrentCaller,
    CurrentUser,
    RequestClient,
    ShownUser,
    UserServiceDep,
)
from app.domains.accounts.errors import (
    EmailTaken,
    LastAdmin,
    PasswordRejected,
    ProfileExists,
    UserNotFound,
    WrongPassword,
)
from app.domains.accounts.router.cookies import clear_auth_cookies
from app.domains.accounts.schemas import (
    AdminUserCreate,
    AdminUserUpdate,
    PasswordChange,
    ProfileRead,
    ProfileUpdate,
    UserFilter,
    UserPage,
    UserRead,
    UserUpdateMe,
)
from app.infrastructure.runtime import runtime_of
from app.web.ids import PathId
from app.web.pagination import PageParams
from app.web.responses import errors

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me")
async def read_me(user: ShownUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch("/me", responses=errors(WrongPassword, EmailTaken, TooManyRequests))
async def update_me(
    body: UserUpdateMe, user: CurrentUser, users: UserServiceDep, client: RequestClient
) -> UserRead:
    """Change the e-mail address; it needs verifying again. Password checks are rate limited."""
    updated = await users.change_email(
        user=user, email=body.email, current_password=body.current_password, client=client
    )
    return UserRead.model_validate(updated)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=errors(LastAdmin))
async def delete_me(user: CurrentUser, users: UserServiceDep, request: Request, response: Response) -> None:
    await users.delete_own_account(user=user)
    clear_auth_cookies(response, runtime_of(request).settings)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(WrongPassword, PasswordRejected, TooManyRequests),
)
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    caller: CurrentCaller,
    users: UserServiceDep,
    client: RequestClient,
) -> None:
    """Other sessions end; this one stays. Password checks are rate limited."""
    await users.change_password(
        user=user,
        session_id=caller.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
        client=client,
    )


@router.get("/me/profile", responses=errors(ProfileExists))
async def read_profile(user: CurrentUser, users: UserServiceDep) -> ProfileRead:
    return ProfileRead.model_validate(await users.profile(user=user))


@router.put("/me/profile", responses=errors(ProfileExists))
async def replace_profile(body: ProfileUpdate, user: CurrentUser, users: UserServiceDep) -> ProfileRead:
    return ProfileRead.model_validate(await users.replace_profile(user=user, changes=body))


@router.get("")
async def list_users(
    _: CurrentAdmin,
    users: UserServiceDep,
    page: PageParams,
    filters: Annotated[UserFilter, Query()],
) -> UserPage:
    found, total = await users.search(filters, limit=page.limit, offset=page.offset)
    items = [UserRead.model_validate(user) for user in found]
    return UserPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", status_code=status.HTTP_201_CREATED, responses=errors(EmailTaken, PasswordRejected))
async def create_user(
    body: AdminUserCreate, admin: CurrentAdmin, users: UserServiceDep, response: Response
) -> UserRead:
    user = await users.create(data=body, actor=admin)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserRead.model_validate(user)


@router.get("/{user_id}", responses=errors(UserNotFound))
async def read_user(user_id: PathId, _: CurrentAdmin, users: UserServiceDep) -> UserRead:
    return UserRead.model_validate(await users.get(user_id))


@router.patch("/{user_id}", responses=errors(UserNotFound, LastAdmin))
async def administer_user(
    user_id: PathId, body: AdminUserUpdate, admin: CurrentAdmin, users: UserServiceDep
) -> UserRead:
    """Role and active flag; the user's sessions end so the change applies at once."""
    return UserRead.model_validate(await users.administer(user_id=user_id, changes=body, actor=admin))


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(UserNotFound, LastAdmin),
)
async def delete_user(user_id: PathId, admin: CurrentAdmin, users: UserServiceDep) -> None:
    await users.remove(user_id=user_id, actor=admin)
