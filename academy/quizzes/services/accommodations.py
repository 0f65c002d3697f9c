"""Time accommodations: extra time or no time limit on one quiz for one named learner.

WCAG 2.2.1 (Timing Adjustable) asks that a time limit can be extended for whoever needs it. As
Moodle's user overrides, a course's trainer grants a learner extra time on a quiz, as a percentage
of the limit or in minutes, or removes the limit. Attempts read their deadline from here when they
start; granting, changing or removing an accommodation also moves the deadline of an attempt in
progress (later, never earlier). The quiz's close date still ends every attempt: it is when the quiz stops being
available, not a time limit. Every change is written to `AccommodationChange` (who, when, what).
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from academy import formats, request_memo
from academy.auth.models import User
from academy.courses.models import Enrolment, EnrolmentStatus
from academy.courses.policy import can_manage_course
from academy.exceptions import PermissionDenied, ServiceError
from academy.extensions import db
from academy.quizzes import clock
from academy.quizzes.models import (
    AccommodationChange,
    AccommodationKind,
    Attempt,
    AttemptState,
    Quiz,
    QuizAccommodation,
)

MAX_PERCENT = 400  # five times the limit
MAX_MINUTES = 24 * 60


def time_limit(quiz: Quiz, accommodation: QuizAccommodation | None) -> int | None:
    """The learner's time limit in minutes with their accommodation (None: no limit)."""
    base = quiz.time_limit_minutes
    if not base or accommodation is None:
        return base or None
    if accommodation.kind == AccommodationKind.NO_LIMIT:
        return None
    if accommodation.kind == AccommodationKind.PERCENT:
        # Rounded up: the learner never gets less than the percentage promised.
        return base + math.ceil(base * accommodation.amount / 100)
    return base + accommodation.amount


_MEMO = "quizzes.accommodation"


def planned_deadline(quiz: Quiz, now: datetime, accommodation: QuizAccommodation | None = None) -> datetime | None:
    """When an attempt started at `now` must be submitted: the (accommodated) limit, capped by the close date."""
    minutes = time_limit(quiz, accommodation)
    deadline = now + timedelta(minutes=minutes) if minutes else None
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        deadline = quiz.closes_at
    return deadline


def accommodation_for(quiz: Quiz, user: User) -> QuizAccommodation | None:
    """The user's accommodation on this quiz, or None (once per request; forgotten on writes)."""
    params = {"quiz_id": quiz.id, "user_id": user.id}
    return request_memo.remember(
        _MEMO, (quiz.id, user.id), lambda: db.session.scalar(_accommodation_statement(), params)
    )


def remember_accommodation(quiz: Quiz, user: User, accommodation: QuizAccommodation | None) -> None:
    """Tell `accommodation_for` what a query of the caller's already found (the exam steps load it with the quiz)."""
    request_memo.put(_MEMO, (quiz.id, user.id), accommodation)


@functools.cache
def _accommodation_statement() -> Select:
    # Built once: every start of a timed quiz asks.
    mine = (QuizAccommodation.quiz_id == bindparam("quiz_id"), QuizAccommodation.user_id == bindparam("user_id"))
    return select(QuizAccommodation).where(*mine)


def deadline_for(quiz: Quiz, user: User, now: datetime) -> datetime | None:
    """The deadline an attempt of this user started at `now` gets."""
    return planned_deadline(quiz, now, accommodation_for(quiz, user) if quiz.time_limit_minutes else None)


def accommodations_of(quiz: Quiz) -> list[QuizAccommodation]:
    """The quiz's accommodations, by learner name."""
    return list(
        db.session.scalars(
            select(QuizAccommodation)
            .join(User, User.id == QuizAccommodation.user_id)
            .where(QuizAccommodation.quiz_id == quiz.id)
            .options(joinedload(QuizAccommodation.user), joinedload(QuizAccommodation.granted_by))
            .order_by(User.name, User.id)
        )
    )


def changes_of(quiz: Quiz) -> list[AccommodationChange]:
    """The audit trail of the quiz's accommodations, newest first."""
    return list(
        db.session.scalars(
            select(AccommodationChange)
            .where(AccommodationChange.quiz_id == quiz.id)
            .options(joinedload(AccommodationChange.user), joinedload(AccommodationChange.changed_by))
            .order_by(AccommodationChange.changed_at.desc(), AccommodationChange.id.desc())
        )
    )


