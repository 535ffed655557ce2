"""Outgoing e-mail: SMTP when `KEEL_SMTP_HOST` is set, the log in development, else nothing.

A mailer that cannot deliver raises the built-in `ConnectionError`; the message stays in the
outbox for a later attempt.
"""

import email.message
from dataclasses import dataclass
from typing import Protocol

import aiosmtplib
import structlog

from app.core.config import Settings

logger = structlog.get_logger("keel.mail")


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        mime = email.message.EmailMessage()
        mime["From"] = self._settings.smtp_from
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime.set_content(message.body)
        password = self._settings.smtp_password
        try:
            await aiosmtplib.send(
                mime,
                hostname=self._settings.smtp_host,
                port=self._settings.smtp_port,
                username=self._settings.smtp_username,
                password=password.get_secret_value() if password else None,
                start_tls=self._settings.smtp_starttls,
                timeout=self._settings.smtp_timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ConnectionError(f"SMTP delivery failed: {exc}") from exc


class LogMailer:
    """Development only: the message, reset links included, is written to the log."""

    async def send(self, message: EmailMessage) -> None:
        logger.info("mail", to=message.to, subject=message.subject, body=message.body)


def create_mailer(settings: Settings) -> Mailer | None:
    if settings.smtp_host:
        return SmtpMailer(settings)
    if settings.env == "development":
        return LogMailer()
    return None
