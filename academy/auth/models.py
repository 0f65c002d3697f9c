"""Accounts, roles and server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.db import UTCDateTime, utcnow
from academy.extensions import db


class Role:
    """Role names; every user is a learner, flags add the rest."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"
    GRANTABLE = (TRAINER, ADMIN)


class User(UserMixin, db.Model):
    """A person with an account; e-mail is stored normalised (lower case) and unique."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    # IANA name; dates a person types or reads (quiz opening times) are in this zone, stored in UTC.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels", server_default="Europe/Brussels")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_trainer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reset_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The login session this request runs under; set by the user loader, not stored.
    current_session = None

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_active_account

    def get_id(self) -> str:
        """Flask-Login stores the session token, not the user id, so the server can revoke it."""
        if self.current_session is None:
            raise RuntimeError("get_id() needs a login session; use auth.services.start_session")
        return self.current_session.token

    def has_role(self, role: str) -> bool:
        """True if the user holds `role` (admins hold every role)."""
        if role == Role.LEARNER:
            return True
        if self.is_admin:
            return True
        return role == Role.TRAINER and self.is_trainer

    @property
    def roles(self) -> list[str]:
        """Role names held, for display."""
        held = [Role.LEARNER]
        if self.is_trainer:
            held.append(Role.TRAINER)
        if self.is_admin:
            held.append(Role.ADMIN)
        return held

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """A login on one browser; deleting the row logs that browser out everywhere it is copied."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    remember: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="sessions")

    # The clear token exists only on the request that created the row.
    token = ""
