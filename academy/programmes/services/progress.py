"""A learner's standing in a programme: per-part states, the progress bar, outcome mastery, certification.

Rule: a course part is done when the learner holds a valid certificate for the course; a session
part is done when the trainer recorded them present. The programme is complete when every required
part is done; optional parts that are done are listed on the certificate too. A cancelled required
session blocks completion until the trainer makes it optional or takes it out (then every
participant is checked again).

Programme mastery: each programme outcome maps to outcomes of its courses (by stable key). Its
percentage is the mean of the learner's mastery of those course outcomes (missing evidence counts
as 0 once any exists); it is mastered when every mapped course outcome reaches its own threshold.
"""

from __future__ import annotations

import enum
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased

from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateStatus
from academy.courses.models import Course, Enrolment, EnrolmentStatus, Lesson, LessonProgress, Module
from academy.db import utcnow
from academy.extensions import db
from academy.programmes.models import (
    Attendance,
    PartKind,
    Programme,
    ProgrammePart,
    RegistrationStatus,
    SessionRegistration,
)
from academy.programmes.services.mastery import OutcomeStanding, outcome_mastery


class PartState(enum.StrEnum):
    """Where one part stands for one learner."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    ABSENT = "absent"
    EXCUSED = "excused"
    DONE = "done"
    CANCELLED = "cancelled"  # the session was called off: it cannot be done


STATE_LABELS = {
    PartState.NOT_STARTED: _l("Not started"),
    PartState.IN_PROGRESS: _l("In progress"),
    PartState.REGISTERED: _l("Registered"),
    PartState.WAITLISTED: _l("On the waiting list"),
    PartState.ABSENT: _l("Absent"),
    PartState.EXCUSED: _l("Excused"),
    PartState.DONE: _l("Done"),
    PartState.CANCELLED: _l("Session cancelled"),
}


@dataclass
class PartStanding:
    """One part as the learner sees it."""

    part: ProgrammePart
    state: PartState = PartState.NOT_STARTED
    percent: int = 0  # courses: share of required lessons done
    registration: SessionRegistration | None = None  # sessions: the registration that decides the state
    # Sessions: the learner's registration (any status) per date id, for the page to show each date.
    registrations: dict[int, SessionRegistration] = field(default_factory=dict)
    certificate: Certificate | None = None
    queue_position: int | None = None  # 1 = next to get a seat, for a waiting-list place
    # Added to the programme after this learner completed it: shown, but not required of them.
    added_later: bool = False

    @property
    def required(self) -> bool:
        """Whether this part counts for this learner's certificate."""
        return self.part.required and not self.added_later

    @property
    def done(self) -> bool:
        return self.state == PartState.DONE

    @property
    def cancelled(self) -> bool:
        """A cancelled session: skipped when counting what is required."""
        return self.state == PartState.CANCELLED

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class Standing:
    """A learner's whole standing in a programme."""

    programme: Programme
    parts: list[PartStanding]
    outcomes: list[OutcomeStanding] = field(default_factory=list)

    @property
    def required(self) -> list[PartStanding]:
        """Required parts that count for this learner (parts added after they completed do not).

        A cancelled required session stays required, and can never be done: the trainer decides
        whether to add a new date or make it optional, so a cancellation alone never certifies anyone.
        """
        return [p for p in self.parts if p.required]

    @property
    def complete(self) -> bool:
        """Every required part done, and at least one of them."""
        return bool(self.required) and all(p.done for p in self.required)

    @property
    def percent(self) -> int:
        """The progress bar: required parts done, courses counting their lesson share."""
        required = self.required
        if not required:
            return 0
        total = sum(100 if p.done else min(p.percent, 99) for p in required)
        return int(total / len(required))

    @property
    def left(self) -> list[PartStanding]:
        """Required parts still to do (a cancelled required session among them, until the trainer decides)."""
        return [p for p in self.required if not p.done]


