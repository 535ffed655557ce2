"""Account rules, on the services: registration, login, refresh rotation, sessions."""

import pytest

from app.domains.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    SessionRevoked,
    WrongPassword,
)
from app.domains.accounts.service.assembly import AccountServices, authenticator
from app.domains.accounts.service.auth import Client
from app.infrastructure.runtime import Runtime
from app.infrastructure.unit_of_work import UnitOfWork
from tests.factories import make_user
from tests.fixtures.accounts import PASSWORD

CLIENT = Client(address="127.0.0.1", user_agent="service-tests")
NEW_PASSWORD = "another horse battery"


async def test_registering_folds_the_address_and_makes_a_member_with_a_profile(
    accounts: AccountServices,
) -> None:
    user = await accounts.auth.register(
        email="Ann@Example.COM", password=PASSWORD, display_name="Ann", client=CLIENT
    )

    assert (user.email, user.role, user.is_verified) == ("ann@example.com", "member", False)
    assert (await accounts.users.profile(user=user)).display_name == "Ann"


async def test_an_address_registers_once_however_it_is_spelt(accounts: AccountServices) -> None:
    await accounts.auth.register(email="ann@example.com", password=PASSWORD, display_name=None, client=CLIENT)

    with pytest.raises(EmailTaken):
        await accounts.auth.register(
            email="ANN@example.com", password=PASSWORD, display_name=None, client=CLIENT
        )


async def test_a_wrong_password_and_an_unknown_address_get_the_same_refusal(
    uow: UnitOfWork, accounts: AccountServices
) -> None:
    user = await make_user(uow)

    with pytest.raises(InvalidCredentials):
        await accounts.auth.login(email=user.email, password="not the password", client=CLIENT)
    with pytest.raises(InvalidCredentials):
        await accounts.auth.login(email="nobody@example.com", password=PASSWORD, client=CLIENT)


async def test_a_refresh_rotates_the_token_within_the_session(
    uow: UnitOfWork, accounts: AccountServices
) -> None:
    user = await make_user(uow)
    first = await accounts.auth.login(email=user.email, password=PASSWORD, client=CLIENT)

    second = await accounts.auth.refresh(refresh_token=first.refresh_token)

    assert second.session_id == first.session_id
    assert second.refresh_token != first.refresh_token
    third = await accounts.auth.refresh(refresh_token=second.refresh_token)
    assert third.session_id == first.session_id


async def test_a_rotated_token_presented_again_ends_the_whole_session(
    uow: UnitOfWork, accounts: AccountServices, runtime: Runtime
) -> None:
    user = await make_user(uow)
    stolen = await accounts.auth.login(email=user.email, password=PASSWORD, client=CLIENT)
    current = await accounts.auth.refresh(refresh_token=stolen.refresh_token)

    with pytest.raises(RefreshTokenReused):
        await accounts.auth.refresh(refresh_token=stolen.refresh_token)

    with pytest.raises(InvalidRefreshToken):
        await accounts.auth.refresh(refresh_token=current.refresh_token)
    with pytest.raises(SessionRevoked):
        await authenticator(runtime).authenticate(access_token=current.access_token)


async def test_changing_the_password_ends_every_other_session(
    uow: UnitOfWork, accounts: AccountServices, runtime: Runtime
) -> None:
    user = await make_user(uow)
    here = await accounts.auth.login(email=user.email, password=PASSWORD, client=CLIENT)
    elsewhere = await accounts.auth.login(email=user.email, password=PASSWORD, client=CLIENT)

    await accounts.users.change_password(
        user=user,
        session_id=here.session_id,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        client=CLIENT,
    )

    caller = await authenticator(runtime).authenticate(access_token=here.access_token)
    assert [s.id for s in await accounts.auth.list_sessions(caller=caller)] == [here.session_id]
    with pytest.raises(SessionRevoked):
        await authenticator(runtime).authenticate(access_token=elsewhere.access_token)
    with pytest.raises(InvalidCredentials):
        await accounts.auth.login(email=user.email, password=PASSWORD, client=CLIENT)
    assert await accounts.auth.login(email=user.email, password=NEW_PASSWORD, client=CLIENT)


async def test_the_password_changes_only_with_the_current_one(
    uow: UnitOfWork, accounts: AccountServices
) -> None:
    user = await make_user(uow)
    issued = await accounts.auth.login(email=user.email, password=PASSWORD, client=CLIENT)

    with pytest.raises(WrongPassword):
        await accounts.users.change_password(
            user=user,
            session_id=issued.session_id,
            current_password="not the password",
            new_password=NEW_PASSWORD,
            client=CLIENT,
        )
