"""Attempts: start (drawing and freezing questions), save answers, submit once, grade, review.

Timing is the server's: `deadline` is fixed at the start (time limit with the learner's
accommodation, capped by the quiz's close date: services/accommodations.py). Answers that arrive
after it are refused, and an overdue attempt is submitted with the answers saved so far, either
when anyone next touches it or by the `close-overdue` sweep. Submitting is a conditional UPDATE
on the attempt's state, so double clicks and concurrent requests grade an attempt exactly once.
"""

from __future__ import annotations

import functools
import random
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from academy.auth.models import User
from academy.core import data_version, events
from academy.courses.models import Enrolment
from academy.courses.policy import can_manage_course
from academy.exceptions import Conflict, PermissionDenied, ServiceError
from academy.extensions import db
from academy.quizzes import access, clock, grading, snapshots
from academy.quizzes.events import AttemptGraded
from academy.quizzes.models import (
    Attempt,
    AttemptState,
    QuestionType,
    QuestionVersion,
    Quiz,
    Response,
    SlotKind,
)
from academy.quizzes.services import accommodations, bank, rows

# Answers from forms and their stored form, and the trainer's marking queue, live in their own
# modules; they are part of this service's interface as before.
from academy.quizzes.services.answers import MAX_ESSAY, MAX_SHORT, answer_from_form, clean_answer  # noqa: F401
from academy.quizzes.services.marking import waiting_counts, waiting_responses  # noqa: F401
from academy.quizzes.services.results import Standing, standing
from academy.quizzes.snapshots import VersionSnap


class DeadlinePassed(Conflict):
    """The attempt's time is up: the answers were not saved."""


def attempt_options() -> list:
    """Loader options for an attempt with its responses and their versions."""
    return [selectinload(Attempt.responses).joinedload(Response.version)]


def get_attempt(quiz: Quiz, attempt_id: int) -> Attempt | None:
    """An attempt of this quiz with responses loaded, or None."""
    attempt = db.session.get(Attempt, attempt_id, options=attempt_options())
    if attempt is None or attempt.quiz_id != quiz.id:
        return None
    return attempt


def attempts_of(quiz: Quiz, user: User) -> list[Attempt]:
    """The user's attempts at this quiz, oldest first."""
    return list(db.session.scalars(_attempts_statement(), {"quiz_id": quiz.id, "user_id": user.id}))


@functools.cache
def _attempts_statement() -> Select:
    # Built once: every exam start runs it.
    mine = (Attempt.quiz_id == bindparam("quiz_id"), Attempt.user_id == bindparam("user_id"))
    return select(Attempt).where(*mine).order_by(Attempt.number)


def availability(quiz: Quiz, current: Standing, now: datetime) -> str | None:
    """Why the learner cannot start a new attempt now, or None if they can."""
    if not quiz.published:
        return _("This quiz is not available.")
    if quiz.opens_at and now < quiz.opens_at:
        return _("This quiz is not open yet.")
    if quiz.closes_at and now >= quiz.closes_at:
        return _("This quiz has closed.")
    if current.left == 0:
        return _("You have used all your attempts.")
    return None


# --- starting: draw and freeze the questions --------------------------------------------------


def draw(quiz: Quiz, rng: random.Random) -> list[VersionSnap]:
    """The questions of a new attempt: fixed slots, then `count` distinct random ones per random slot."""
    plan = snapshots.plan(quiz)
    by_id = {v.question_id: v for v in plan.questions}
    used = {s.question_id for s in plan.slots if s.kind == SlotKind.QUESTION}
    chosen: list[VersionSnap] = []
    for slot in plan.slots:
        if slot.kind == SlotKind.QUESTION:
            question = by_id.get(slot.question_id)
            if question is None:
                raise ServiceError(_("This quiz is not ready: one of its questions was removed from the bank."))
            chosen.append(question)
            continue
        pool = [v for v in plan.questions if v.question_id not in used and _may_draw(slot, v)]  # by question id
        if len(pool) < slot.count:
            raise ServiceError(_("This quiz is not ready: the bank holds too few questions for one of its slots."))
        picked = rng.sample(pool, slot.count)
        used.update(v.question_id for v in picked)
        chosen.extend(picked)
    if not chosen:
        raise ServiceError(_("This quiz has no questions yet."))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _may_draw(slot: snapshots.SlotSnap, version: VersionSnap) -> bool:
    # As services/quizzes.py `matches_slot`, on plain data.
    if slot.kind == SlotKind.OUTCOME:
        return slot.outcome_key in version.outcome_keys
    if slot.kind == SlotKind.CATEGORY:
        return bank.in_category(version.category, slot.category or "")
    return slot.question_id == version.question_id


