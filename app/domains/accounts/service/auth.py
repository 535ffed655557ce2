"""Registration, login, refresh-token rotation with reuse detection, logout and sessions."""

from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import structlog

from app.core.config import Settings
from app.core.security import (
    AccessClaims,
    AccessTokens,
    ExpiredTokenError,
    InvalidTokenError,
    PasswordHasher,
    new_opaque_token,
    token_digest,
)
from app.domains.accounts.addresses import comparable_email
from app.domains.accounts.errors import (
    AccountInactive,
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    RefreshTokenReused,
    SessionNotFound,
    SessionRevoked,
    TokenExpired,
)
from app.domains.accounts.models import AuthSession, Profile, RefreshToken, User
from app.domains.accounts.passwords import check_password_policy
from app.domains.accounts.permissions import grants
from app.domains.accounts.repository import (
    RefreshTokenRepository,
    SessionRepository,
    UserRepository,
    UserRow,
)
from app.domains.accounts.service.limits import AttemptLimits
from app.domains.accounts.service.recovery import AccountEmails
from app.domains.accounts.service.sessions import RevocationList, SessionRevocation
from app.infrastructure.database import utc_now
from app.infrastructure.unit_of_work import UnitOfWork

security_log = structlog.get_logger("keel.security")

USER_AGENT_MAX_LENGTH = 256


@dataclass(frozen=True, slots=True)
class Client:
    """Where a request comes from, as far as the server can tell."""

    address: str | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: int


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as their access token's signed claims say: the user, their role and the
    login session. Whatever changes what a token may do revokes its session (docs/decisions.md),
    so the claims stand until then; the user's row is read only where it is needed."""

    id: int
    role: str
    session_id: int

    def may(self, permission: str) -> bool:
        return grants(self.role, permission)


class Authenticator:
    """Who is calling, from an access token: its claims and the shared revocation list, no
    database (building the whole `AuthService` cost each request more than this)."""

    def __init__(self, *, tokens: AccessTokens, revocations: RevocationList) -> None:
        self.tokens = tokens
        self.revocations = revocations

    async def authenticate(self, *, access_token: str) -> Caller:
        try:
            claims: AccessClaims = self.tokens.decode(access_token)
        except ExpiredTokenError as exc:
            raise TokenExpired from exc
        except InvalidTokenError as exc:
            raise InvalidToken from exc
        if await self.revocations.is_revoked(claims.session_id):
            raise SessionRevoked
        return Caller(id=claims.user_id, role=claims.role, session_id=claims.session_id)

    async def user_of(self, caller: Caller, *, uow: UnitOfWork) -> User:
        """The caller's user, to change. Deleting or deactivating a user revokes their
        sessions; a row found gone or inactive all the same is refused alike."""
        return _active(await UserRepository(uow.session).get_or_none(caller.id))

    async def shown_user_of(self, caller: Caller, *, uow: UnitOfWork) -> UserRow:
        """The caller's user as shown, read without the ORM (`GET /users/me`); refused alike."""
        return _active(await UserRepository(uow.session).row(caller.id))


UserT = TypeVar("UserT", User, UserRow)


def _active(user: UserT | None) -> UserT:
    if user is None or not user.is_active:
        raise SessionRevoked
    return user


