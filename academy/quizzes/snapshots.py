"""Questions as plain data, kept per process: what an exam rush reads again and again.

Two maps per app (so per worker process):

- question versions by id, for the versions attempts use. A version that a saved attempt refers
  to never changes (an edit then makes a new version: services/bank.py `update_question`), so
  these are read once and kept. Only versions named by committed responses are put here.
- a quiz's draw plan (its slots and the questions they may draw, with their current versions),
  keyed by the quiz and the "quizzes" data version, which changes after every commit that writes
  quizzes, slots, questions or versions (core/data_version.py `track`): a plan is never stale, and
  learners' own writes (attempts, enrolments, certificates) keep it. With the version unknown
  (Redis away) the plan is read from the database each time.

Starting, saving and submitting then read no question rows and build no ORM objects for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from academy.core import data_version
from academy.extensions import db
from academy.quizzes.models import Question, QuestionType, QuestionVersion, Quiz, QuizSlot, SlotKind, TextFormat

_KEY = "academy_quiz_snapshots"
VERSION = "quizzes"
TABLES = frozenset({"quizzes", "quiz_slots", "questions", "question_versions"})
MAX_VERSIONS = 5_000  # an exam uses tens; a busy site's live quizzes a few thousand
MAX_PLANS = 500
_VERSION_COLUMNS = (
    QuestionVersion.id,
    QuestionVersion.question_id,
    QuestionVersion.type,
    QuestionVersion.title,
    QuestionVersion.text,
    QuestionVersion.text_format,
    QuestionVersion.data,
    QuestionVersion.points,
    QuestionVersion.general_feedback,
    QuestionVersion.category,
    QuestionVersion.outcome_keys,
)


@dataclass(frozen=True, slots=True)
class VersionSnap:
    """A question version's content (read-only: `data` is shared between requests)."""

    id: int
    question_id: int
    type: QuestionType
    title: str
    text: str
    text_format: TextFormat
    data: dict[str, Any]
    points: float
    general_feedback: str
    category: str
    outcome_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SlotSnap:
    """One slot of a quiz: a fixed question, or `count` drawn by outcome or category."""

    kind: SlotKind
    question_id: int | None
    outcome_key: str | None
    category: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Plan:
    """What a new attempt of a quiz draws from: its slots and the live questions they may use."""

    slots: tuple[SlotSnap, ...]
    questions: tuple[VersionSnap, ...]  # current versions of live questions, by question id

    @property
    def question_count(self) -> int:
        """How many questions an attempt holds."""
        return sum(s.count for s in self.slots)


class _Maps:
    def __init__(self) -> None:
        self.versions: OrderedDict[int, VersionSnap] = OrderedDict()
        self.plans: OrderedDict[tuple[int, str], Plan] = OrderedDict()
        self.lock = threading.Lock()

    def put(self, store: OrderedDict, key: Any, value: Any, limit: int) -> None:
        with self.lock:  # threaded workers share the maps
            store[key] = value
            store.move_to_end(key)
            while len(store) > limit:
                store.popitem(last=False)


def _maps() -> _Maps:
    maps = current_app.extensions.get(_KEY)
    if maps is None:
        maps = current_app.extensions[_KEY] = _Maps()
    return maps


def _snap(row: Any) -> VersionSnap:
    return VersionSnap(
        id=row.id,
        question_id=row.question_id,
        type=QuestionType(row.type),
        title=row.title,
        text=row.text,
        text_format=TextFormat(row.text_format),
        data=row.data or {},
        points=float(row.points),
        general_feedback=row.general_feedback or "",
        category=row.category or "",
        outcome_keys=tuple(row.outcome_keys or ()),
    )


def versions(ids: Iterable[int]) -> dict[int, VersionSnap]:
    """The versions with these ids (which committed responses refer to), from memory or one query."""
    maps = _maps()
    wanted = set(ids)
    with maps.lock:
        found = {i: maps.versions[i] for i in wanted if i in maps.versions}
        for i in found:
            maps.versions.move_to_end(i)  # least recently used first out
    missing = wanted - found.keys()
    if missing:
        for row in db.session.execute(select(*_VERSION_COLUMNS).where(QuestionVersion.id.in_(missing))):
            found[row.id] = snap = _snap(row)
            maps.put(maps.versions, row.id, snap, MAX_VERSIONS)
    return found


def plan(quiz: Quiz) -> Plan:
    """The quiz's slots and the questions they may draw, read once per change of the data."""
    db.session.flush()  # our own unflushed edits count as writes below
    # Our own uncommitted edits do not change the version yet: read them, keep nothing.
    version = None if data_version.uncommitted(VERSION) else data_version.of(current_app, VERSION).current()
    key = (quiz.id, version)
    maps = _maps()
    if version is not None and (kept := maps.plans.get(key)) is not None:
        return kept
    slots = tuple(
        SlotSnap(kind=SlotKind(r.kind), question_id=r.question_id, outcome_key=r.outcome_key, category=r.category,
                 count=r.count)
        for r in db.session.execute(
            select(QuizSlot.kind, QuizSlot.question_id, QuizSlot.outcome_key, QuizSlot.category, QuizSlot.count)
            .where(QuizSlot.quiz_id == quiz.id)
            .order_by(QuizSlot.position, QuizSlot.id)
        )
    )  # fmt: skip
    query = (
        select(*_VERSION_COLUMNS)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.course_id == quiz.course_id, Question.archived.is_(False))
        .order_by(Question.id)
    )
    if slots and all(s.kind == SlotKind.QUESTION for s in slots):
        # Fixed slots need only their own questions, not the whole bank.
        query = query.where(Question.id.in_([s.question_id for s in slots]))
    result = Plan(slots=slots, questions=tuple(_snap(r) for r in db.session.execute(query)))
    if version is not None:
        maps.put(maps.plans, key, result, MAX_PLANS)
    return result


def init_app(app: Flask) -> None:
    """Give the plans a data version of their own (see the module's docstring)."""
    data_version.track(app, VERSION, TABLES)


def clear() -> None:
    """Forget everything kept (tests that change rows behind the services' back)."""
    current_app.extensions[_KEY] = _Maps()
