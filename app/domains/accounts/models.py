"""Users, their profiles, login sessions with rotating refresh tokens, and one-time tokens."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domains.accounts.errors import EmailTaken, ProfileExists
from app.domains.accounts.permissions import Role
from app.infrastructure.constraints import conflict, exempt
from app.infrastructure.database import Base

EMAIL_MAX_LENGTH = 320
DRAWN_BY_SERVER = "the hash of a token the server draws from 32 random bytes: no request picks it"


class User(Base):
    __tablename__ = "users"
    # Stored folded (NFKC, casefold, ASCII domain: `accounts/addresses.py`), so the unique
    # constraint holds for every spelling of an address on every database.
    __table_args__ = (UniqueConstraint("email", info=conflict(lambda _: EmailTaken())),)

    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value, index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_verified: Mapped[bool] = mapped_column(default=False)

    profile: Mapped["Profile"] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("user_id", info=conflict(lambda _: ProfileExists())),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    display_name: Mapped[str | None] = mapped_column(String(100))
    bio: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    avatar_url: Mapped[str | None] = mapped_column(String(2048))

    user: Mapped[User] = relationship(back_populates="profile", lazy="raise")


class AuthSession(Base):
    """One login: a family of refresh tokens, each replacing the one before."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    ip_address: Mapped[str | None] = mapped_column(String(64))

    # <part:admin>
    # Loaded only when asked for: the admin panel's sessions list shows the e-mail.
    user: Mapped[User] = relationship(lazy="raise", viewonly=True)
    # </part:admin>


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (UniqueConstraint("token_hash", info=exempt(DRAWN_BY_SERVER)),)

    session_id: Mapped[int] = mapped_column(ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    # Set when the token is exchanged; presenting it again afterwards is reuse.
    rotated_at: Mapped[datetime | None]


class ActionToken(Base):
    """Single-use, expiring proof sent by e-mail: password reset or address verification."""

    __tablename__ = "action_tokens"
    __table_args__ = (UniqueConstraint("token_hash", info=exempt(DRAWN_BY_SERVER)),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """Mail written in the same transaction as the change it announces, delivered after commit."""

    __tablename__ = "outbox_messages"

    recipient: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
