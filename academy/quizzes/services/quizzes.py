"""Quizzes of a course: settings, slots and whether the bank can fill them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from academy.courses.models import Course
from academy.exceptions import NotFound, ServiceError
from academy.extensions import db
from academy.quizzes.models import Attempt, GradingMethod, Question, Quiz, QuizSlot, SlotKind
from academy.quizzes.services import bank

SETTINGS = (
    "title",
    "description",
    "module_key",
    "published",
    "required",
    "pass_mark",
    "max_attempts",
    "grading_method",
    "time_limit_minutes",
    "shuffle_questions",
    "shuffle_answers",
    "per_page",
    "opens_at",
    "closes_at",
    "review_score_after",
    "review_answers_after",
    "review_feedback_after",
    "review_score_closed",
    "review_answers_closed",
    "review_feedback_closed",
)
DEFAULTS: dict[str, Any] = {
    "description": "",
    "module_key": None,
    "published": False,
    "required": True,
    "pass_mark": 70,
    "max_attempts": None,
    "grading_method": GradingMethod.HIGHEST,
    "time_limit_minutes": None,
    "shuffle_questions": False,
    "shuffle_answers": True,
    "per_page": 1,
    "opens_at": None,
    "closes_at": None,
    "review_score_after": True,
    "review_answers_after": False,
    "review_feedback_after": True,
    "review_score_closed": True,
    "review_answers_closed": True,
    "review_feedback_closed": True,
}
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def course_quizzes(course: Course, *, published_only: bool = False) -> list[Quiz]:
    """Quizzes of a course in their order, slots loaded."""
    query = (
        select(Quiz)
        .where(Quiz.course_id == course.id)
        .options(selectinload(Quiz.slots))
        .order_by(Quiz.position, Quiz.id)
    )
    if published_only:
        query = query.where(Quiz.published.is_(True))
    return list(db.session.scalars(query))


def get_quiz(course: Course, quiz_id: int) -> Quiz:
    """A quiz of this course, or NotFound."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.course_id != course.id:
        raise NotFound(_("There is no such quiz in this course."))
    return quiz


def validate_settings(values: dict[str, Any]) -> None:
    """ServiceError naming the field when quiz settings are out of range."""
    if not str(values.get("title") or "").strip():
        raise ServiceError(_("The quiz needs a title."), field="title")
    if not 0 <= int(values.get("pass_mark", 0)) <= 100:
        raise ServiceError(_("The pass mark is a percentage from 0 to 100."), field="pass_mark")
    max_attempts = values.get("max_attempts")
    if max_attempts is not None and int(max_attempts) < 1:
        raise ServiceError(_("Allow at least one attempt, or leave it empty for unlimited."), field="max_attempts")
    limit = values.get("time_limit_minutes")
    if limit is not None and not 1 <= int(limit) <= 24 * 60:
        raise ServiceError(_("The time limit is between 1 minute and 24 hours."), field="time_limit_minutes")
    if not 1 <= int(values.get("per_page", 1)) <= 50:
        raise ServiceError(_("Show between 1 and 50 questions per page."), field="per_page")
    opens, closes = values.get("opens_at"), values.get("closes_at")
    for name in ("opens_at", "closes_at"):
        when: datetime | None = values.get(name)
        if when is not None and when.tzinfo is None:
            raise ServiceError(_("Dates need a time zone."), field=name)
    if opens and closes and closes <= opens:
        raise ServiceError(_("The quiz must close after it opens."), field="closes_at")
    GradingMethod(values.get("grading_method", GradingMethod.HIGHEST))


def create_quiz(course: Course, *, key: str | None = None, **settings: Any) -> Quiz:
    """A new quiz with these settings (names as in SETTINGS), unpublished unless told."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown quiz settings {sorted(unknown)}")
    values: dict[str, Any] = {"title": "", **DEFAULTS, **settings}
    validate_settings(values)
    key = key or _fresh_key(course, values["title"])
    if not KEY.fullmatch(key):
        raise ServiceError(_("The key may use lower-case letters, digits, - and _."), field="key")
    if db.session.scalar(select(func.count()).where(Quiz.course_id == course.id, Quiz.key == key)):
        raise ServiceError(_("Another quiz of this course has the key %(key)s.", key=key), field="key")
    position = db.session.scalar(select(func.coalesce(func.max(Quiz.position), 0)).where(Quiz.course_id == course.id))
    quiz = Quiz(course=course, key=key, **values)
    quiz.position = (position or 0) + 1
    db.session.add(quiz)
    db.session.flush()
    return quiz


def _fresh_key(course: Course, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50] or "quiz"
    key, n = base, 1
    while db.session.scalar(select(func.count()).where(Quiz.course_id == course.id, Quiz.key == key)):
        n += 1
        key = f"{base}-{n}"
    return key


def update_quiz(quiz: Quiz, **settings: Any) -> Quiz:
    """Change settings of a quiz (names as in SETTINGS)."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown quiz settings {sorted(unknown)}")
    values = {name: getattr(quiz, name) for name in SETTINGS}
    values.update(settings)
    validate_settings(values)
    for name, value in settings.items():
        setattr(quiz, name, value)
    db.session.flush()
    return quiz


