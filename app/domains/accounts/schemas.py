"""Request and response bodies of the accounts API."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
)

from app.domains.accounts.addresses import fold_email, refuse_look_alikes, with_ascii_domain
from app.domains.accounts.permissions import Role
from app.web.pagination import Page

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

# Length is checked by the service (with its own error code), so the schema only bounds it
# loosely: a megabyte "password" is refused before anything hashes it.
Password = Annotated[str, Field(min_length=1, max_length=1024)]


def _folded(value: object) -> object:
    return fold_email(value) if isinstance(value, str) else value  # others: EmailStr refuses them


# Folded before it is parsed (a fullwidth `＠` is an `@`), then in the stored form; a new
# address also refuses look-alike letters. `accounts/addresses.py` says which and why.
Email = Annotated[
    EmailStr, BeforeValidator(_folded), AfterValidator(with_ascii_domain), Field(max_length=320)
]
NewEmail = Annotated[Email, BeforeValidator(refuse_look_alikes)]  # on what was typed, before folding


def _known_timezone(name: str) -> str:
    if name not in _TIMEZONES:
        raise ValueError("unknown time zone")
    return name


_TIMEZONES = frozenset(available_timezones()) | {"UTC"}
TimeZone = Annotated[str, AfterValidator(_known_timezone)]
Locale = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=16)]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: NewEmail
    password: Password
    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None
    ) = None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password


class TokenForm(BaseModel):
    """The OAuth2 password form (RFC 6749, 4.3) that the docs' Authorize button posts."""

    username: Email = Field(description="The e-mail address.")
    password: Password
    grant_type: Literal["password"] | None = None
    # Other OAuth2 fields (scope, client_id) are accepted and ignored: Keel has no scopes.


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1, max_length=256)] | None = Field(
        default=None, description="Omit to use the refresh_token cookie (browsers)."
    )


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    ip_address: str | None
    current: bool = False


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Role
    is_active: bool
    is_verified: bool
    created_at: datetime


class UserPage(Page[UserRead]):
    pass


class UserUpdateMe(BaseModel):
    """Changing the address needs the current password and a new verification."""

    model_config = ConfigDict(extra="forbid")

    email: NewEmail
    current_password: Password


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: Password


class ProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    display_name: str | None
    bio: str | None
    locale: str
    timezone: str
    avatar_url: str | None


class ProfileUpdate(BaseModel):
    """The whole profile (PUT): omitted optional fields are cleared."""

    model_config = ConfigDict(extra="forbid")

    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None
    ) = None
    bio: Annotated[str, Field(max_length=2000)] | None = None
    locale: Locale = "en"
    timezone: TimeZone = "UTC"
    avatar_url: Annotated[HttpUrl, Field(max_length=2048)] | None = None


class UserFilter(BaseModel):
    """The admin listing's filters, read from the query string."""

    role: Role | None = None
    is_active: bool | None = None
    q: str | None = Field(default=None, max_length=320, description="Part of the e-mail address.")


class AdminUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: NewEmail
    password: Password
    role: Role = Role.MEMBER
    is_active: bool = True
    is_verified: bool = False


class AdminUserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


class EmailVerificationConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=256)]


class Accepted(BaseModel):
    detail: str = "accepted"
