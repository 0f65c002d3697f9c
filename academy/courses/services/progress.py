"""Enrolment, lesson completion, progress per course and module, locks and where to continue.

Progress is stored by lesson key, so it carries over to every version that keeps the lesson.
The outline is computed in Python from rows loaded up front: no query per module or lesson.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from academy import request_memo
from academy.auth.models import User
from academy.core import events
from academy.courses import hooks
from academy.courses.events import LessonsCompleted
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
)
from academy.courses.services import outlines
from academy.courses.services.outlines import LessonData, ModuleData, OutcomeData, VersionData
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound
from academy.extensions import db


def percent(done: int, total: int) -> int:
    """Whole percent, 100 when there is nothing to do."""
    return 100 if total == 0 else int(done * 100 / total)


@dataclass
class LessonState:
    """A lesson as one learner sees it."""

    lesson: LessonData
    module: ModuleState
    index: int  # position in the whole course, from 0
    done: bool = False

    @property
    def key(self) -> str:
        return self.lesson.key

    @property
    def locked(self) -> bool:
        return self.module.locked


@dataclass
class ModuleState:
    """A module with the learner's progress through it and whether it is open."""

    module: ModuleData
    number: int  # 1-based, for display
    lessons: list[LessonState] = field(default_factory=list)
    locked: bool = False
    requires: list[ModuleData] = field(default_factory=list)  # modules to finish first (prerequisites, order)
    unlocked_by: list[ModuleData] = field(default_factory=list)  # those of them not finished yet

    @property
    def required_count(self) -> int:
        return sum(1 for s in self.lessons if s.lesson.required)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.lessons if s.lesson.required and s.done)

    @property
    def percent(self) -> int:
        return percent(self.done_count, self.required_count)

    @property
    def complete(self) -> bool:
        return self.done_count == self.required_count

    @property
    def minutes(self) -> int:
        return sum(s.lesson.minutes for s in self.lessons)


@dataclass
class Outline:
    """A course version's modules and lessons in order, with one learner's progress and locks."""

    version: CourseVersion
    modules: list[ModuleState]
    lessons: list[LessonState]
    outcomes: tuple[OutcomeData, ...] = ()

    @property
    def required_count(self) -> int:
        return sum(m.required_count for m in self.modules)

    @property
    def done_count(self) -> int:
        return sum(m.done_count for m in self.modules)

    @property
    def percent(self) -> int:
        return percent(self.done_count, self.required_count)

    @property
    def complete(self) -> bool:
        return self.done_count == self.required_count

    @property
    def started(self) -> bool:
        return any(s.done for s in self.lessons)

    def find(self, key: str) -> LessonState | None:
        """The lesson with this key, or None."""
        return next((s for s in self.lessons if s.key == key), None)

    def previous(self, state: LessonState) -> LessonState | None:
        """The lesson before, across module boundaries."""
        return self.lessons[state.index - 1] if state.index > 0 else None

    def next(self, state: LessonState) -> LessonState | None:
        """The lesson after, across module boundaries."""
        return self.lessons[state.index + 1] if state.index + 1 < len(self.lessons) else None

    def continue_at(self, last_key: str | None = None) -> LessonState | None:
        """Where to continue: the first open, unfinished lesson after the last one completed."""
        if not self.lessons:
            return None
        last = self.find(last_key) if last_key else None
        start = last.index + 1 if last else 0
        ordered = self.lessons[start:] + self.lessons[:start]
        for state in ordered:
            if not state.done and not state.locked:
                return state
        return last or self.lessons[0]


def build_outline(version: CourseVersion, completed_keys: Iterable[str] = ()) -> Outline:
    """Modules, lessons, progress and locks for a learner who completed `completed_keys`.

    A published version's content comes from the per-process cache (see `outlines`): no query.
    """
    return outline_of(version, outlines.version_data(version), completed_keys)


