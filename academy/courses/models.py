"""Courses and their versions, learning outcomes, modules, lessons, enrolments and progress.

A Course is the stable identity (slug, owners, enrolments). Its content lives in CourseVersion
rows: learners see the newest published version, trainers edit a draft of the next one. Modules,
lessons and outcomes carry a `key` that stays the same from one version to the next, so progress
(stored by lesson key) survives a new version.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
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
from academy.db import UTCDateTime, string_enum, utcnow
from academy.extensions import db


class CourseStatus(enum.StrEnum):
    """Where a course stands: never published, live, or withdrawn from the catalogue."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class VersionStatus(enum.StrEnum):
    """A version is edited as a draft, then published; publishing the next one retires it."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class Level(enum.StrEnum):
    """How much a learner should know before starting."""

    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class EnrolmentStatus(enum.StrEnum):
    """Active learners study; those who left keep their progress in case they come back."""

    ACTIVE = "active"
    LEFT = "left"


course_owners = Table(
    "course_owners",
    db.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

module_prerequisites = Table(
    "module_prerequisites",
    db.metadata,
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
)

lesson_outcomes = Table(
    "lesson_outcomes",
    db.metadata,
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    Column("outcome_id", ForeignKey("learning_outcomes.id", ondelete="CASCADE"), primary_key=True),
)


class Course(db.Model):
    """The stable identity of a course: its slug, owners and enrolments."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[CourseStatus] = mapped_column(
        string_enum(CourseStatus, "course_status"), default=CourseStatus.DRAFT, index=True
    )
    # The version learners see; None until the first publication.
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course",
        foreign_keys="CourseVersion.course_id",
        order_by="CourseVersion.number",
        cascade="all, delete-orphan",
    )
    published_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )
    owners: Mapped[list[User]] = relationship(secondary=course_owners, order_by=User.name)
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="course", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseVersion(db.Model):
    """One numbered edition of a course's content."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(
        string_enum(VersionStatus, "version_status"), default=VersionStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    topic: Mapped[str] = mapped_column(String(80), default="", index=True)
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)
    level: Mapped[Level] = mapped_column(string_enum(Level, "course_level"), default=Level.INTRODUCTORY, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("1"))
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("0"))  # ECTS, halves allowed
    sequential: Mapped[bool] = mapped_column(Boolean, default=False)
    validity_months: Mapped[int | None] = mapped_column(Integer, nullable=True)  # certificate validity
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    course: Mapped[Course] = relationship(back_populates="versions", foreign_keys=[course_id])
    outcomes: Mapped[list[LearningOutcome]] = relationship(
        back_populates="version", order_by="LearningOutcome.position", cascade="all, delete-orphan"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} v{self.number} {self.status}>"


class LearningOutcome(db.Model):
    """What a learner can do after the course, with the mastery threshold in %."""

    __tablename__ = "learning_outcomes"
    __table_args__ = (UniqueConstraint("version_id", "code"), UniqueConstraint("version_id", "key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(20))  # "LO1"
    text: Mapped[str] = mapped_column(Text)
    threshold: Mapped[int] = mapped_column(Integer, default=70)
    position: Mapped[int] = mapped_column(Integer, default=0)

    version: Mapped[CourseVersion] = relationship(back_populates="outcomes")


class Module(db.Model):
    """An ordered part of a course version, optionally unlocked by other modules."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    prerequisites: Mapped[list[Module]] = relationship(
        secondary=module_prerequisites,
        primaryjoin=lambda: Module.id == module_prerequisites.c.module_id,
        secondaryjoin=lambda: Module.id == module_prerequisites.c.prerequisite_id,
        order_by=lambda: Module.position,
    )


class Lesson(db.Model):
    """A page of study in Markdown, with the outcomes it teaches."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), index=True)  # unique within the course version
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    minutes: Mapped[int] = mapped_column(Integer, default=10)
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    module: Mapped[Module] = relationship(back_populates="lessons")
    outcomes: Mapped[list[LearningOutcome]] = relationship(
        secondary=lesson_outcomes, order_by=lambda: LearningOutcome.position
    )


class Enrolment(db.Model):
    """A learner's place in a course, across its versions."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        string_enum(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.ACTIVE
    )
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_lesson_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # continue here
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship(back_populates="enrolments")
    progress: Mapped[list[LessonProgress]] = relationship(back_populates="enrolment", cascade="all, delete-orphan")


class LessonProgress(db.Model):
    """A lesson the learner has completed, by the lesson's stable key."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    lesson_key: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")


class CourseFile(db.Model):
    """An image or file uploaded for a course's lessons, stored by content (academy.core.files).

    Files belong to the course, not to one version, so a lesson keeps its images in every version.
    """

    __tablename__ = "course_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(150))
    file_type: Mapped[str] = mapped_column(String(10))  # an extension of academy.core.files
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    alt_text: Mapped[str] = mapped_column(String(500), default="")  # required for images
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
