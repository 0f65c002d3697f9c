"""Certified training programmes: ordered parts (courses and sessions), enrolments, registrations.

A Programme combines several courses with in-person or live online sessions. A learner who
enrols in the programme is enrolled in its courses; sessions take registrations up to their
capacity and put the rest on a waiting list. When every required part is done (courses certified,
sessions attended) the certificates feature issues a programme certificate.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.courses.models import Course
from academy.db import UTCDateTime, string_enum, utcnow
from academy.extensions import db

# A programme certificate is a certificate of the achievement kind "programme" whose id is the
# programme's id (registered with certificates in programmes.integration).
CERTIFICATE_KIND = "programme"


class ProgrammeStatus(enum.StrEnum):
    """Like courses: drafted by trainers, published to learners, archived when withdrawn."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class PartKind(enum.StrEnum):
    """A part is a course or a session."""

    COURSE = "course"
    SESSION = "session"


class SessionMode(enum.StrEnum):
    """Where a session happens."""

    IN_PERSON = "in_person"
    ONLINE = "online"


class SessionStatus(enum.StrEnum):
    """A session takes place as planned, or the trainer called it off."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    """A seat, a place on the waiting list, or neither any more."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    """What the trainer recorded on the roster; only "present" counts as attended."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class ProgrammeEnrolmentStatus(enum.StrEnum):
    """Active participants, and those who left (their course progress is kept)."""

    ACTIVE = "active"
    LEFT = "left"


programme_owners = Table(
    "programme_owners",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(db.Model):
    """A certified learning path across courses and sessions."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProgrammeStatus] = mapped_column(
        string_enum(ProgrammeStatus, "programme_status"), default=ProgrammeStatus.DRAFT, index=True
    )
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("0"))
    validity_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    owners: Mapped[list[User]] = relationship(secondary=programme_owners, order_by=User.name)
    parts: Mapped[list[ProgrammePart]] = relationship(
        back_populates="programme", order_by="ProgrammePart.position", cascade="all, delete-orphan"
    )
    outcomes: Mapped[list[ProgrammeOutcome]] = relationship(
        back_populates="programme", order_by="ProgrammeOutcome.position", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="programme", order_by="TrainingSession.starts_at", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class ProgrammeOutcome(db.Model):
    """A learning outcome of the programme, evidenced by outcomes of its courses.

    `course_outcomes` maps it to course outcomes by stable key: [{"course_id": 1, "key": "lo-1"}].
    """

    __tablename__ = "programme_outcomes"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    course_outcomes: Mapped[list] = mapped_column(JSON, default=list)

    programme: Mapped[Programme] = relationship(back_populates="outcomes")


class TrainingSession(db.Model):
    """An in-person or live online session with seats, a registration deadline and a roster.

    Times are stored in UTC; `timezone` (IANA name) is how they are shown and written to .ics files.
    `seats_taken` counts registered rows and is changed only by a conditional UPDATE, so two
    concurrent registrations cannot both take the last seat.
    """

    __tablename__ = "training_sessions"
    __table_args__ = (CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[SessionMode] = mapped_column(string_enum(SessionMode, "session_mode"), default=SessionMode.IN_PERSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped by every change participants care about (times, place, link, mode): the .ics SEQUENCE,
    # so calendar apps replace the event they hold instead of keeping the old time.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A cancelled session keeps its registration rows (who was registered or waiting) but holds no
    # seats; participants see the reason on the programme page and in the notice they get.
    status: Mapped[SessionStatus] = mapped_column(
        string_enum(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED, server_default="scheduled"
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Another date of a session part (NULL for a part's own session): attending any date does the part.
    # use_alter: programme_parts points here too, so one of the two keys is added after both tables.
    part_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_parts.id", ondelete="CASCADE", use_alter=True), nullable=True, index=True
    )

    programme: Mapped[Programme] = relationship(back_populates="sessions")
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    registrations: Mapped[list[SessionRegistration]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionRegistration.id"
    )

    @property
    def seats_left(self) -> int:
        """Free seats now (none at a cancelled session)."""
        if self.cancelled:
            return 0
        return max(self.capacity - self.seats_taken, 0)

    @property
    def cancelled(self) -> bool:
        """The trainer called the session off."""
        return self.status == SessionStatus.CANCELLED


class ProgrammePart(db.Model):
    """One step of a programme: a course or a session, required or optional, in order."""

    __tablename__ = "programme_parts"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'course' AND course_id IS NOT NULL AND session_id IS NULL)"
            " OR (kind = 'session' AND session_id IS NOT NULL AND course_id IS NULL)",
            name="one_target",
        ),
        UniqueConstraint("programme_id", "course_id"),
        UniqueConstraint("programme_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[PartKind] = mapped_column(string_enum(PartKind, "programme_part_kind"))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=True
    )
    # When the part joined the programme (NULL: before this was recorded, i.e. from the start). A
    # part added after a learner completed the programme does not count against their certificate.
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="parts")
    course: Mapped[Course | None] = relationship()
    session: Mapped[TrainingSession | None] = relationship(foreign_keys=[session_id])
    # The other dates of a session part (its own `session` is the first one offered); read-only here:
    # they are created with `part_id` set (scheduling.add_date). Load with the parts (joinedload).
    other_dates: Mapped[list[TrainingSession]] = relationship(
        primaryjoin="TrainingSession.part_id == ProgrammePart.id",
        foreign_keys="TrainingSession.part_id",
        order_by="TrainingSession.starts_at",
        viewonly=True,
    )

    @property
    def dates(self) -> list[TrainingSession]:
        """Every date of a session part, by start (empty for a course part)."""
        if self.session is None:
            return []
        return sorted([self.session, *self.other_dates], key=lambda s: (s.starts_at, s.id))

    @property
    def offered_dates(self) -> list[TrainingSession]:
        """The part's own session first, then the other dates by start (as the API lists them)."""
        if self.session is None:
            return []
        return [self.session, *self.other_dates]


class ProgrammeEnrolment(db.Model):
    """A learner's place in a programme."""

    __tablename__ = "programme_enrolments"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProgrammeEnrolmentStatus] = mapped_column(
        string_enum(ProgrammeEnrolmentStatus, "programme_enrolment_status"), default=ProgrammeEnrolmentStatus.ACTIVE
    )
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    programme: Mapped[Programme] = relationship()
    user: Mapped[User] = relationship()


class SessionRegistration(db.Model):
    """A learner's seat or waiting-list place at a session, and the attendance recorded for it.

    One row per learner and session: cancelling and registering again reuses it (and goes to the
    back of the queue: `queued_at` orders the waiting list).
    """

    __tablename__ = "session_registrations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        string_enum(RegistrationStatus, "registration_status"), default=RegistrationStatus.REGISTERED, index=True
    )
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attendance: Mapped[Attendance | None] = mapped_column(string_enum(Attendance, "attendance"), nullable=True)
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    session: Mapped[TrainingSession] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attendance_by: Mapped[User | None] = relationship(foreign_keys=[attendance_by_id])
