"""Accounts housekeeping, run by the maintenance job: drop what can no longer be used."""

from datetime import datetime, timedelta

from app.domains.accounts.repository import ActionTokenRepository, OutboxRepository, SessionRepository
from app.domains.accounts.service.recovery import AccountEmails
from app.infrastructure.unit_of_work import UnitOfWork

SENT_MAIL_KEPT_FOR = timedelta(days=7)


class AccountsMaintenance:
    def __init__(self, *, uow: UnitOfWork, emails: AccountEmails) -> None:
        self.uow = uow
        self.emails = emails
        self.sessions = SessionRepository(uow.session)
        self.tokens = ActionTokenRepository(uow.session)
        self.outbox = OutboxRepository(uow.session)

    async def purge_expired(self, *, now: datetime) -> dict[str, int]:
        async with self.uow:
            return {
                "expired_sessions": await self.sessions.purge_expired(now=now),
                "spent_tokens": await self.tokens.purge_spent(now=now),
                "old_mail": await self.outbox.purge_sent(before=now - SENT_MAIL_KEPT_FOR),
            }

    async def retry_unsent_mail(self) -> int:
        return await self.emails.retry_unsent()
