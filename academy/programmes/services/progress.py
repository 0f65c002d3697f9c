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

import dataclasses
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from academy import formats
from academy.auth.models import User
from academy.certificates import services as certificates
from academy.certificates.models import Certificate, CertificateStatus, RevocationReason
from academy.courses.models import Enrolment, EnrolmentStatus, Lesson, LessonProgress, Module
from academy.db import utcnow
from academy.extensions import db
from academy.programmes.models import (
    Attendance,
    PartKind,
    Programme,
    ProgrammeEnrolment,
    ProgrammeEnrolmentStatus,
    ProgrammePart,
    ProgrammeStatus,
    RegistrationStatus,
    SessionMode,
    SessionRegistration,
)


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
class OutcomeStanding:
    """A programme outcome with the learner's mastery from course evidence."""

    code: str
    text: str
    percent: float | None
    mastered: bool


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
    from academy.courses.models import Course

    required = defaultdict(set)
    for course_id, key in db.session.execute(
        select(Course.id, Lesson.key)
        .join(Module, Module.version_id == Course.published_version_id)
        .join(Lesson, Lesson.module_id == Module.id)
        .where(Course.id.in_(course_ids), Lesson.required.is_(True))
    ):
        required[course_id].add(key)
    done = defaultdict(set)
    active: dict[int, bool] = {}
    for course_id, status, key in db.session.execute(
        select(Enrolment.course_id, Enrolment.status, LessonProgress.lesson_key)
        .outerjoin(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user_id, Enrolment.course_id.in_(course_ids))
    ):
        active[course_id] = status == EnrolmentStatus.ACTIVE
        if key is not None:
            done[course_id].add(key)
    percents = {}
    for course_id in course_ids:
        keys = required.get(course_id, set())
        percents[course_id] = 100 if not keys else int(len(keys & done[course_id]) * 100 / len(keys))
    return percents, active


def _valid_course_certificates(user_id: int, course_ids: list[int]) -> dict[int, Certificate]:
    now = utcnow()
    out: dict[int, Certificate] = {}
    if not course_ids:
        return out
    for cert in db.session.scalars(
        select(Certificate)
        .where(
            Certificate.user_id == user_id,
            Certificate.course_id.in_(course_ids),
            Certificate.status == CertificateStatus.VALID,
        )
        .order_by(Certificate.issued_at)
    ):
        if cert.expires_at is None or cert.expires_at > now:
            out[cert.course_id] = cert
    return out


