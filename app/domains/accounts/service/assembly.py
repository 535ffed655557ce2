"""The accounts services for one unit of work, wired from the application's shared parts.

Used by the API's dependencies and by the admin panel, so both apply the same rules.
"""

from dataclasses import dataclass

from app.domains.accounts.service.auth import Authenticator, AuthService
from app.domains.accounts.service.limits import AttemptLimits
from app.domains.accounts.service.recovery import AccountEmails, RecoveryService
from app.domains.accounts.service.sessions import RevocationList, SessionRevocation
from app.domains.accounts.service.users import UserService
from app.infrastructure.runtime import Runtime
from app.infrastructure.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AccountServices:
    auth: AuthService
    users: UserService
    recovery: RecoveryService


def account_services(runtime: Runtime, uow: UnitOfWork) -> AccountServices:
    revocation = _revocation(runtime, uow)
    limits = AttemptLimits(runtime.rate_limiter)
    emails = AccountEmails(uow=uow, settings=runtime.settings, mailer=runtime.mailer)
    auth = AuthService(
        uow=uow,
        settings=runtime.settings,
        hasher=runtime.password_hasher,
        tokens=runtime.access_tokens,
        revocation=revocation,
        limits=limits,
        emails=emails,
    )
    users = UserService(
        uow=uow,
        settings=runtime.settings,
        hasher=runtime.password_hasher,
        revocation=revocation,
        emails=emails,
        limits=limits,
    )
    recovery = RecoveryService(uow=uow, hasher=runtime.password_hasher, emails=emails, revocation=revocation)
    return AccountServices(auth=auth, users=users, recovery=recovery)


def hand_off_password_reset(runtime: Runtime, *, email: str) -> None:
    """The request answers at once, alike for every address; looking the address up, writing
    the token and mailing it happen after, in a unit of work of their own (docs/decisions.md)."""
    runtime.after_response.run(_request_password_reset(runtime, email), name="password_reset")


async def _request_password_reset(runtime: Runtime, email: str) -> None:
    # No request slot: the slots are for requests; like jobs, this work takes a pooled
    # connection when it needs one (from the overflow: app/main.py bounds how many run).
    uow = UnitOfWork(runtime.session_factory)
    try:
        await account_services(runtime, uow).recovery.request_password_reset(email=email)
    finally:
        await uow.close()


def authenticator(runtime: Runtime) -> Authenticator:
    """Needs no unit of work: a request is authorized without the database (docs/decisions.md)."""
    return Authenticator(tokens=runtime.access_tokens, revocations=_revocations(runtime))


def _revocation(runtime: Runtime, uow: UnitOfWork) -> SessionRevocation:
    return SessionRevocation(uow=uow, revocations=_revocations(runtime))


def _revocations(runtime: Runtime) -> RevocationList:
    return RevocationList(cache=runtime.cache, access_token_ttl=runtime.settings.access_token_ttl_seconds)
