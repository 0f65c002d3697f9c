"""Keyword-only factories for quizzes tests: courses with outcomes, questions, quizzes, attempts."""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from typing import Any

from academy.auth.models import User
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    LearningOutcome,
    Module,
    VersionStatus,
)
from academy.extensions import db
from academy.quizzes.models import Attempt, Question, QuestionType, Quiz, SlotKind
from academy.quizzes.services import attempts as attempt_services
from academy.quizzes.services import bank
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.spec import QuestionSpec
from tests.factories import create_user

_seq = itertools.count(1)


def outcome_key(code: str) -> str:
    """The key factories give the outcome with this code (distinct from the code on purpose)."""
    return f"{code.lower()}-key"


def create_course(
    *,
    slug: str | None = None,
    title: str = "Simplified cost options in Interreg",
    outcomes: tuple[str, ...] = ("LO1", "LO2", "LO3"),
    owners: tuple[User, ...] = (),
    modules: tuple[str, ...] = ("m1",),
    published: bool = True,
    commit: bool = True,
) -> Course:
    """A course with one version (published unless told), its outcomes and modules."""
    n = next(_seq)
    course = Course(slug=slug or f"course-{n}", status=CourseStatus.PUBLISHED if published else CourseStatus.DRAFT)
    version = CourseVersion(
        course=course,
        number=1,
        title=title,
        status=VersionStatus.PUBLISHED if published else VersionStatus.DRAFT,
    )
    for position, code in enumerate(outcomes, start=1):
        version.outcomes.append(
            LearningOutcome(key=outcome_key(code), code=code, text=f"Can explain topic {code}", position=position)
        )
    for position, key in enumerate(modules, start=1):
        version.modules.append(Module(key=key, title=f"Module {key}", position=position))
    course.owners.extend(owners)
    db.session.add(course)
    db.session.flush()
    if published:
        course.published_version = version
    db.session.flush()
    if commit:
        db.session.commit()
    return course


def enrol(user: User, course: Course, *, commit: bool = True) -> Enrolment:
    """An active enrolment."""
    enrolment = Enrolment(user=user, course=course)
    db.session.add(enrolment)
    db.session.flush()
    if commit:
        db.session.commit()
    return enrolment


def create_learner(course: Course, **kwargs: Any) -> User:
    """A user enrolled in the course."""
    user = create_user(**kwargs)
    enrol(user, course)
    return user


DATA: dict[str, dict[str, Any]] = {
    "single": {
        "choices": [
            {"text": "The lead partner", "weight": 100.0, "feedback": "Right: the lead partner reports."},
            {"text": "Each partner alone", "weight": 0.0, "feedback": "No: reporting goes through the lead partner."},
            {"text": "The auditor", "weight": 0.0, "feedback": ""},
        ]
    },
    "multiple": {
        "choices": [
            {"text": "Staff costs", "weight": 50.0, "feedback": ""},
            {"text": "Office costs", "weight": 50.0, "feedback": ""},
            {"text": "Fines", "weight": -100.0, "feedback": "Fines are never eligible."},
        ]
    },
    "truefalse": {"answer": True, "feedback_right": "Indeed.", "feedback_wrong": "It is true."},
    "short": {"answers": [{"text": "Jems", "weight": 100.0, "feedback": ""}], "case_sensitive": False},
    "numerical": {
        "answers": [{"value": 15.0, "tolerance": 0.0, "weight": 100.0, "feedback": ""}],
        "feedback_wrong": "",
    },
    "matching": {
        "pairs": [
            {"left": "HIT", "right": "Harmonised implementation tools"},
            {"left": "INDEX", "right": "Programme data on Interreg"},
        ]
    },
    "essay": {},
}


def create_question(
    course: Course,
    *,
    type: str = "single",
    title: str | None = None,
    text: str = "Who submits the progress report of an Interreg project?",
    data: dict | None = None,
    outcomes: tuple[str, ...] = ("LO1",),
    points: float = 1.0,
    category: str = "",
    key: str | None = None,
    text_format: str = "moodle",
    general_feedback: str = "",
    commit: bool = True,
) -> Question:
    """A question of the course's bank (default: single choice, right answer first)."""
    n = next(_seq)
    spec = QuestionSpec(
        type=QuestionType(type),
        title=title or f"Question {n}",
        text=text,
        data=data if data is not None else DATA[type],
        text_format=text_format,
        general_feedback=general_feedback,
        category=category,
        key=key,
        points=points,
    )
    question = bank.create_question(course, spec, [outcome_key(c) for c in outcomes])
    if commit:
        db.session.commit()
    return question


def create_quiz(
    course: Course,
    *,
    questions: tuple[Question, ...] | list[Question] = (),
    random_slots: tuple[tuple[str, str, int], ...] = (),
    published: bool = True,
    commit: bool = True,
    **settings: Any,
) -> Quiz:
    """A published quiz with a fixed slot per question, then ("outcome"|"category", value, count) slots."""
    settings.setdefault("title", f"Quiz {next(_seq)}")
    settings.setdefault("shuffle_answers", False)
    quiz = quiz_services.create_quiz(course, published=published, **settings)
    for question in questions:
        quiz_services.add_slot(quiz, SlotKind.QUESTION, question=question)
    for kind, value, count in random_slots:
        if kind == "outcome":
            quiz_services.add_slot(quiz, SlotKind.OUTCOME, outcome_key=outcome_key(value), count=count)
        else:
            quiz_services.add_slot(quiz, SlotKind.CATEGORY, category=value, count=count)
    if commit:
        db.session.commit()
    return quiz


def take_attempt(
    quiz: Quiz,
    user: User,
    answers: dict[int, Any] | None = None,
    *,
    now: datetime | None = None,
    submit: bool = True,
    seed: int = 1,
) -> Attempt:
    """Start an attempt, save answers by position, submit it (all through the services), commit."""
    attempt = attempt_services.start_attempt(quiz, user, now=now, rng=random.Random(seed))
    if answers:
        attempt_services.save_answers(attempt, answers, now=now)
    if submit:
        attempt_services.submit_attempt(attempt, now=now)
    db.session.commit()
    return attempt
