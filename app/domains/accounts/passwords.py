"""The password rules, in one place."""

from app.domains.accounts.errors import PasswordRejected
from app.domains.accounts.schemas import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


def check_password_policy(password: str, *, email: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordRejected(reason="too_short")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordRejected(reason="too_long")
    if password.strip().lower() == email.strip().lower():
        raise PasswordRejected(reason="same_as_email")
