"""Notifications (the in-app item), Deliveries (the e-mail outbox), Preferences and digest runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.db import UTCDateTime, utcnow
from academy.extensions import db


class Channel:
    """Where a notification goes besides the in-app list (which is always on)."""

    EMAIL = "email"


class Mode:
    """How a user wants e-mail for an event kind."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"
    ALL = (IMMEDIATE, DAILY, WEEKLY, OFF)
    DIGESTS = (DAILY, WEEKLY)


class Status:
    """Life of a delivery (and of a digest run): claimed before sending, so nothing goes out twice."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # preference off or access lost by send time
    RETRYABLE = (PENDING, FAILED)


class Notification(db.Model):
    """Something that happened that a user should hear about; one row per (user, event key)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    # Identifies the occurrence (e.g. "post.replied:post:42"): a second record() of it is a no-op.
    event_key: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    # What preferences and access checks are scoped to, e.g. "community:3"; "" for none.
    scope: Mapped[str] = mapped_column(String(60), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="notification", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_read(self) -> bool:
        """True once the user marked it read."""
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.event_key} user={self.user_id}>"


class Delivery(db.Model):
    """The outbox row for one notification on one channel; a job claims it before sending."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        Index("ix_deliveries_status_mode", "status", "mode"),
        Index("ix_deliveries_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16), default=Channel.EMAIL)
    mode: Mapped[str] = mapped_column(String(16), default=Mode.IMMEDIATE)
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    digest_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("digest_runs.id", ondelete="SET NULL"), nullable=True, index=True
    )

    notification: Mapped[Notification] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.channel} {self.mode} {self.status}>"


class Preference(db.Model):
    """A user's e-mail choice for an event kind ("*" = every kind), optionally for one scope."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DigestRun(db.Model):
    """One digest e-mail for one user and period; its uniqueness makes a second run a no-op."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("user_id", "period", "period_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    period_key: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
