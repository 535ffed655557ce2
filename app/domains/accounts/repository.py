"""Queries of the accounts domain."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from app.domains.accounts.addresses import comparable_email, fold_email
from app.domains.accounts.errors import SessionNotFound, UserNotFound
from app.domains.accounts.models import ActionToken, AuthSession, OutboxMessage, Profile, RefreshToken, User
from app.domains.accounts.permissions import Role
from app.domains.accounts.schemas import UserFilter
from app.infrastructure.repository import Repository, contains_pattern


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as they are shown (`GET /users/me`): read by a Core statement, nothing tracked."""

    id: int
    email: str
    role: str
    is_active: bool
    is_verified: bool
    created_at: datetime


USERS = User.__table__
# Built once: building a select cost SQLAlchemy about as much as running it.
USER_ROW = select(*(USERS.c[column.name] for column in fields(UserRow))).where(USERS.c.id == bindparam("id"))


class UserRepository(Repository[User]):
    model = User
    not_found = UserNotFound

    async def row(self, user_id: int) -> UserRow | None:
        """The user as shown, or None: to read, not to change (that takes `get`)."""
        found = await self.rows(USER_ROW, {"id": user_id})
        return UserRow(*tuple(found[0])) if found else None  # its columns are its fields, in order

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == comparable_email(email)))

    async def with_profile(self, user_id: int) -> User:
        user = await self.session.scalar(
            select(User).where(User.id == user_id).options(selectinload(User.profile))
        )
        if user is None:
            raise UserNotFound(entity_id=user_id)
        return user

    async def count_active_admins(self) -> int:
        """Locks the admins' rows (PostgreSQL), so two demotions cannot both pass the check."""
        query = (
            select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True)).with_for_update()
        )
        return len((await self.session.scalars(query)).all())

    async def search(self, filters: UserFilter, *, limit: int, offset: int) -> tuple[list[User], int]:
        query = select(User)
        if filters.role is not None:
            query = query.where(User.role == filters.role.value)
        if filters.is_active is not None:
            query = query.where(User.is_active.is_(filters.is_active))
        if filters.q:
            query = query.where(User.email.like(contains_pattern(fold_email(filters.q)), escape="\\"))
        total = int(await self.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        page = await self.session.scalars(query.order_by(User.id).limit(limit).offset(offset))
        return list(page), total


class ProfileRepository(Repository[Profile]):
    model = Profile

    async def for_user(self, user_id: int) -> Profile | None:
        return await self.session.scalar(select(Profile).where(Profile.user_id == user_id))


class SessionRepository(Repository[AuthSession]):
    model = AuthSession
    not_found = SessionNotFound

    async def active_for_user(self, user_id: int, *, now: datetime) -> list[AuthSession]:
        query = (
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now
            )
            .order_by(AuthSession.last_used_at.desc())
        )
        return list(await self.session.scalars(query))

    async def revoke(self, sessions: Sequence[AuthSession], *, now: datetime, reason: str) -> None:
        for auth_session in sessions:
            auth_session.revoked_at = now
            auth_session.revoked_reason = reason
        await self.session.flush()

    async def purge_expired(self, *, now: datetime) -> int:
        """Sessions past their expiry, with their refresh tokens (the foreign key cascades).

        Revoked sessions stay until they expire, so a stolen refresh token presented late is
        still recognised, and logged, as reuse.
        """
        result = await self.session.execute(
            delete(AuthSession)
            .where(AuthSession.expires_at < now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))

    async def mark_rotated(self, token: RefreshToken, *, now: datetime) -> bool:
        """Atomically claim the token: of two concurrent refreshes, only one may rotate it."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token.id, RefreshToken.rotated_at.is_(None))
            .values(rotated_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class ActionTokenRepository(Repository[ActionToken]):
    model = ActionToken

    async def usable(self, token_hash: str, *, purpose: str, now: datetime) -> ActionToken | None:
        return await self.session.scalar(
            select(ActionToken).where(
                ActionToken.token_hash == token_hash,
                ActionToken.purpose == purpose,
                ActionToken.used_at.is_(None),
                ActionToken.expires_at > now,
            )
        )

    async def supersede(self, *, user_id: int, purpose: str, now: datetime) -> None:
        """The user's unused tokens for `purpose` stop working: only the newest link counts."""
        await self.session.execute(
            update(ActionToken)
            .where(
                ActionToken.user_id == user_id, ActionToken.purpose == purpose, ActionToken.used_at.is_(None)
            )
            .values(used_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    async def mark_used(self, token: ActionToken, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(ActionToken)
            .where(ActionToken.id == token.id, ActionToken.used_at.is_(None))
            .values(used_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def purge_spent(self, *, now: datetime) -> int:
        """Used or expired tokens prove nothing any more."""
        result = await self.session.execute(
            delete(ActionToken)
            .where(or_(ActionToken.used_at.is_not(None), ActionToken.expires_at < now))
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class OutboxRepository(Repository[OutboxMessage]):
    model = OutboxMessage

    async def unsent(self, *, limit: int) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
        return list(await self.session.scalars(query.limit(limit)))

    async def purge_sent(self, *, before: datetime) -> int:
        result = await self.session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.sent_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