def add_slot(
    quiz: Quiz,
    kind: SlotKind | str,
    *,
    question: Question | None = None,
    outcome_key: str | None = None,
    category: str | None = None,
    count: int = 1,
) -> QuizSlot:
    """Append a slot: a fixed question, or `count` random questions of an outcome or a category."""
    kind = SlotKind(kind)
    if kind == SlotKind.QUESTION:
        if question is None or question.course_id != quiz.course_id:
            raise ServiceError(_("Choose a question of this course's bank."), field="question")
        if any(s.kind == SlotKind.QUESTION and s.question_id == question.id for s in quiz.slots):
            raise ServiceError(_("This question is already in the quiz."), field="question")
        count = 1
    elif not 1 <= int(count) <= 100:
        raise ServiceError(_("Draw between 1 and 100 questions."), field="count")
    if kind == SlotKind.OUTCOME:
        keys = {o.key for o in bank.access.outcomes_for_authoring(quiz.course)}
        if outcome_key not in keys:
            raise ServiceError(_("Choose a learning outcome of the course."), field="outcome_key")
    if kind == SlotKind.CATEGORY and not (category or "").strip():
        raise ServiceError(_("Choose a category."), field="category")
    slot = QuizSlot(
        kind=kind,
        question=question if kind == SlotKind.QUESTION else None,
        outcome_key=outcome_key if kind == SlotKind.OUTCOME else None,
        category=category.strip().strip("/") if kind == SlotKind.CATEGORY and category else None,
        count=int(count),
        position=max((s.position for s in quiz.slots), default=0) + 1,
    )
    quiz.slots.append(slot)
    db.session.flush()
    return slot


def remove_slot(quiz: Quiz, slot_id: int) -> None:
    """Take a slot out of the quiz (attempts already started keep their questions)."""
    slot = next((s for s in quiz.slots if s.id == slot_id), None)
    if slot is None:
        raise NotFound(_("There is no such slot in this quiz."))
    quiz.slots.remove(slot)
    for position, other in enumerate(quiz.slots, start=1):
        other.position = position
    db.session.flush()


def move_slot(quiz: Quiz, slot_id: int, offset: int) -> None:
    """Move a slot up (-1) or down (+1)."""
    slots = list(quiz.slots)
    index = next((i for i, s in enumerate(slots) if s.id == slot_id), None)
    if index is None:
        raise NotFound(_("There is no such slot in this quiz."))
    target = index + offset
    if 0 <= target < len(slots):
        slots[index], slots[target] = slots[target], slots[index]
        for position, slot in enumerate(slots, start=1):
            slot.position = position
    db.session.flush()


@dataclass
class SlotStatus:
    """How many questions a slot draws and how many the bank holds for it."""

    slot: QuizSlot
    wanted: int
    available: int

    @property
    def ok(self) -> bool:
        """True if the bank can fill the slot."""
        return self.available >= self.wanted


def slot_status(quiz: Quiz, questions: list[Question] | None = None) -> list[SlotStatus]:
    """Per slot, whether the bank holds enough live questions (fixed slots take precedence)."""
    if questions is None:
        questions = bank.list_questions(quiz.course)
    live = {q.id for q in questions}
    fixed = {s.question_id for s in quiz.slots if s.kind == SlotKind.QUESTION}
    out = []
    for slot in quiz.slots:
        if slot.kind == SlotKind.QUESTION:
            out.append(SlotStatus(slot, 1, 1 if slot.question_id in live else 0))
            continue
        pool = [q for q in questions if q.id not in fixed and matches_slot(slot, q)]
        out.append(SlotStatus(slot, slot.count, len(pool)))
    return out


def matches_slot(slot: QuizSlot, question: Question) -> bool:
    """True if a random slot may draw this question (by its current version)."""
    version = question.current_version
    if version is None or question.archived:
        return False
    if slot.kind == SlotKind.OUTCOME:
        return slot.outcome_key in (version.outcome_keys or [])
    if slot.kind == SlotKind.CATEGORY:
        return bank.in_category(version.category, slot.category or "")
    return slot.question_id == question.id


def question_count(quiz: Quiz) -> int:
    """How many questions an attempt of this quiz holds."""
    return sum(s.count for s in quiz.slots)


def delete_quiz(quiz: Quiz) -> None:
    """Delete a quiz that nobody has attempted; otherwise unpublish it instead."""
    if db.session.scalar(select(func.count()).where(Attempt.quiz_id == quiz.id)):
        raise ServiceError(_("Learners have attempted this quiz: unpublish it instead of deleting it."))
    db.session.delete(quiz)
    db.session.flush()
