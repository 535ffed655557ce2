"""Mail through a real SMTP server on loopback; the log in development; nothing otherwise."""

import pytest

from app.core.config import Settings
from app.infrastructure.mail import EmailMessage, LogMailer, SmtpMailer, create_mailer
from tests.fixtures.platform import TEST_DEFAULTS
from tests.smtp import free_port, smtp_server


def smtp_settings(port: int, **overrides: object) -> Settings:
    values = {**TEST_DEFAULTS, "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg, arg-type]


async def test_smtp_mailer_delivers_the_message() -> None:
    with smtp_server() as (port, inbox):
        mailer = SmtpMailer(smtp_settings(port, smtp_from="Keel <keel@example.com>"))
        await mailer.send(EmailMessage(to="ada@example.com", subject="Привет", body="Line one\nline two"))

    [received] = inbox.messages
    assert received["To"] == "ada@example.com"
    assert received["From"] == "Keel <keel@example.com>"
    assert received["Subject"] == "Привет"
    assert received.get_content().splitlines() == ["Line one", "line two"]


async def test_an_unreachable_smtp_server_raises_connection_error() -> None:
    mailer = SmtpMailer(smtp_settings(free_port(), smtp_timeout_seconds=2))
    with pytest.raises(ConnectionError):
        await mailer.send(EmailMessage(to="ada@example.com", subject="s", body="b"))


def test_the_mailer_follows_the_settings() -> None:
    assert isinstance(create_mailer(smtp_settings(2525)), SmtpMailer)
    development = Settings(_env_file=None, env="development")  # type: ignore[call-arg]
    assert isinstance(create_mailer(development), LogMailer)
    assert create_mailer(Settings(_env_file=None, **TEST_DEFAULTS)) is None  # type: ignore[call-arg, arg-type]
