"""Password reset and e-mail verification: single-use expiring tokens, delivered by mail.

Messages are written to the outbox in the same transaction as the token they carry, and
delivered after commit; an undelivered message stays in the outbox with `sent_at` unset.
"""

from datetime import timedelta
from urllib.parse import urlencode

import structlog

from app.core.config import Settings
from app.core.security import PasswordHasher, new_opaque_token, token_digest
from app.domains.accounts.errors import InvalidActionToken
from app.domains.accounts.models import ActionToken, OutboxMessage, User
from app.domains.accounts.passwords import check_password_policy
from app.domains.accounts.repository import ActionTokenRepository, OutboxRepository, UserRepository
from app.domains.accounts.service.sessions import SessionRevocation
from app.infrastructure.database import utc_now
from app.infrastructure.mail import EmailMessage, Mailer
from app.infrastructure.unit_of_work import UnitOfWork

logger = structlog.get_logger("keel.mail")

PASSWORD_RESET = "password_reset"  # noqa: S105 - a token purpose, not a secret
EMAIL_VERIFICATION = "email_verification"
TOKEN_LIFETIMES = {PASSWORD_RESET: timedelta(hours=1), EMAIL_VERIFICATION: timedelta(days=2)}


class AccountEmails:
    def __init__(self, *, uow: UnitOfWork, settings: Settings, mailer: Mailer | None) -> None:
        self.uow = uow
        self.settings = settings
        self.mailer = mailer
        self.tokens = ActionTokenRepository(uow.session)
        self.outbox = OutboxRepository(uow.session)
        self._pending: list[OutboxMessage] = []

    async def send_verification(self, user: User) -> None:
        token = await self._new_token(user, EMAIL_VERIFICATION)
        link = self._link("/verify-email", token)
        await self._queue(
            user.email, "Confirm your e-mail address", f"Confirm your address for Keel:\n\n{link}\n"
        )

    async def send_password_reset(self, user: User) -> None:
        token = await self._new_token(user, PASSWORD_RESET)
        link = self._link("/reset-password", token)
        await self._queue(
            user.email,
            "Reset your password",
            f"Someone asked to reset your Keel password. If it was you, open:\n\n{link}\n\n"
            "The link works once, for one hour. If it was not you, ignore this message.\n",
        )

    async def redeem(self, token: str, *, purpose: str) -> int:
        """Use a token once; the user id it was issued for."""
        stored = await self.tokens.usable(token_digest(token), purpose=purpose, now=utc_now())
        if stored is None or not await self.tokens.mark_used(stored, now=utc_now()):
            raise InvalidActionToken
        return stored.user_id

    async def deliver_pending(self) -> None:
        """After commit: hand queued messages to the mailer; failures leave them in the outbox."""
        pending, self._pending = self._pending, []
        for message in pending:
            await self._deliver(message)

    async def retry_unsent(self, *, limit: int = 100) -> int:
        """Maintenance: another attempt at messages SMTP refused before. Delivered ones counted."""
        return sum([await self._deliver(message) for message in await self.outbox.unsent(limit=limit)])

    async def _deliver(self, message: OutboxMessage) -> bool:
        if self.mailer is None:
            return False
        try:
            await self.mailer.send(
                EmailMessage(to=message.recipient, subject=message.subject, body=message.body)
            )
        except ConnectionError:
            logger.warning("mail_not_delivered", outbox_id=message.id)
            return False
        async with self.uow:
            await self.outbox.update(message, sent_at=utc_now())
        return True

    async def _new_token(self, user: User, purpose: str) -> str:
        """Links sent before stop working: an old mail, read by someone else, is worth nothing."""
        await self.tokens.supersede(user_id=user.id, purpose=purpose, now=utc_now())
        token = new_opaque_token()
        await self.tokens.add(
            ActionToken(
                user_id=user.id,
                purpose=purpose,
                token_hash=token_digest(token),
                expires_at=utc_now() + TOKEN_LIFETIMES[purpose],
            )
        )
        return token

    async def _queue(self, recipient: str, subject: str, body: str) -> None:
        self._pending.append(
            await self.outbox.add(OutboxMessage(recipient=recipient, subject=subject, body=body))
        )

    def _link(self, path: str, token: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


class RecoveryService:
    def __init__(
        self, *, uow: UnitOfWork, hasher: PasswordHasher, emails: AccountEmails, revocation: SessionRevocation
    ) -> None:
        self.uow = uow
        self.hasher = hasher
        self.emails = emails
        self.revocation = revocation
        self.users = UserRepository(uow.session)

    async def request_password_reset(self, *, email: str) -> None:
        """Same outcome whether or not the address is known: nothing is revealed. Run after
        the response (`hand_off_password_reset`), so its time is not the response's either."""
        user = await self.users.by_email(email)
        if user is None or not user.is_active:
            logger.info("password_reset_for_unknown_address")
            return
        async with self.uow:
            await self.emails.send_password_reset(user)
        await self.emails.deliver_pending()

    async def reset_password(self, *, token: str, new_password: str) -> None:
        async with self.uow:
            user = await self.users.get(await self.emails.redeem(token, purpose=PASSWORD_RESET))
            check_password_policy(new_password, email=user.email)
            await self.users.update(user, password_hash=await self.hasher.hash(new_password))
            await self.revocation.revoke_all(user.id, reason="password_reset")

    async def request_verification(self, *, user: User) -> None:
        if user.is_verified:
            return
        async with self.uow:
            await self.emails.send_verification(user)
        await self.emails.deliver_pending()

    async def confirm_verification(self, *, token: str) -> None:
        async with self.uow:
            user = await self.users.get(await self.emails.redeem(token, purpose=EMAIL_VERIFICATION))
            await self.users.update(user, is_verified=True)