def _course_percentages(user_id: int, course_ids: list[int]) -> tuple[dict[int, int], dict[int, bool]]:
    """Per course: % of required lessons done, and whether the learner is actively enrolled (2 queries)."""
    if not course_ids:
        return {}, {}
    statements = _statements()
    required = defaultdict(set)
    for course_id, key in db.session.execute(statements["required"], {"course_ids": course_ids}):
        required[course_id].add(key)
    done = defaultdict(set)
    active: dict[int, bool] = {}
    mine = {"user_id": user_id, "course_ids": course_ids}
    for course_id, status, key in db.session.execute(statements["progress"], mine):
        active[course_id] = status == EnrolmentStatus.ACTIVE
        if key is not None:
            done[course_id].add(key)
    percents = {}
    for course_id in course_ids:
        keys = required.get(course_id, set())
        percents[course_id] = 100 if not keys else int(len(keys & done[course_id]) * 100 / len(keys))
    return percents, active


@functools.cache
def _statements() -> dict[str, Select]:
    # Built once per process (bind parameters): building these five cost ~1 ms of every start page's first view.
    course_ids, session_ids = bindparam("course_ids", expanding=True), bindparam("session_ids", expanding=True)
    user_id = bindparam("user_id")
    mine, ahead = aliased(SessionRegistration), aliased(SessionRegistration)
    return {
        "required": select(Course.id, Lesson.key)
        .join(Module, Module.version_id == Course.published_version_id)
        .join(Lesson, Lesson.module_id == Module.id)
        .where(Course.id.in_(course_ids), Lesson.required.is_(True)),
        "progress": select(Enrolment.course_id, Enrolment.status, LessonProgress.lesson_key)
        .outerjoin(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user_id, Enrolment.course_id.in_(course_ids)),
        "certificates": select(Certificate)
        .where(
            Certificate.user_id == user_id,
            Certificate.course_id.in_(course_ids),
            Certificate.status == CertificateStatus.VALID,
        )
        .order_by(Certificate.issued_at),
        "registrations": select(SessionRegistration).where(
            SessionRegistration.user_id == user_id, SessionRegistration.session_id.in_(session_ids)
        ),
        "queue": select(mine.session_id, func.count(ahead.id))
        .join(
            ahead,
            (ahead.session_id == mine.session_id)
            & (ahead.status == RegistrationStatus.WAITLISTED)
            & ((ahead.queued_at < mine.queued_at) | ((ahead.queued_at == mine.queued_at) & (ahead.id <= mine.id))),
        )
        .where(mine.user_id == user_id, mine.session_id.in_(session_ids), mine.status == RegistrationStatus.WAITLISTED)
        .group_by(mine.session_id),
    }


def _valid_course_certificates(user_id: int, course_ids: list[int]) -> dict[int, Certificate]:
    now = utcnow()
    out: dict[int, Certificate] = {}
    if not course_ids:
        return out
    mine = {"user_id": user_id, "course_ids": course_ids}
    for cert in db.session.scalars(_statements()["certificates"], mine):
        if cert.expires_at is None or cert.expires_at > now:
            out[cert.course_id] = cert
    return out


def _queue_positions(user_id: int, session_ids: list[int]) -> dict[int, int]:
    """Per session where the user waits: their place in the queue (one query)."""
    rows = db.session.execute(_statements()["queue"], {"user_id": user_id, "session_ids": session_ids})
    return dict(rows.all())


def _added_after(part: ProgrammePart, completed_at: datetime | None) -> bool:
    return completed_at is not None and part.added_at is not None and part.added_at > completed_at


def standing(
    programme: Programme, user: User | None, *, with_mastery: bool = False, completed_at: datetime | None = None
) -> Standing:
    """Per-part states for `user` (all "not started" for a visitor) in a constant number of queries.

    `completed_at` is when the learner first completed the programme: parts added after it are
    marked `added_later` and not required of them, so a certificate earned stays earned.
    """
    result = standings([programme], user, completed_at={programme.id: completed_at})[0]
    if with_mastery and user is not None and getattr(user, "is_authenticated", False):
        result.outcomes = outcome_mastery(programme, user)
    return result


