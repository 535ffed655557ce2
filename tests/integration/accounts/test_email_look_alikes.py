"""One account per mailbox: every spelling of an address folds to one form (NFKC, casefold,
ASCII domain), and a new address with look-alike letters in its local part is refused."""

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from app.domains.accounts.models import OutboxMessage
from tests.fixtures.accounts import PASSWORD, PeopleFactory, register

ADA = "ada@example.com"
SAME_MAILBOX = [
    "ADA@EXAMPLE.COM",
    "ａｄａ@example.com",  # fullwidth letters
    "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # fullwidth everything
    " Ada@Example.com",
]
LOOK_ALIKES = [
    "\u0430da@example.com",  # Cyrillic а
    "ad\u0251@example.com",  # Latin alpha
    "\u0251\u0064\u0251@example.com",
    "a\u0301da@example.com",  # a combining accent
    "\u03b1da@example.com",  # Greek alpha
    "ad\u00df@example.com",  # sharp s, which casefold would make "adss"
]


@pytest.mark.parametrize("spelling", SAME_MAILBOX)
async def test_every_spelling_of_an_address_is_one_account(client: AsyncClient, spelling: str) -> None:
    await register(client, ADA)

    again = await client.post("/api/v1/auth/register", json={"email": spelling, "password": PASSWORD})
    login = await client.post("/api/v1/auth/login", json={"email": spelling, "password": PASSWORD})

    assert again.status_code == 409
    assert again.json()["error_code"] == "email_taken"
    assert login.status_code == 200


async def test_the_kelvin_sign_is_a_k(client: AsyncClient) -> None:
    created = await register(client, "\u212aate@example.com")  # KELVIN SIGN, NFKC: K

    assert created["email"] == "kate@example.com"


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
async def test_a_look_alike_address_cannot_be_registered_or_log_in(
    client: AsyncClient, look_alike: str
) -> None:
    await register(client, ADA)

    registered = await client.post("/api/v1/auth/register", json={"email": look_alike, "password": PASSWORD})
    login = await client.post("/api/v1/auth/login", json={"email": look_alike, "password": PASSWORD})

    assert registered.status_code == 422
    assert registered.json()["error_code"] == "validation_error"
    assert registered.json()["details"][0]["loc"] == ["body", "email"]
    assert login.status_code == 401  # no such account, and the answer says no more than that


async def test_a_look_alike_domain_is_kept_as_the_other_domain_it_is(client: AsyncClient) -> None:
    await register(client, ADA)

    other = await register(client, "ada@ex\u0430mple.com")  # Cyrillic а in the domain
    umlaut = await register(client, "ada@bücher.de")
    same_as_umlaut = await client.post(
        "/api/v1/auth/register", json={"email": "ada@xn--bcher-kva.de", "password": PASSWORD}
    )

    assert str(other["email"]).startswith("ada@xn--")  # shown as what it is, not as example.com
    assert umlaut["email"] == "ada@xn--bcher-kva.de"
    assert same_as_umlaut.json()["error_code"] == "email_taken"


async def test_admins_cannot_create_look_alikes_either(people: PeopleFactory) -> None:
    admin = await people.admin()

    look_alike = await admin.client.post(
        "/api/v1/users", json={"email": "\u0430dmin@example.com", "password": PASSWORD}
    )
    fullwidth = await admin.client.post(
        "/api/v1/users", json={"email": "ａｄｍｉｎ@example.com", "password": PASSWORD}
    )

    assert look_alike.status_code == 422
    assert fullwidth.json()["error_code"] == "email_taken"


async def test_an_e_mail_change_folds_and_refuses_look_alikes(people: PeopleFactory) -> None:
    await people.member(ADA)
    bob = await people.member("bob@example.com")

    taken = await bob.client.patch(
        "/api/v1/users/me", json={"email": "ＡＤＡ@example.com", "current_password": PASSWORD}
    )
    look_alike = await bob.client.patch(
        "/api/v1/users/me", json={"email": "\u0430da@example.com", "current_password": PASSWORD}
    )
    folded = await bob.client.patch(
        "/api/v1/users/me", json={"email": "ＢＯＢ@New.Example", "current_password": PASSWORD}
    )

    assert taken.json()["error_code"] == "email_taken"
    assert look_alike.status_code == 422
    assert folded.json()["email"] == "bob@new.example"


async def test_a_reset_for_another_spelling_reaches_the_one_account(
    app: FastAPI, people: PeopleFactory
) -> None:
    await people.member(ADA)

    response = await people.new_client().post(
        "/api/v1/auth/password-reset", json={"email": "ＡＤＡ@example.com"}
    )
    await app.state.runtime.after_response.drain()

    assert response.status_code == 202
    async with app.state.runtime.session_factory() as session:
        recipients = (await session.scalars(select(OutboxMessage.recipient))).all()
    assert recipients == [ADA, ADA]  # the verification at registration, then the reset