def learners(quiz: Quiz) -> list[User]:
    """Learners with an active enrolment in the quiz's course, by name: who can be granted one."""
    return list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == quiz.course_id, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(User.name, User.id)
        )
    )


def describe(kind: AccommodationKind | str, amount: int) -> str:
    """The accommodation in words: "50 % extra time", "15 minutes extra time", "No time limit"."""
    kind = AccommodationKind(kind)
    if kind == AccommodationKind.NO_LIMIT:
        return _("No time limit")
    if kind == AccommodationKind.PERCENT:
        return _("%(percent)s extra time", percent=formats.percent(amount))
    return ngettext("%(num)d minute extra time", "%(num)d minutes extra time", amount)


def _check(quiz: Quiz, learner: User, kind: AccommodationKind, amount: int | None, by: User) -> int:
    if not can_manage_course(by, quiz.course):
        raise PermissionDenied(_("Only the course's trainers can grant accommodations."))
    if learner.id not in {u.id for u in learners(quiz)}:
        raise ServiceError(_("Choose a learner enrolled in this course."), field="learner")
    if not quiz.time_limit_minutes:
        raise ServiceError(
            _("This quiz has no time limit, so there is no time to extend. Set a time limit first."), field="kind"
        )
    if kind == AccommodationKind.NO_LIMIT:
        return 0
    if amount is None:
        raise ServiceError(_("Give the extra time."), field="amount")
    top = MAX_PERCENT if kind == AccommodationKind.PERCENT else MAX_MINUTES
    if not 1 <= amount <= top:
        raise ServiceError(_("Give between 1 and %(max)d.", max=top), field="amount")
    return amount


def grant(
    quiz: Quiz,
    learner: User,
    *,
    kind: AccommodationKind | str,
    amount: int | None,
    by: User,
    now: datetime | None = None,
) -> QuizAccommodation:
    """Grant (or change) a learner's accommodation; the attempt in progress gets the new deadline."""
    now = now or clock.now()
    kind = AccommodationKind(kind)
    amount = _check(quiz, learner, kind, amount, by)
    accommodation = accommodation_for(quiz, learner)
    action = "changed" if accommodation else "granted"
    if accommodation is None:
        accommodation = QuizAccommodation(quiz_id=quiz.id, user_id=learner.id)
        db.session.add(accommodation)
    accommodation.kind, accommodation.amount = kind, amount
    accommodation.granted_by_id, accommodation.granted_at = by.id, now
    _log(quiz, learner, by, now, action, kind, amount)
    db.session.flush()
    _move_open_deadline(quiz, learner, accommodation)
    return accommodation


def remove(quiz: Quiz, learner: User, *, by: User, now: datetime | None = None) -> bool:
    """Remove a learner's accommodation; False if they had none. An attempt in progress keeps its deadline."""
    now = now or clock.now()
    if not can_manage_course(by, quiz.course):
        raise PermissionDenied(_("Only the course's trainers can remove accommodations."))
    accommodation = accommodation_for(quiz, learner)
    if accommodation is None:
        return False
    _log(quiz, learner, by, now, "removed", AccommodationKind(accommodation.kind), accommodation.amount)
    db.session.delete(accommodation)
    db.session.flush()
    return True


def _log(quiz: Quiz, learner: User, by: User, now: datetime, action: str, kind: AccommodationKind, amount: int) -> None:
    db.session.add(
        AccommodationChange(
            quiz_id=quiz.id,
            user_id=learner.id,
            changed_by_id=by.id,
            changed_at=now,
            action=action,
            kind=kind,
            amount=amount,
        )
    )


def _move_open_deadline(quiz: Quiz, learner: User, accommodation: QuizAccommodation | None) -> None:
    # The learner may be answering right now: their attempt's deadline follows the new rule,
    # counted from when it started (as Moodle recomputes the timing of open attempts), but never
    # moves earlier: a learner half-way through is not cut short by a change of mind.
    attempt = db.session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id, Attempt.user_id == learner.id, Attempt.state == AttemptState.IN_PROGRESS
        )
    )
    if attempt is None or attempt.deadline is None:
        return
    deadline = planned_deadline(quiz, attempt.started_at, accommodation)
    if deadline is None or deadline > attempt.deadline:
        attempt.deadline = deadline
        db.session.flush()