def standings(
    programmes: list[Programme], user: User | None, *, completed_at: dict[int, datetime | None] | None = None
) -> list[Standing]:
    """`standing()` for several programmes at once: the same number of queries for any number of them.

    `completed_at` maps a programme id to when the learner first completed it (see `standing`).
    """
    completed_at = completed_at or {}
    results = [
        Standing(
            programme=p,
            parts=[PartStanding(part=part, added_later=_added_after(part, completed_at.get(p.id))) for part in p.parts],
        )
        for p in programmes
    ]
    for result in results:
        for item in result.parts:
            if item.part.kind == PartKind.SESSION and _all_cancelled(item.part):
                item.state = PartState.CANCELLED
    if user is None or not getattr(user, "is_authenticated", False):
        return results
    parts = [item for result in results for item in result.parts]
    course_ids = sorted({p.part.course_id for p in parts if p.part.kind == PartKind.COURSE and p.part.course_id})
    session_ids = sorted({d.id for p in parts if p.part.kind == PartKind.SESSION for d in p.part.dates})
    percents, active = _course_percentages(user.id, course_ids)
    certified = _valid_course_certificates(user.id, course_ids)
    mine = {"user_id": user.id, "session_ids": session_ids}
    registrations = (
        {r.session_id: r for r in db.session.scalars(_statements()["registrations"], mine)} if session_ids else {}
    )
    positions = _queue_positions(user.id, session_ids) if session_ids else {}
    for item in parts:
        part = item.part
        if part.kind == PartKind.COURSE:
            item.percent = percents.get(part.course_id, 0)
            item.certificate = certified.get(part.course_id)
            if item.certificate is not None:
                item.state, item.percent = PartState.DONE, 100
            elif part.course_id in active:
                item.state = PartState.IN_PROGRESS
        else:
            _session_state(item, registrations, positions)
    return results


def _all_cancelled(part: ProgrammePart) -> bool:
    """A session part can no longer be done only when every one of its dates is cancelled."""
    dates = part.dates
    return bool(dates) and all(date.cancelled for date in dates)


# How much a registration at one date says about the part: the best one decides its state.
_RANK = {
    PartState.DONE: 5,
    PartState.REGISTERED: 4,
    PartState.WAITLISTED: 3,
    PartState.ABSENT: 2,
    PartState.EXCUSED: 2,
}


def _registration_state(registration: SessionRegistration) -> PartState | None:
    if registration.status == RegistrationStatus.CANCELLED:
        return None
    if registration.status == RegistrationStatus.WAITLISTED:
        return PartState.WAITLISTED
    if registration.attendance == Attendance.PRESENT:
        return PartState.DONE
    if registration.attendance == Attendance.ABSENT:
        return PartState.ABSENT
    if registration.attendance == Attendance.EXCUSED:
        return PartState.EXCUSED
    return PartState.REGISTERED


def _session_state(
    item: PartStanding, registrations: dict[int, SessionRegistration], positions: dict[int, int]
) -> None:
    """A session part's state from the learner's registrations across all its dates.

    Present at any date: done. Otherwise the best of registered > waitlisted > absent/excused (the
    latest date among those) > not started; places at cancelled dates do not count. `registration`
    is the one that decides (for a part whose dates are all cancelled: the place held at one of them).
    """
    dates = item.part.dates
    item.registrations = {d.id: registrations[d.id] for d in dates if d.id in registrations}
    if item.cancelled:
        item.registration = next(
            (r for r in item.registrations.values() if r.status != RegistrationStatus.CANCELLED),
            next(iter(item.registrations.values()), None),
        )
        return
    best: tuple[int, datetime] | None = None
    for date in dates:
        registration = item.registrations.get(date.id)
        if registration is None:
            continue
        state = _registration_state(registration)
        if state is None or (date.cancelled and state != PartState.DONE):
            continue
        key = (_RANK[state], date.starts_at)
        if best is None or key > best:
            best, item.state, item.registration = key, state, registration
    if item.registration is None:
        # Nothing decides: the place given up at the latest date, as the page and the API show it.
        held = [item.registrations[d.id] for d in dates if d.id in item.registrations]
        item.registration = held[-1] if held else None
    if item.state == PartState.DONE:
        item.percent = 100
    elif item.state == PartState.WAITLISTED:
        item.queue_position = positions.get(item.registration.session_id)


def queue_position(user: User, session_id: int) -> int | None:
    """The user's place on the session's waiting list (1 = next to get a seat), or None when not waiting."""
    return _queue_positions(user.id, [session_id]).get(session_id)
