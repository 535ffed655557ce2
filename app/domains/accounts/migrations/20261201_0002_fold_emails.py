"""Accounts: stored e-mail addresses in their folded form (NFKC, casefold, ASCII domain).

Until now addresses were only lower-cased, so `ａｄａ@example.com` (fullwidth) or
`ada@bücher.de` beside `ada@xn--bcher-kva.de` could be second accounts of one mailbox.
Each address is rewritten in the form Keel now stores and looks up. Where two accounts fold
to one address, the one already holding it keeps it, else the oldest (lowest id) gets it;
the others keep their address, which no lookup finds any more (no login, no reset), and
their ids are logged for the operator (docs/security.md). Accounts whose local part is not ASCII are folded too, and kept: they
can still log in and move to an ASCII address.

The fold is copied here, as it is at this revision, so that later changes to the
application cannot change what this migration did.

Revision ID: accounts_0002
Revises: accounts_0001
Create Date: 2026-12-01 07:00:00.000000
"""

import logging
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision: str = "accounts_0002"
down_revision: str | None = "accounts_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))


def folded(address: str) -> str:
    address = unicodedata.normalize("NFKC", address).casefold().strip()
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        return f"{local}@{validate_email(address, check_deliverability=False).ascii_domain}"
    except EmailNotValidError:
        return address


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all()
    taken = {email for _, email in rows}
    for user_id, email in rows:
        target = folded(email)
        if target == email:
            continue
        if target in taken:
            logger.warning("user %s keeps its address: the folded form belongs to another account", user_id)
            continue
        connection.execute(sa.update(users).where(users.c.id == user_id).values(email=target))
        taken.discard(email)
        taken.add(target)


def downgrade() -> None:
    """Nothing: the folded address is the same mailbox, and the old spelling is not kept."""
