"""Question bank, quizzes, attempts and responses.

A Question is the stable identity of a bank entry of one Course; its content lives in numbered
QuestionVersion rows. A version that an attempt has used is never changed again: editing such a
question adds a new version, so old attempts keep the exact question they answered. Questions map
to learning outcomes by the outcome's stable `key`, so the mapping survives new course versions.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.courses.models import Course
from academy.db import UTCDateTime, string_enum, utcnow
from academy.extensions import db


class QuestionType(enum.StrEnum):
    """The kinds of question the bank holds."""

    SINGLE = "single"  # single choice
    MULTIPLE = "multiple"  # multiple response
    TRUEFALSE = "truefalse"
    SHORT = "short"  # short answer
    NUMERICAL = "numerical"
    MATCHING = "matching"
    ESSAY = "essay"  # graded by a trainer


class TextFormat(enum.StrEnum):
    """How question text is written (the four GIFT formats)."""

    MOODLE = "moodle"  # HTML allowed, line breaks kept
    HTML = "html"
    PLAIN = "plain"
    MARKDOWN = "markdown"


class GradingMethod(enum.StrEnum):
    """Which attempts make the learner's grade for a quiz."""

    HIGHEST = "highest"
    LAST = "last"
    FIRST = "first"
    AVERAGE = "average"


class SlotKind(enum.StrEnum):
    """What a quiz slot draws: one fixed question, or N at random from an outcome or a category."""

    QUESTION = "question"
    OUTCOME = "outcome"
    CATEGORY = "category"


class AttemptState(enum.StrEnum):
    """An attempt is answered, then submitted; it is graded once every response has a score."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # waiting for a trainer to grade essays
    GRADED = "graded"


class Question(db.Model):
    """The stable identity of a question in a course's bank."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))  # GIFT [id:...]; stable across edits and imports
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )

    course: Mapped[Course] = relationship()
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question",
        foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.number",
        cascade="all, delete-orphan",
    )
    current_version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.key}>"


class QuestionVersion(db.Model):
    """One immutable-once-used edition of a question: type, text, answers, points, outcomes."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    type: Mapped[QuestionType] = mapped_column(string_enum(QuestionType, "question_type"))
    title: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    text_format: Mapped[TextFormat] = mapped_column(string_enum(TextFormat, "text_format"), default=TextFormat.MOODLE)
    # Answers and their weights; the shape per type is documented in academy/quizzes/qtypes.py.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(255), default="", index=True)
    outcome_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])


class Quiz(db.Model):
    """An assessment of a course, with its settings and slots."""

    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    module_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=True)  # counts for course completion
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)  # percent
    max_attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: unlimited
    grading_method: Mapped[GradingMethod] = mapped_column(
        string_enum(GradingMethod, "grading_method"), default=GradingMethod.HIGHEST
    )
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    per_page: Mapped[int] = mapped_column(Integer, default=1)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Review options: what a learner sees right after an attempt, and once the quiz has closed.
    review_score_after: Mapped[bool] = mapped_column(Boolean, default=True)
    review_answers_after: Mapped[bool] = mapped_column(Boolean, default=False)
    review_feedback_after: Mapped[bool] = mapped_column(Boolean, default=True)
    review_score_closed: Mapped[bool] = mapped_column(Boolean, default=True)
    review_answers_closed: Mapped[bool] = mapped_column(Boolean, default=True)
    review_feedback_closed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    slots: Mapped[list[QuizSlot]] = relationship(
        back_populates="quiz", order_by="QuizSlot.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Quiz {self.id} {self.key}>"


class QuizSlot(db.Model):
    """One place in a quiz: a fixed question, or `count` random questions of an outcome or category."""

    __tablename__ = "quiz_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[SlotKind] = mapped_column(string_enum(SlotKind, "slot_kind"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    outcome_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str | None] = mapped_column(String(255), nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=1)

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()


class Attempt(db.Model):
    """A learner's go at a quiz, with the questions frozen at the start."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index("ix_quiz_attempts_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[AttemptState] = mapped_column(
        string_enum(AttemptState, "attempt_state"), default=AttemptState.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(20), default="")  # "learner" or "deadline"
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="attempt", order_by="Response.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        """True while the learner may still answer."""
        return self.state == AttemptState.IN_PROGRESS


class Response(db.Model):
    """One question of an attempt: the version shown, the display order, the answer and its score."""

    __tablename__ = "quiz_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based place in the attempt
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    max_points: Mapped[float] = mapped_column(Float)
    # Display order of choices (or of matching options), as indexes into the version's data.
    order: Mapped[list[int]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fraction: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0..1, None until graded
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")  # the grader's comment on an essay
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    version: Mapped[QuestionVersion] = relationship()
    question: Mapped[Question] = relationship()

    @property
    def answered(self) -> bool:
        """True once the learner has saved a non-empty answer."""
        return self.answer not in (None, "", [], {})


class AccommodationKind(enum.StrEnum):
    """How a learner's time limit on one quiz is changed (as Moodle's user overrides)."""

    PERCENT = "percent"  # the limit plus `amount` per cent
    MINUTES = "minutes"  # the limit plus `amount` minutes
    NO_LIMIT = "no_limit"  # no time limit (the quiz's close date still ends an attempt)


class QuizAccommodation(db.Model):
    """A trainer's time accommodation for one learner on one quiz (WCAG 2.2.1 Timing Adjustable)."""

    __tablename__ = "quiz_accommodations"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AccommodationKind] = mapped_column(string_enum(AccommodationKind, "accommodation_kind"))
    amount: Mapped[int] = mapped_column(Integer, default=0)  # per cent or minutes; 0 for no limit
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class AccommodationChange(db.Model):
    """The audit trail of accommodations: who granted, changed or removed which, and when (never edited)."""

    __tablename__ = "quiz_accommodation_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # "granted", "changed" or "removed"
    # The accommodation after the change (before it, for a removal).
    kind: Mapped[AccommodationKind] = mapped_column(string_enum(AccommodationKind, "accommodation_change_kind"))
    amount: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