class AuthService:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        settings: Settings,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        revocation: SessionRevocation,
        limits: AttemptLimits,
        emails: AccountEmails,
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.hasher = hasher
        self.tokens = tokens
        self.revocation = revocation
        self.limits = limits
        self.emails = emails
        self.users = UserRepository(uow.session)
        self.sessions = SessionRepository(uow.session)
        self.refresh_tokens = RefreshTokenRepository(uow.session)

    async def register(self, *, email: str, password: str, display_name: str | None, client: Client) -> User:
        await self.limits.count(self.settings.register_rate_limit_per_address, "register", client.address)
        email = comparable_email(email)
        check_password_policy(password, email=email)
        if await self.users.exists(email=email):
            raise EmailTaken
        async with self.uow.paused():  # hashing holds a core a while; the database need not wait
            password_hash = await self.hasher.hash(password)
        async with self.uow:
            user = await self.users.add(User(email=email, password_hash=password_hash))
            self.uow.session.add(Profile(user_id=user.id, display_name=display_name))
            await self.emails.send_verification(user)
        await self.emails.deliver_pending()
        return user

    async def login(self, *, email: str, password: str, client: Client) -> IssuedTokens:
        email = comparable_email(email)
        # Both limits count every attempt, so guessing is slow for one account and for one address.
        await self.limits.count(self.settings.login_rate_limit_per_account, "login-account", email)
        await self.limits.count(self.settings.login_rate_limit_per_address, "login-address", client.address)
        user = await self.users.by_email(email)
        async with self.uow.paused():  # hashing holds a core a while; the database need not wait
            if user is None:
                await self.hasher.verify_against_dummy(password)
                raise InvalidCredentials
            valid, upgraded_hash = await self.hasher.verify(password, user.password_hash)
        if not valid:
            security_log.info("login_failed", user_id=user.id, address=client.address)
            raise InvalidCredentials
        if not user.is_active:
            raise AccountInactive
        async with self.uow:
            if upgraded_hash:
                await self.users.update(user, password_hash=upgraded_hash)
            now = utc_now()
            auth_session = await self.sessions.add(
                AuthSession(
                    user_id=user.id,
                    expires_at=now + timedelta(days=self.settings.refresh_token_ttl_days),
                    last_used_at=now,
                    user_agent=(client.user_agent or "")[:USER_AGENT_MAX_LENGTH] or None,
                    ip_address=client.address,
                )
            )
            return await self._issue(user, auth_session)

    async def refresh(self, *, refresh_token: str) -> IssuedTokens:
        """Exchange a refresh token for new tokens; a second use of one ends its whole session."""
        stored = await self.refresh_tokens.by_hash(token_digest(refresh_token))
        if stored is None:
            raise InvalidRefreshToken
        auth_session = await self.sessions.get(stored.session_id)
        now = utc_now()
        if auth_session.revoked_at is not None or auth_session.expires_at <= now:
            raise InvalidRefreshToken
        async with self.uow:
            claimed = stored.rotated_at is None and await self.refresh_tokens.mark_rotated(stored, now=now)
            if claimed:
                user = await self.users.get(auth_session.user_id)
                if not user.is_active:
                    raise AccountInactive
                auth_session.last_used_at = now
                return await self._issue(user, auth_session)
            # Reuse: whoever holds the old token and whoever holds the new one are not both
            # the owner. Ending the session locks both out; the owner logs in again.
            await self.revocation.revoke([auth_session], reason="refresh_token_reuse")
        security_log.warning("refresh_token_reuse", user_id=auth_session.user_id, session_id=auth_session.id)
        raise RefreshTokenReused

    async def resume(self, *, session_id: int) -> Caller:
        """The caller of a login session kept server-side (the admin panel's cookie holds
        only its id): valid while the session is neither revoked nor expired and its user
        is active."""
        auth_session = await self.sessions.get_or_none(session_id)
        if (
            auth_session is None
            or auth_session.revoked_at is not None
            or auth_session.expires_at <= utc_now()
        ):
            raise SessionRevoked
        user = await self.users.get_or_none(auth_session.user_id)
        if user is None or not user.is_active:
            raise SessionRevoked
        return Caller(id=user.id, role=user.role, session_id=session_id)

    async def logout(self, *, caller: Caller) -> None:
        async with self.uow:
            auth_session = await self.sessions.get(caller.session_id)
            await self.revocation.revoke([auth_session], reason="logout")

    async def logout_all(self, *, caller: Caller) -> None:
        async with self.uow:
            await self.revocation.revoke_all(caller.id, reason="logout_all")

    async def list_sessions(self, *, caller: Caller) -> list[AuthSession]:
        return await self.sessions.active_for_user(caller.id, now=utc_now())

    async def revoke_session(self, *, caller: Caller, session_id: int) -> None:
        auth_session = await self.sessions.get_or_none(session_id)
        if auth_session is None or auth_session.user_id != caller.id or auth_session.revoked_at:
            raise SessionNotFound(entity_id=session_id)
        async with self.uow:
            await self.revocation.revoke([auth_session], reason="revoked_by_user")

    async def revoke_sessions(self, *, session_ids: list[int], reason: str) -> None:
        """Admins: end these sessions, whoever they belong to."""
        async with self.uow:
            found = [await self.sessions.get_or_none(session_id) for session_id in session_ids]
            live = [
                auth_session for auth_session in found if auth_session and auth_session.revoked_at is None
            ]
            await self.revocation.revoke(live, reason=reason)

    async def limit_mail_requests(self, client: Client) -> None:
        """Anonymous requests that send mail share the registration limit per address."""
        await self.limits.count(self.settings.register_rate_limit_per_address, "mail", client.address)

    async def _issue(self, user: User, auth_session: AuthSession) -> IssuedTokens:
        refresh_token = new_opaque_token()
        await self.refresh_tokens.add(
            RefreshToken(session_id=auth_session.id, token_hash=token_digest(refresh_token))
        )
        return IssuedTokens(
            access_token=self.tokens.issue(user_id=user.id, session_id=auth_session.id, role=user.role),
            refresh_token=refresh_token,
            expires_in=self.tokens.ttl_seconds,
            session_id=auth_session.id,
        )