def display_order(version: QuestionVersion | VersionSnap, *, shuffle: bool, rng: random.Random) -> list[int]:
    """The order choices (or matching options) are shown in, as indexes into the version's data."""
    if version.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        order = list(range(len(version.data["choices"])))
        if shuffle:
            rng.shuffle(order)
        return order
    if version.type == QuestionType.MATCHING:
        # Always shuffled: in file order, option i would be the answer to item i.
        order = list(range(len(grading.matching_options(version.data))))
        rng.shuffle(order)
        return order
    return []


def start_attempt(quiz: Quiz, user: User, *, now: datetime | None = None, rng: random.Random | None = None) -> Attempt:
    """Start a new attempt, or return the one in progress; raise if the learner may not."""
    now = now or clock.now()
    rng = rng or random.SystemRandom()
    if access.enrolment_for(user, quiz.course) is None:
        raise PermissionDenied(_("Enrol in the course to take its quizzes."))
    attempts = attempts_of(quiz, user)
    if any([close_if_overdue(attempt, now=now) for attempt in attempts]):  # a list: close every one
        attempts = attempts_of(quiz, user)
    current = standing(quiz, attempts)
    if current.in_progress is not None:
        return current.in_progress
    reason = availability(quiz, current, now)
    if reason:
        raise Conflict(reason)
    questions = draw(quiz, rng)
    values = {
        "quiz_id": quiz.id,
        "user_id": user.id,
        "number": max((a.number for a in current.attempts), default=0) + 1,
        "state": AttemptState.IN_PROGRESS,
        "started_at": now,
        "deadline": accommodations.deadline_for(quiz, user, now),
    }
    responses = [
        {
            "position": position,
            "question_id": version.question_id,
            "question_version_id": version.id,
            "max_points": version.points,
            "order": display_order(version, shuffle=quiz.shuffle_answers, rng=rng),
        }
        for position, version in enumerate(questions, start=1)
    ]
    values["max_score"] = round(sum(r["max_points"] for r in responses), grading.PRECISION)
    attempt = rows.insert_attempt(values, responses, user.id)
    if attempt is None:
        # A second tab or double click started the same attempt number first: use that one.
        existing = standing(quiz, attempts_of(quiz, user)).in_progress
        if existing is None:
            raise Conflict(_("Another attempt was started at the same time. Please try again.")) from None
        return existing
    return attempt


# --- answering --------------------------------------------------------------------------------


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """True if the attempt is still open but its deadline has passed."""
    return attempt.state == AttemptState.IN_PROGRESS and attempt.deadline is not None and now > attempt.deadline


def _claim_open(attempt: Attempt) -> bool:
    # A no-op UPDATE guarded by the state: it locks the row against a concurrent submission and
    # tells us whether the attempt is still open in the database (not just in our stale copy).
    with data_version.owned_by(attempt.user_id):
        result = db.session.execute(_claim_statement(), {"attempt_id": attempt.id})
    return result.rowcount == 1


@functools.cache
def _claim_statement() -> Update:
    return (
        update(Attempt)
        .where(Attempt.id == bindparam("attempt_id"), Attempt.state == AttemptState.IN_PROGRESS)
        .values(state=AttemptState.IN_PROGRESS)
        .execution_options(synchronize_session=False)
    )


def save_answers(attempt: Attempt, answers: dict[int, Any], *, now: datetime | None = None) -> None:
    """Save answers by position (None clears one); refused once submitted or past the deadline."""
    now = now or clock.now()
    if is_overdue(attempt, now):
        raise DeadlinePassed(_("Time is up: answers sent after the deadline are not saved."))
    if attempt.state != AttemptState.IN_PROGRESS or not _claim_open(attempt):
        raise Conflict(_("This attempt has already been submitted."))
    versions = snapshots.versions(r.question_version_id for r in attempt.responses)
    changes = [
        (r, {"answer": clean_answer(versions[r.question_version_id], answers[r.position]), "saved_at": now})
        for r in attempt.responses
        if r.position in answers
    ]
    rows.update_rows(Response, changes, attempt.user_id)


# --- submitting and grading -------------------------------------------------------------------


