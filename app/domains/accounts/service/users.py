"""The user's own account and profile, and user administration."""

import structlog

from app.core.config import Settings
from app.core.security import PasswordHasher
from app.domains.accounts.addresses import comparable_email
from app.domains.accounts.errors import EmailTaken, LastAdmin, WrongPassword
from app.domains.accounts.models import Profile, User
from app.domains.accounts.passwords import check_password_policy
from app.domains.accounts.permissions import Role
from app.domains.accounts.repository import ProfileRepository, UserRepository
from app.domains.accounts.schemas import AdminUserCreate, AdminUserUpdate, ProfileUpdate, UserFilter
from app.domains.accounts.service.auth import Caller, Client
from app.domains.accounts.service.limits import AttemptLimits
from app.domains.accounts.service.recovery import AccountEmails
from app.domains.accounts.service.sessions import SessionRevocation
from app.infrastructure.unit_of_work import UnitOfWork

audit_log = structlog.get_logger("keel.security")


class UserService:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        settings: Settings,
        hasher: PasswordHasher,
        revocation: SessionRevocation,
        emails: AccountEmails,
        limits: AttemptLimits,
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.hasher = hasher
        self.limits = limits
        self.revocation = revocation
        self.emails = emails
        self.users = UserRepository(uow.session)
        self.profiles = ProfileRepository(uow.session)

    async def change_email(self, *, user: User, email: str, current_password: str, client: Client) -> User:
        await self._count_password_check(user, client)
        async with self.uow.paused():
            await self._confirm_password(user, current_password)
        email = comparable_email(email)
        if email == user.email:
            return user
        if await self.users.exists(email=email):
            raise EmailTaken
        async with self.uow:
            await self.users.update(user, email=email, is_verified=False)
            await self.emails.send_verification(user)
        await self.emails.deliver_pending()
        return user

    async def change_password(
        self, *, user: User, session_id: int, current_password: str, new_password: str, client: Client
    ) -> None:
        """Every other session ends: whoever else knew the old password is logged out."""
        await self._count_password_check(user, client)
        async with self.uow.paused():  # hashing holds a core a while; the database need not wait
            await self._confirm_password(user, current_password)
            check_password_policy(new_password, email=user.email)
            password_hash = await self.hasher.hash(new_password)
        async with self.uow:
            await self.users.update(user, password_hash=password_hash)
            await self.revocation.revoke_all(user.id, reason="password_changed", keep=session_id)

    async def delete_own_account(self, *, user: User) -> None:
        async with self.uow:
            await self._ensure_not_last_admin(user)
            await self.revocation.revoke_all(user.id, reason="account_deleted")
            await self.users.delete(user)

    async def profile(self, *, user: User) -> Profile:
        found = await self.profiles.for_user(user.id)
        if found is not None:
            return found
        async with self.uow:  # every account gets one at creation; this mends one without
            return await self._new_profile(user)

    async def replace_profile(self, *, user: User, changes: ProfileUpdate) -> Profile:
        values = changes.model_dump(mode="json")
        async with self.uow:
            profile = await self.profile(user=user)
            return await self.profiles.update(profile, **values)

    async def search(self, filters: UserFilter, *, limit: int, offset: int) -> tuple[list[User], int]:
        return await self.users.search(filters, limit=limit, offset=offset)

    async def get(self, user_id: int) -> User:
        return await self.users.get(user_id)

    async def create(self, *, data: AdminUserCreate, actor: Caller) -> User:
        email = comparable_email(data.email)
        check_password_policy(data.password, email=email)
        if await self.users.exists(email=email):
            raise EmailTaken
        password_hash = await self.hasher.hash(data.password)
        async with self.uow:
            user = await self.users.add(
                User(
                    email=email,
                    password_hash=password_hash,
                    role=data.role.value,
                    is_active=data.is_active,
                    is_verified=data.is_verified,
                )
            )
            await self._new_profile(user)
        audit_log.info("user_created", actor_id=actor.id, user_id=user.id, role=user.role)
        return user

    async def administer(self, *, user_id: int, changes: AdminUserUpdate, actor: Caller) -> User:
        """Role and active flag; either change ends the user's sessions so it applies at once."""
        user = await self.users.get(user_id)
        values = changes.model_dump(exclude_unset=True, exclude_none=True, mode="json")
        values = {name: value for name, value in values.items() if getattr(user, name) != value}
        if not values:
            return user
        async with self.uow:
            if values.get("role", Role.ADMIN) != Role.ADMIN or values.get("is_active", True) is False:
                await self._ensure_not_last_admin(user)
            await self.users.update(user, **values)
            await self.revocation.revoke_all(user.id, reason="account_changed")
        audit_log.info("user_changed", actor_id=actor.id, user_id=user.id, changes=values)
        return user

    async def remove(self, *, user_id: int, actor: Caller) -> None:
        user = await self.users.get(user_id)
        await self.delete_own_account(user=user)
        audit_log.info("user_deleted", actor_id=actor.id, user_id=user_id)

    async def ensure_admin(self, *, email: str, password: str, reset_password: bool = False) -> str:
        """For `keel create-admin`: create, or promote and reactivate; says which it did.

        An existing account keeps its password unless `reset_password`: then it takes the one
        given, and every session of the account ends, as after a password reset by e-mail.
        """
        email = comparable_email(email)
        user = await self.users.by_email(email)
        if user is None:
            return await self._create_admin(email=email, password=password)
        changes: dict[str, object] = {}
        done = []
        if user.role != Role.ADMIN or not user.is_active:
            changes.update(role=Role.ADMIN.value, is_active=True)
            done.append("promoted")
        if reset_password:
            check_password_policy(password, email=email)
            async with self.uow.paused():  # hashing holds a core a while; the database need not wait
                changes["password_hash"] = await self.hasher.hash(password)
            done.append("password reset, every session ended")
        if not changes:
            return "unchanged"
        async with self.uow:
            await self.users.update(user, **changes)
            if reset_password:
                await self.revocation.revoke_all(user.id, reason="password_reset")
        return "; ".join(done)

    async def _create_admin(self, *, email: str, password: str) -> str:
        check_password_policy(password, email=email)
        async with self.uow.paused():
            password_hash = await self.hasher.hash(password)
        async with self.uow:
            user = await self.users.add(
                User(email=email, password_hash=password_hash, role=Role.ADMIN.value, is_verified=True)
            )
            await self._new_profile(user)
        return "created"

    async def _count_password_check(self, user: User, client: Client) -> None:
        """A stolen session must not make the current password guessable: checks are limited
        like logins, per account and per address, every check counting."""
        await self.limits.count(
            self.settings.reauthentication_rate_limit_per_account, "reauthentication", str(user.id)
        )
        await self.limits.count(
            self.settings.reauthentication_rate_limit_per_address, "reauthentication-address", client.address
        )

    async def _confirm_password(self, user: User, password: str) -> None:
        valid, _ = await self.hasher.verify(password, user.password_hash)
        if not valid:
            raise WrongPassword

    async def _ensure_not_last_admin(self, user: User) -> None:
        if user.role == Role.ADMIN and user.is_active and await self.users.count_active_admins() <= 1:
            raise LastAdmin

    async def _new_profile(self, user: User) -> Profile:
        return await self.profiles.add(Profile(user_id=user.id))