def _queue_positions(user_id: int, session_ids: list[int]) -> dict[int, int]:
    """Per session where the user waits: their place in the queue (one query)."""
    mine = aliased(SessionRegistration)
    ahead = aliased(SessionRegistration)
    rows = db.session.execute(
        select(mine.session_id, func.count(ahead.id))
        .join(
            ahead,
            (ahead.session_id == mine.session_id)
            & (ahead.status == RegistrationStatus.WAITLISTED)
            & ((ahead.queued_at < mine.queued_at) | ((ahead.queued_at == mine.queued_at) & (ahead.id <= mine.id))),
        )
        .where(
            mine.user_id == user_id,
            mine.session_id.in_(session_ids),
            mine.status == RegistrationStatus.WAITLISTED,
        )
        .group_by(mine.session_id)
    )
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
    registrations = (
        {
            r.session_id: r
            for r in db.session.scalars(
                select(SessionRegistration).where(
                    SessionRegistration.user_id == user.id, SessionRegistration.session_id.in_(session_ids)
                )
            )
        }
        if session_ids
        else {}
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


def _course_mastery(user_id: int, course_ids: list[int]) -> dict[tuple[int, str], tuple[float | None, bool]]:
    """(course id, outcome key) -> (mastery %, mastered) from quiz evidence: two queries for any number of courses.

    The quizzes' documented rule (best result per question, points-weighted) applied per course.
    """
    from academy.courses.models import Course, LearningOutcome
    from academy.quizzes.completion import mastery_from_evidence
    from academy.quizzes.models import Attempt, AttemptState, QuestionVersion, Quiz, Response

    thresholds = {
        (course_id, key): threshold
        for course_id, key, threshold in db.session.execute(
            select(Course.id, LearningOutcome.key, LearningOutcome.threshold)
            .join(LearningOutcome, LearningOutcome.version_id == Course.published_version_id)
            .where(Course.id.in_(course_ids))
        )
    }
    evidence: dict[int, list] = defaultdict(list)
    for course_id, question_id, fraction, points, keys in db.session.execute(
        select(
            Quiz.course_id, Response.question_id, Response.fraction, Response.max_points, QuestionVersion.outcome_keys
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .where(
            Quiz.course_id.in_(course_ids),
            Attempt.user_id == user_id,
            Attempt.state != AttemptState.IN_PROGRESS,
            Response.fraction.is_not(None),
        )
        .order_by(Attempt.id, Response.position)
    ):
        evidence[course_id].append((question_id, fraction, points, list(keys or [])))
    out: dict[tuple[int, str], tuple[float | None, bool]] = {}
    for course_id in course_ids:
        mastery = mastery_from_evidence(evidence.get(course_id, []))
        for (cid, key), threshold in thresholds.items():
            if cid == course_id:
                percent = mastery.get(key)
                out[(cid, key)] = (percent, percent is not None and percent >= threshold)
    return out


def outcome_mastery(programme: Programme, user: User) -> list[OutcomeStanding]:
    """Programme outcomes with mastery computed from the learner's evidence in the mapped courses."""
    course_ids = sorted({m["course_id"] for o in programme.outcomes for m in o.course_outcomes or []})
    reports = _course_mastery(user.id, course_ids) if course_ids else {}
    out = []
    for outcome in programme.outcomes:
        mapped = [(m["course_id"], m["key"]) for m in outcome.course_outcomes or []]
        values = [reports.get(pair, (None, False)) for pair in mapped]
        known = [v[0] for v in values if v[0] is not None]
        percent = round(sum(v[0] or 0 for v in values) / len(values), 1) if known else None
        out.append(
            OutcomeStanding(
                code=outcome.code,
                text=outcome.text,
                percent=percent,
                mastered=bool(values) and all(v[1] for v in values),
            )
        )
    return out


# ---------------------------------------------------------------------------- certification


def _session_detail(registration: SessionRegistration) -> str:
    session = registration.session
    where = session.place if session.mode == SessionMode.IN_PERSON else "live online"
    # English, like the rest of the certificate; the day is the session's local day.
    day = formats.english_date(session.starts_at.astimezone(ZoneInfo(session.timezone)))
    return f"Session attended on {day}, {where}" if where else f"Session attended on {day}"


def achievement(result: Standing) -> certificates.ProgrammeAchievement:
    """What the certificate says: the programme, its outcomes and every part done (in order)."""
    programme = result.programme
    parts: list[tuple[str, str, str]] = []
    hours = Decimal("0")
    for item in result.parts:
        if not item.done:
            continue
        if item.part.kind == PartKind.COURSE:
            version = item.part.course.published_version
            hours += version.hours
            parts.append(("course", version.title, f"Online course, {version.hours.normalize():f} hours, certified"))
        else:
            session = item.registration.session  # the date attended
            hours += Decimal((session.ends_at - session.starts_at).total_seconds() / 3600).quantize(Decimal("0.1"))
            parts.append(("session", item.part.session.title, _session_detail(item.registration)))
    return certificates.ProgrammeAchievement(
        programme_id=programme.id,
        title=programme.title,
        hours=hours,
        credits=programme.credits,
        validity_months=programme.validity_months,
        outcomes=tuple((o.code, o.text) for o in programme.outcomes),
        parts=tuple(parts),
    )


REVOKE_NOTE = "Automatic: a required part of the programme is no longer complete after a correction."


def certify(programme: Programme, user: User) -> Certificate | None:
    """Bring the user's programme certificate in line with their standing; flushes.

    Issue when complete and none is held; re-issue (old one superseded) when the parts that made
    it up changed, e.g. an attendance correction; revoke when a required part is no longer done,
    and replace that automatic revocation if a later correction completes the programme again.
    Parts added after the learner completed are not required of them (rules do not change after
    the fact). Running it again changes nothing.
    """
    enrolment = db.session.scalar(
        select(ProgrammeEnrolment).where(
            ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.user_id == user.id
        )
    )
    result = standing(programme, user, completed_at=enrolment.completed_at if enrolment is not None else None)
    current = certificates.current_programme_certificate(user.id, programme.id)
    if current is None:
        if not result.complete:
            return None
        if enrolment is not None and enrolment.completed_at is None:
            enrolment.completed_at = utcnow()
        return certificates.issue_for_programme(user, achievement(result))
    if current.status == CertificateStatus.REVOKED:
        if result.complete and current.revocation_note == REVOKE_NOTE:
            # Our own automatic revocation, undone by a later correction: a new certificate replaces it.
            return certificates.reissue(
                current,
                actor=None,
                holder_name=current.holder_name,
                achievement=achievement(result),
                replace_revoked=True,
            )
        return current  # a trainer's revocation stands
    if current.status != CertificateStatus.VALID:
        return current
    if not result.complete:
        certificates.revoke(current, actor=None, reason=RevocationReason.ISSUED_IN_ERROR, note=REVOKE_NOTE)
        return current
    fresh = achievement(result)
    held = certificates.achievement_of(current).parts
    parts = _parts_to_certify(result, held, fresh.parts)
    if set(parts) != set(held):
        fresh = dataclasses.replace(fresh, parts=parts)
        return certificates.reissue(current, actor=None, holder_name=current.holder_name, achievement=fresh)
    return current


def _part_key(item: PartStanding) -> tuple[str, str]:
    part = item.part
    if part.kind == PartKind.COURSE:
        version = part.course.published_version if part.course is not None else None
        return ("course", version.title if version is not None else "")
    return ("session", part.session.title if part.session is not None else "")


def _parts_to_certify(
    result: Standing, held: tuple[tuple[str, str, str], ...], done: tuple[tuple[str, str, str], ...]
) -> tuple[tuple[str, str, str], ...]:
    """What a re-issued certificate lists: the parts done now, plus held parts no longer in the programme.

    A part the trainer took out of the programme stays on the certificates it was earned for; only
    the learner's own record (an attendance correction, a course certificate) changes the list.
    """
    in_programme = {_part_key(item) for item in result.parts}
    carried = tuple(p for p in held if (p[0], p[1]) not in in_programme)
    return tuple(tuple(p) for p in done) + carried


def check_user(user_id: int) -> None:
    """Job: certify the user in each programme they are enrolled in; one commit per programme."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    programme_ids = db.session.scalars(
        select(ProgrammeEnrolment.programme_id)
        .join(Programme, Programme.id == ProgrammeEnrolment.programme_id)
        .where(
            ProgrammeEnrolment.user_id == user_id,
            ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE,
            Programme.status != ProgrammeStatus.DRAFT,
        )
    ).all()
    for programme_id in programme_ids:
        check(programme_id, user_id)


def check(programme_id: int, user_id: int) -> None:
    """Job: certify one user in one programme (safe to run twice or at once: the unique index decides)."""
    from academy.programmes.services.enrolment import get_programme

    user = db.session.get(User, user_id)
    programme = db.session.get(Programme, programme_id)
    if user is None or programme is None:
        return
    programme = (
        get_programme(programme.slug, viewer=None) if programme.status == ProgrammeStatus.PUBLISHED else programme
    )
    try:
        certify(programme, user)
        db.session.commit()
    except IntegrityError:
        # A concurrent run claimed this certificate first; its result stands.
        db.session.rollback()


def check_participants(programme_id: int) -> None:
    """Job: certify every active participant of a programme, one commit each (after a part is removed)."""
    user_ids = db.session.scalars(
        select(ProgrammeEnrolment.user_id).where(
            ProgrammeEnrolment.programme_id == programme_id,
            ProgrammeEnrolment.status == ProgrammeEnrolmentStatus.ACTIVE,
        )
    ).all()
    for user_id in user_ids:
        check(programme_id, user_id)


def completed_count(programme: Programme) -> int:
    """How many participants have completed the programme."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ProgrammeEnrolment)
            .where(ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.completed_at.is_not(None))
        )
        or 0
    )