def outline_of(version: CourseVersion, data: VersionData, completed_keys: Iterable[str] = ()) -> Outline:
    """The outline of `version` from its plain data, with the learner's progress and locks."""
    done = set(completed_keys)
    modules: list[ModuleState] = []
    lessons: list[LessonState] = []
    for number, module in enumerate(data.modules, start=1):
        mstate = ModuleState(module=module, number=number)
        for lesson in module.lessons:
            state = LessonState(lesson=lesson, module=mstate, index=len(lessons), done=lesson.key in done)
            mstate.lessons.append(state)
            lessons.append(state)
        modules.append(mstate)
    by_id = {m.module.id: m for m in modules}
    for i, mstate in enumerate(modules):
        needed = [by_id[p].module for p in mstate.module.prerequisite_ids if p in by_id]
        if version.sequential and i > 0 and modules[i - 1].module not in needed:
            needed.insert(0, modules[i - 1].module)
        mstate.requires = needed
        mstate.unlocked_by = [m for m in needed if not by_id[m.id].complete]
        mstate.locked = bool(mstate.unlocked_by)
    return Outline(version=version, modules=modules, lessons=lessons, outcomes=data.outcomes)


def get_enrolment(user: User | None, course: Course) -> Enrolment | None:
    """The user's enrolment in the course (active or left) with its progress, or None."""
    if user is None or not user.is_authenticated or course.id is None:
        return None
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
        .options(selectinload(Enrolment.progress))
    )
    # Other panels of the same page look for it again (see `known_enrolment`).
    if enrolment is not None:
        request_memo.put(_COMPLETED, enrolment.id, frozenset(completed_keys(enrolment)))
    return request_memo.put(_ENROLMENT, (user.id, course.id), enrolment)


_ENROLMENT = "courses.enrolment"


def known_enrolment(user: User, course: Course) -> tuple[bool, Enrolment | None]:
    """(True, enrolment or None) when `get_enrolment` already looked it up in this request."""
    return request_memo.peek(_ENROLMENT, (user.id, course.id))


def remembered_completed_keys(enrolment: Enrolment) -> set[str] | None:
    """Completed lesson keys when `get_enrolment` loaded them in this request and nothing was written since."""
    known, keys = request_memo.peek(_COMPLETED, enrolment.id)
    return set(keys) if known else None


_COMPLETED = "courses.completed-keys"
_OUTCOMES = "courses.version-outcomes"
_REQUIRED = "courses.required-lesson-keys"


def remember_outline(data: VersionData) -> None:
    """Note a version's outcomes and required lesson keys, known from its outline data, for this request."""
    request_memo.put(_OUTCOMES, data.id, data.outcomes)
    request_memo.put(_REQUIRED, data.id, data.required_keys)


def remembered_outcomes(version_id: int) -> list[OutcomeData] | None:
    """The version's outcomes in order when `remember_outline` noted them in this request, else None."""
    known, outcomes = request_memo.peek(_OUTCOMES, version_id)
    return list(outcomes) if known else None


def remembered_required_keys(version_id: int) -> list[str] | None:
    """The version's required lesson keys in course order when noted in this request, else None."""
    known, keys = request_memo.peek(_REQUIRED, version_id)
    return list(keys) if known else None


def completed_keys(enrolment: Enrolment | None) -> set[str]:
    """Lesson keys the learner has completed (in any version)."""
    return {p.lesson_key for p in enrolment.progress} if enrolment is not None else set()