def submit_attempt(
    attempt: Attempt, *, now: datetime | None = None, by: str = "learner", enrolment_id: int | None = None
) -> bool:
    """Submit and grade an open attempt; True if this call did it, False if it was already submitted.

    `enrolment_id`: the learner's enrolment in the course, when the caller has it at hand.
    """
    now = now or clock.now()
    submitted_at = now
    if by == "deadline" and attempt.deadline is not None and attempt.deadline < now:
        submitted_at = attempt.deadline  # it ended at the deadline, whenever we noticed
    with data_version.owned_by(attempt.user_id):
        params = {"attempt_id": attempt.id, "submitted_at": submitted_at, "submitted_by": by}
        result = db.session.execute(_submit_statement(), params)
    if result.rowcount != 1:
        db.session.refresh(attempt, ["state", "submitted_at", "submitted_by"])  # show what happened instead
        return False
    # We wrote these values ourselves: no SELECT to read them back.
    for name, value in (("state", AttemptState.SUBMITTED), ("submitted_at", submitted_at), ("submitted_by", by)):
        set_committed_value(attempt, name, value)
    # Reload the answers now that we hold the row: a save committed a moment ago must count.
    responses = db.session.scalars(_reload_statement(), {"attempt_id": attempt.id}).all()
    set_committed_value(attempt, "responses", list(responses))  # loaded or not before: these are current
    versions = snapshots.versions(r.question_version_id for r in responses)
    grades = []
    for response in responses:
        version = versions[response.question_version_id]
        fraction = grading.grade(version.type, version.data, response.answer).fraction
        grades.append((response, {"fraction": fraction, "score": grading.score(fraction, response.max_points)}))
    rows.update_rows(Response, grades, attempt.user_id)
    totals = _totals(attempt, now)
    rows.update_rows(Attempt, [(attempt, totals)], attempt.user_id)
    if totals["state"] == AttemptState.GRADED:
        _course_progress_changed(attempt, enrolment_id)
    return True


@functools.cache
def _submit_statement() -> Update:
    return (
        update(Attempt)
        .where(Attempt.id == bindparam("attempt_id"), Attempt.state == AttemptState.IN_PROGRESS)
        .values(
            state=AttemptState.SUBMITTED, submitted_at=bindparam("submitted_at"), submitted_by=bindparam("submitted_by")
        )
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _reload_statement() -> Select:
    return (
        select(Response)
        .where(Response.attempt_id == bindparam("attempt_id"))
        .order_by(Response.position)
        .execution_options(populate_existing=True)
    )


def close_if_overdue(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Submit an attempt whose deadline has passed with the answers saved so far."""
    now = now or clock.now()
    if not is_overdue(attempt, now):
        return False
    return submit_attempt(attempt, now=now, by="deadline")


def overdue_attempt_ids(now: datetime | None = None) -> list[int]:
    """Ids of open attempts past their deadline."""
    now = now or clock.now()
    return list(
        db.session.scalars(
            select(Attempt.id).where(
                Attempt.state == AttemptState.IN_PROGRESS, Attempt.deadline.is_not(None), Attempt.deadline < now
            )
        )
    )


def _totals(attempt: Attempt, now: datetime) -> dict[str, Any]:
    """The attempt's state and score from its responses: graded once no response waits for a trainer."""
    responses = attempt.responses
    if any(r.fraction is None for r in responses):
        return {"state": AttemptState.SUBMITTED, "score": None, "percent": None, "passed": None}
    score = round(sum(r.score or 0.0 for r in responses), grading.PRECISION)
    max_score = round(sum(r.max_points for r in responses), grading.PRECISION)
    percent = round(100 * score / max_score, 5) if max_score else 0.0
    return {
        "state": AttemptState.GRADED,
        "score": score,
        "max_score": max_score,
        "percent": percent,
        "passed": percent >= attempt.quiz.pass_mark,
        "graded_at": now,
    }


def _course_progress_changed(attempt: Attempt, enrolment_id: int | None = None) -> None:
    """A graded attempt may complete the course: announce it (certificates check their rule)."""
    enrolment_id = enrolment_id or db.session.scalar(
        select(Enrolment.id).where(Enrolment.user_id == attempt.user_id, Enrolment.course_id == attempt.quiz.course_id)
    )
    if enrolment_id is not None:
        events.emit(AttemptGraded(attempt_id=attempt.id, enrolment_id=enrolment_id))


def grade_manually(
    response: Response, *, points: float, comment: str = "", grader: User, now: datetime | None = None
) -> None:
    """A trainer's grade for an essay (or a regrade); the attempt is graded once nothing waits."""
    now = now or clock.now()
    attempt = response.attempt
    if not can_manage_course(grader, attempt.quiz.course):
        raise PermissionDenied(_("Only the course's trainers can grade its essays."))
    if attempt.state == AttemptState.IN_PROGRESS:
        raise Conflict(_("The learner has not submitted this attempt yet."))
    if not 0 <= points <= response.max_points:
        raise ServiceError(_("Give between 0 and %(max)s points.", max=f"{response.max_points:g}"), field="points")
    response.score = round(float(points), grading.PRECISION)
    response.fraction = grading.clamp(points / response.max_points) if response.max_points else 0.0
    response.comment = comment.strip()
    response.graded_by_id = grader.id
    response.graded_at = now
    totals = _totals(attempt, now)
    for name, value in totals.items():
        setattr(attempt, name, value)
    if totals["state"] == AttemptState.GRADED:
        _course_progress_changed(attempt)
    db.session.flush()