def is_active(enrolment: Enrolment | None) -> bool:
    """True if the learner is currently enrolled."""
    return enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol the user, or bring back a learner who left (their progress is kept)."""
    if course.published_version_id is None:
        raise NotFound(_("This course is not available."))
    if course.status == CourseStatus.ARCHIVED:
        raise Conflict(_("This course is archived and takes no new enrolments."))
    enrolment = get_enrolment(user, course)
    if enrolment is None:
        enrolment = Enrolment(
            user_id=user.id, course_id=course.id, status=EnrolmentStatus.ACTIVE, last_activity_at=utcnow()
        )
        try:
            with db.session.begin_nested():  # a second click racing this one hits the unique row
                db.session.add(enrolment)
        except IntegrityError as exc:
            raise Conflict(_("You are already enrolled in this course.")) from exc
        return enrolment
    elif enrolment.status == EnrolmentStatus.ACTIVE:
        raise Conflict(_("You are already enrolled in this course."))
    else:
        enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.last_activity_at = utcnow()
    db.session.flush()
    return enrolment


def unenrol(user: User, course: Course) -> Enrolment:
    """Leave the course; the progress stays in case the learner comes back."""
    enrolment = get_enrolment(user, course)
    if not is_active(enrolment):
        raise Conflict(_("You are not enrolled in this course."))
    enrolment.status = EnrolmentStatus.LEFT
    db.session.flush()
    return enrolment


def complete_lesson(enrolment: Enrolment, outline: Outline, lesson_key: str) -> LessonState:
    """Record a lesson as completed (again is harmless) and where the learner is."""
    if not is_active(enrolment):
        raise Conflict(_("Enrol in the course to record your progress."))
    state = outline.find(lesson_key)
    if state is None:
        raise NotFound(_("This lesson does not exist."))
    if state.locked:
        raise Conflict(_("This module is still locked."))
    if not state.done:
        try:
            # A savepoint: a double click that races us to the unique row is not an error.
            with db.session.begin_nested():
                db.session.add(LessonProgress(enrolment=enrolment, lesson_key=lesson_key))
        except IntegrityError:
            pass
        state.done = True
    enrolment.last_lesson_key = lesson_key
    enrolment.last_activity_at = utcnow()
    # enrolment.completed_at is left to certificates: the course is complete when its whole rule
    # (lessons, and the quizzes' requirements) is met, not when the last lesson is read.
    db.session.flush()
    if outline.complete:
        # Every lesson is read: features built on courses (certificates) check their rules.
        events.emit(LessonsCompleted(enrolment_id=enrolment.id))
    return state


@dataclass
class DashboardEntry:
    """One course on the My learning page."""

    enrolment: Enrolment
    course: Course
    outline: Outline | None  # None if the course has no published version (should not happen)
    # Requirements beyond the lessons and links (the certificate) other features add.
    extra: hooks.LearningExtras = field(default_factory=hooks.LearningExtras)

    @property
    def continue_at(self) -> LessonState | None:
        return self.outline.continue_at(self.enrolment.last_lesson_key) if self.outline else None

    @property
    def done(self) -> int:
        """Requirements met: required lessons read, and what other features count (quizzes, outcomes)."""
        return (self.outline.done_count if self.outline else 0) + self.extra.done

    @property
    def total(self) -> int:
        """Requirements in all."""
        return (self.outline.required_count if self.outline else 0) + self.extra.total

    @property
    def percent(self) -> int:
        """Share of every requirement met, in whole percent."""
        return percent(self.done, self.total)

    @property
    def in_progress(self) -> bool:
        """Enrolled, with requirements still to meet."""
        active = self.enrolment.status == EnrolmentStatus.ACTIVE
        return active and self.outline is not None and not self.completed

    @property
    def completed(self) -> bool:
        """Enrolled, with every requirement met."""
        active = self.enrolment.status == EnrolmentStatus.ACTIVE
        return active and self.outline is not None and self.outline.complete and self.extra.done >= self.extra.total


def dashboard(user: User, *, active_only: bool = False) -> list[DashboardEntry]:
    """The user's enrolments (only the active ones if asked) with progress, most recently active first.

    A fixed number of queries, whatever the number of courses, modules and lessons.
    """
    stmt = select(Enrolment).where(Enrolment.user_id == user.id)
    if active_only:
        stmt = stmt.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    # Enrolments with their course and published version rows; the outlines come from the
    # per-process cache of frozen versions, and the completed lesson keys as plain rows.
    enrolments = db.session.scalars(
        stmt.options(joinedload(Enrolment.course).joinedload(Course.published_version))
    ).all()
    done: dict[int, set[str]] = {e.id: set() for e in enrolments}
    if enrolments:
        rows = db.session.execute(
            select(LessonProgress.enrolment_id, LessonProgress.lesson_key).where(
                LessonProgress.enrolment_id.in_(list(done))
            )
        )
        for enrolment_id, key in rows:
            done[enrolment_id].add(key)
    extras = hooks.learning_extras(user, list(enrolments))
    versions = [e.course.published_version for e in enrolments if e.course.published_version is not None]
    # Outlines of every course at once: what this process lacks is read in one batch.
    data = outlines.versions_data([v for v in versions if outlines.is_frozen(v)])
    entries = []
    for enrolment in enrolments:
        version = enrolment.course.published_version
        outline = None
        if version is not None:
            known = data.get(version.id) or outlines.version_data(version)
            outline = outline_of(version, known, done[enrolment.id])
        entry = DashboardEntry(enrolment=enrolment, course=enrolment.course, outline=outline)
        entry.extra = extras.get(enrolment.id, entry.extra)
        entries.append(entry)
    epoch = utcnow().replace(year=1970)
    entries.sort(key=lambda e: e.enrolment.last_activity_at or e.enrolment.enrolled_at or epoch, reverse=True)
    return entries
