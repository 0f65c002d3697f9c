"""Session registration with a waiting list, and attendance on the roster.

No overbooking under concurrency: a seat is taken only by
`UPDATE training_sessions SET seats_taken = seats_taken + 1 WHERE id = ? AND seats_taken < capacity`.
On PostgreSQL the UPDATE locks the row until commit and a concurrent one re-reads it; on SQLite the
UPDATE opens the write transaction, which serialises writers. Either way the seat counter never
passes the capacity (a CHECK constraint backs this up), and whoever finds no seat joins the
waiting list. A freed seat goes to the first person on the waiting list in the same transaction;
the flip from waitlisted to registered is itself conditional, so two cancellations at once cannot
promote the same person twice.

A trainer can cancel a session that has not started (`cancel_session`): its registration rows stay
as the record of who was registered or waiting, but the session holds no seats any more, takes no
registrations, cancellations, attendance or seat changes, and everyone registered or waiting is
told once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from academy import formats
from academy.auth.models import User
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, ServiceError
from academy.extensions import db
from academy.notifications import services as notifications
from academy.programmes.models import (
    Attendance,
    Programme,
    ProgrammeEnrolment,
    ProgrammePart,
    ProgrammeStatus,
    RegistrationStatus,
    SessionMode,
    SessionRegistration,
    SessionStatus,
    TrainingSession,
)
from academy.programmes.policy import managed_programmes

ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


def get_session(session_id: int) -> TrainingSession:
    """The session with its programme, or NotFound."""
    session = db.session.scalar(
        select(TrainingSession).where(TrainingSession.id == session_id).options(joinedload(TrainingSession.programme))
    )
    if session is None:
        raise NotFound(_("No such session."))
    return session


def registration_of(user: User | None, session: TrainingSession) -> SessionRegistration | None:
    """The user's registration row for the session (any status), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(SessionRegistration).where(
            SessionRegistration.session_id == session.id, SessionRegistration.user_id == user.id
        )
    )


def participant_count(session: TrainingSession) -> int:
    """How many people are registered or waiting."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SessionRegistration)
            .where(SessionRegistration.session_id == session.id, SessionRegistration.status.in_(ACTIVE))
        )
        or 0
    )


def registration_closes(session: TrainingSession) -> datetime:
    """When registration closes: the deadline, or the start without one."""
    return session.registration_deadline or session.starts_at


def registration_open(session: TrainingSession) -> bool:
    """Before the deadline (or the start, without one), and the session is not cancelled."""
    return not session.cancelled and utcnow() < registration_closes(session)


def any_date_open(part: ProgrammePart) -> bool:
    """Whether any date of the session part still takes registrations."""
    return any(registration_open(date) for date in part.dates)


def _take_seat(session_id: int) -> bool:
    """Atomically take one seat if there is one; True when taken."""
    result = db.session.execute(
        update(TrainingSession)
        .where(
            TrainingSession.id == session_id,
            TrainingSession.seats_taken < TrainingSession.capacity,
            TrainingSession.status == SessionStatus.SCHEDULED,
        )
        .values(seats_taken=TrainingSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(session_id: int) -> None:
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session_id, TrainingSession.seats_taken > 0)
        .values(seats_taken=TrainingSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _refresh_seats(session: TrainingSession) -> None:
    db.session.flush()
    db.session.refresh(session, attribute_names=["seats_taken", "capacity"])


def register(user: User, session: TrainingSession) -> SessionRegistration:
    """A seat if one is free, otherwise a place on the waiting list. Conflict if already in."""
    from academy.programmes.services import enrolment

    # An archived programme takes no new participants, but those already in keep using its sessions.
    if session.programme.status == ProgrammeStatus.DRAFT:
        raise NotFound(_("This session is not open."))
    if session.cancelled:
        raise Conflict(_("This session is cancelled: it takes no registrations."))
    if not registration_open(session):
        raise Conflict(_("Registration for this session has closed."))
    if not enrolment.is_enrolled(user, session.programme):
        raise Conflict(_("Enrol in the programme before registering for its sessions."))
    registration = registration_of(user, session)
    if registration is not None and registration.status in ACTIVE:
        raise Conflict(_("You are already registered for this session."))
    # One place per part: a no-op write locks the learner's programme enrolment (a row lock on
    # PostgreSQL, the write lock on SQLite), so two registrations for two dates at once (two tabs)
    # are checked one after the other.
    db.session.execute(
        update(ProgrammeEnrolment)
        .where(ProgrammeEnrolment.user_id == user.id, ProgrammeEnrolment.programme_id == session.programme_id)
        .values(status=ProgrammeEnrolment.status)
        .execution_options(synchronize_session=False)
    )
    _check_one_place_per_part(user, session)
    now = utcnow()
    try:
        # A savepoint: the seat and the row go together, or neither does (a double click).
        with db.session.begin_nested():
            seated = _take_seat(session.id)
            if not seated and _cancelled_meanwhile(session.id):
                raise Conflict(_("This session is cancelled: it takes no registrations."))
            status = RegistrationStatus.REGISTERED if seated else RegistrationStatus.WAITLISTED
            if registration is None:
                registration = SessionRegistration(session_id=session.id, user_id=user.id)
                db.session.add(registration)
            registration.status = status
            registration.queued_at = now
            registration.registered_at = now if seated else None
            registration.cancelled_at = None
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("You are already registered for this session.")) from exc
    _refresh_seats(session)
    return registration


def part_of(session: TrainingSession) -> ProgrammePart | None:
    """The session part this session is a date of (its own session, or another date of it)."""
    if session.part_id is not None:
        return db.session.get(ProgrammePart, session.part_id)
    return db.session.scalar(select(ProgrammePart).where(ProgrammePart.session_id == session.id))


def _check_one_place_per_part(user: User, session: TrainingSession) -> None:
    """One active place (a seat or the waiting list) across the dates of a part; Conflict naming the date held.

    A place at a cancelled date, or at a date that is over or whose attendance is recorded, holds
    nothing any more: someone absent on one date may register for another.
    """
    part = part_of(session)
    if part is None:
        return
    now = utcnow()
    rows = db.session.execute(
        select(SessionRegistration, TrainingSession)
        .join(TrainingSession, TrainingSession.id == SessionRegistration.session_id)
        .where(
            SessionRegistration.user_id == user.id,
            SessionRegistration.session_id != session.id,
            or_(TrainingSession.part_id == part.id, TrainingSession.id == part.session_id),
        )
        .order_by(TrainingSession.starts_at)
    ).all()
    for registration, date in rows:
        if registration.status == RegistrationStatus.REGISTERED and registration.attendance == Attendance.PRESENT:
            raise Conflict(_("You attended this session on %(date)s: you need no other date.", date=local_time(date)))
    for registration, date in rows:
        if (
            registration.status in ACTIVE
            and registration.attendance is None
            and not date.cancelled
            and date.ends_at > now
        ):
            raise Conflict(
                _("You already have a place on %(date)s; cancel it first to change dates.", date=local_time(date))
            )


def _cancelled_meanwhile(session_id: int) -> bool:
    # No seat may also mean a cancellation committed since the session was loaded: read it again.
    return db.session.scalar(select(TrainingSession.status).where(TrainingSession.id == session_id)) == (
        SessionStatus.CANCELLED
    )


def cancel(user: User, session: TrainingSession) -> SessionRegistration:
    """Give up a seat or a waiting-list place; a freed seat goes to the next person waiting."""
    registration = registration_of(user, session)
    if registration is None or registration.status not in ACTIVE:
        raise Conflict(_("You are not registered for this session."))
    if session.cancelled:
        raise Conflict(_("This session is cancelled: there is no seat to give up."))
    if utcnow() >= session.starts_at:
        raise Conflict(_("The session has started; ask the trainer to record your absence instead."))
    # Conditional: a concurrent cancel of the same row (two tabs) frees the seat once only.
    was = registration.status
    changed = db.session.execute(
        update(SessionRegistration)
        .where(SessionRegistration.id == registration.id, SessionRegistration.status == was)
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(registration)
    if changed and was == RegistrationStatus.REGISTERED:
        _free_seat(session.id)
        promote_waiting(session)
    _refresh_seats(session)
    return registration


def promote_waiting(session: TrainingSession) -> list[SessionRegistration]:
    """Fill free seats from the waiting list, first come first served; returns who moved up."""
    promoted: list[SessionRegistration] = []
    if session.cancelled:
        return promoted
    while True:
        candidates = list(
            db.session.scalars(
                select(SessionRegistration)
                .where(
                    SessionRegistration.session_id == session.id,
                    SessionRegistration.status == RegistrationStatus.WAITLISTED,
                )
                .order_by(SessionRegistration.queued_at, SessionRegistration.id)
                .limit(5)
            )
        )
        if not candidates:
            return promoted
        moved = False
        for candidate in candidates:
            if not _take_seat(session.id):
                return promoted
            flipped = db.session.execute(
                update(SessionRegistration)
                .where(
                    SessionRegistration.id == candidate.id, SessionRegistration.status == RegistrationStatus.WAITLISTED
                )
                .values(status=RegistrationStatus.REGISTERED, registered_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            if not flipped:  # someone else moved or cancelled them first: give the seat back
                _free_seat(session.id)
                continue
            db.session.refresh(candidate)
            promoted.append(candidate)
            _notify_promoted(candidate, session)
            moved = True
            break
        if not moved:
            return promoted


def _notify_promoted(registration: SessionRegistration, session: TrainingSession) -> None:
    link = current_app.url_map.bind("localhost").build("programmes.programme", {"slug": session.programme.slug})
    notifications.record(
        event="programme.seat_confirmed",
        recipients=[registration.user_id],
        subject_type="session_registration",
        subject_id=registration.id,
        data={"session": session.title},
        link=link,
        key=f"programme.seat_confirmed:{registration.id}:{registration.registered_at:%Y%m%d%H%M%S%f}",
    )


def _change_labels() -> dict[str, str]:
    return {"time": _("the time"), "place": _("the place"), "link": _("the online link"), "mode": _("the format")}


def _participant_ids(session: TrainingSession) -> list[int]:
    """Everyone registered or waiting."""
    return list(
        db.session.scalars(
            select(SessionRegistration.user_id).where(
                SessionRegistration.session_id == session.id, SessionRegistration.status.in_(ACTIVE)
            )
        )
    )


def notify_changed(session: TrainingSession, changes: list[str], *, actor: User | None = None) -> int:
    """Tell everyone registered or waiting that the session changed (in-app and e-mail, sent after commit).

    One notification per person and edit: the key carries the session's SEQUENCE. Returns how many were told.
    """
    recipients = _participant_ids(session)
    if not recipients:
        return 0
    labels = _change_labels()
    link = current_app.url_map.bind("localhost").build("programmes.programme", {"slug": session.programme.slug})
    result = notifications.record(
        event="programme.session_changed",
        recipients=recipients,
        subject_type="training_session",
        subject_id=session.id,
        data={
            "session": session.title,
            "changes": ", ".join(labels[c] for c in changes),
            "when": local_time(session),
            # Not the join link: people on the waiting list get it only with a seat, on the programme page.
            "where": session.place if session.mode == SessionMode.IN_PERSON else _("live online"),
        },
        link=link + f"#session-{session.id}",
        key=f"programme.session_changed:{session.id}:{session.sequence}",
        actor=actor,
    )
    return result.notifications


# ---------------------------------------------------------------------------- cancelling a session

REASON_MAX = 500  # the e-mail quotes up to 500 characters


@dataclass
class Cancellation:
    """What `cancel_session` did: whether this call cancelled the session, and how many people were told."""

    cancelled: bool
    told: int = 0


def cancel_session(session: TrainingSession, *, reason: str, actor: User | None) -> Cancellation:
    """Call off a session that has not started; flushes, the notices leave after the caller's commit.

    The registration rows stay (who was registered or waiting) but hold no seats; the .ics SEQUENCE
    goes up so calendar files cancel the event; everyone registered or waiting is told once. A
    cancelled required session still blocks the programme certificate until the trainer makes it
    optional or removes it. Cancelling a cancelled session changes nothing and tells nobody.
    """
    if session.cancelled:
        return Cancellation(cancelled=False)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the session is cancelled: participants read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("Keep the reason under %(num)d characters.", num=REASON_MAX), field="reason")
    if utcnow() >= session.starts_at:
        raise Conflict(
            _("The session has started or taken place, so it cannot be cancelled. Record attendance on the roster.")
        )
    db.session.flush()
    # Conditional: of two cancellations at once (two tabs, two trainers) only one goes through.
    changed = db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session.id, TrainingSession.status == SessionStatus.SCHEDULED)
        .values(
            status=SessionStatus.CANCELLED,
            cancelled_at=utcnow(),
            cancelled_by_id=actor.id if actor is not None else None,
            cancellation_reason=reason,
            sequence=func.coalesce(TrainingSession.sequence, 0) + 1,
            seats_taken=0,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(session)
    if not changed:
        return Cancellation(cancelled=False)
    return Cancellation(cancelled=True, told=notify_cancelled(session, actor=actor))


def notify_cancelled(session: TrainingSession, *, actor: User | None = None) -> int:
    """Tell everyone registered or waiting that the session is cancelled, with the reason; once per person."""
    recipients = _participant_ids(session)
    if not recipients:
        return 0
    link = current_app.url_map.bind("localhost").build("programmes.programme", {"slug": session.programme.slug})
    result = notifications.record(
        event="programme.session_cancelled",
        recipients=recipients,
        subject_type="training_session",
        subject_id=session.id,
        # The reason is the excerpt: the e-mail quotes it under the message.
        data={"session": session.title, "when": local_time(session), "excerpt": session.cancellation_reason},
        link=link + f"#session-{session.id}",
        key=f"programme.session_cancelled:{session.id}",
        actor=actor,
    )
    return result.notifications


def upcoming_registrations(user: User, *, days: int = 60, limit: int = 5) -> list[SessionRegistration]:
    """The user's seats and waiting-list places at sessions starting within `days` days, soonest first (1 query)."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(SessionRegistration)
            .join(TrainingSession, TrainingSession.id == SessionRegistration.session_id)
            .where(
                SessionRegistration.user_id == user.id,
                SessionRegistration.status.in_(ACTIVE),
                TrainingSession.status != SessionStatus.CANCELLED,
                TrainingSession.starts_at >= now,
                TrainingSession.starts_at <= now + timedelta(days=days),
            )
            .options(joinedload(SessionRegistration.session).joinedload(TrainingSession.programme))
            .order_by(TrainingSession.starts_at, TrainingSession.id)
            .limit(limit)
        )
    )


def _run_by(user: User) -> Select:
    """Sessions of the programmes `user` owns (a SELECT to extend), with their programme loaded."""
    return (
        select(TrainingSession)
        .join(Programme, Programme.id == TrainingSession.programme_id)
        .where(managed_programmes(user, owned_only=True), TrainingSession.status != SessionStatus.CANCELLED)
        .options(joinedload(TrainingSession.programme))
    )


def sessions_to_run(user: User, *, days: int = 60, limit: int = 5) -> list[TrainingSession]:
    """Sessions of the user's programmes starting within `days` days, soonest first (1 query)."""
    now = utcnow()
    stmt = _run_by(user).where(
        TrainingSession.starts_at >= now, TrainingSession.starts_at <= now + timedelta(days=days)
    )
    return list(db.session.scalars(stmt.order_by(TrainingSession.starts_at, TrainingSession.id).limit(limit)))


def attendance_to_record(user: User, *, limit: int = 5) -> list[tuple[TrainingSession, int]]:
    """Ended sessions of the user's programmes with seated people whose attendance is not recorded, and how many."""
    unmarked = (
        select(SessionRegistration.session_id, func.count().label("people"))
        .where(SessionRegistration.status == RegistrationStatus.REGISTERED, SessionRegistration.attendance.is_(None))
        .group_by(SessionRegistration.session_id)
        .subquery()
    )
    stmt = (
        _run_by(user)
        .join(unmarked, unmarked.c.session_id == TrainingSession.id)
        .add_columns(unmarked.c.people)
        .where(TrainingSession.ends_at <= utcnow())
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id)
        .limit(limit)
    )
    return [(session, people) for session, people in db.session.execute(stmt).all()]


def local_time(session: TrainingSession) -> str:
    """ "12 March 2027, 09:30–12:30 (Europe/Vienna)": the session's own local time."""
    zone = ZoneInfo(session.timezone)
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    text = formats.datetime(start, rebase=False)
    if start.date() == end.date():
        text += "–" + formats.time(end, rebase=False)
    else:
        text += " – " + formats.datetime(end, rebase=False)
    return f"{text} ({session.timezone})"


def set_capacity(session: TrainingSession, capacity: int) -> list[SessionRegistration]:
    """Change the number of seats; more seats promote people from the waiting list."""
    if session.cancelled:
        raise Conflict(_("This session is cancelled: its seats can no longer be changed."), field="capacity")
    if capacity < 1:
        raise ServiceError(_("A session needs at least one seat."), field="capacity")
    changed = db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session.id, TrainingSession.seats_taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Conflict(_("More people than that already hold a seat."), field="capacity")
    _refresh_seats(session)
    promoted = promote_waiting(session)
    _refresh_seats(session)
    return promoted


# ---------------------------------------------------------------------------- roster


@dataclass
class RosterRow:
    """One line of the roster."""

    registration: SessionRegistration
    user: User


def roster(session: TrainingSession) -> tuple[list[RosterRow], list[RosterRow]]:
    """Registered people by name, and the waiting list in order; two lists in one query."""
    rows = db.session.scalars(
        select(SessionRegistration)
        .where(SessionRegistration.session_id == session.id, SessionRegistration.status.in_(ACTIVE))
        .options(joinedload(SessionRegistration.user))
        .order_by(SessionRegistration.queued_at, SessionRegistration.id)
    ).all()
    seated = [RosterRow(r, r.user) for r in rows if r.status == RegistrationStatus.REGISTERED]
    seated.sort(key=lambda row: (row.user.name.casefold(), row.user.id))
    waiting = [RosterRow(r, r.user) for r in rows if r.status == RegistrationStatus.WAITLISTED]
    return seated, waiting


def record_attendance(
    session: TrainingSession, *, actor: User | None, marks: dict[int, Attendance | str | None]
) -> list[int]:
    """Record present / absent / excused per registration id; returns the user ids whose mark changed.

    Only people holding a seat can be marked. Marks may be corrected at any time; the caller queues
    the programme certificate check for the users returned, which re-issues or revokes as needed.
    """
    if session.cancelled:
        raise Conflict(_("This session is cancelled: attendance cannot be recorded."))
    if utcnow() < session.starts_at:
        raise Conflict(_("Attendance can be recorded once the session has started."))
    registrations = {
        r.id: r
        for r in db.session.scalars(
            select(SessionRegistration).where(
                SessionRegistration.session_id == session.id,
                SessionRegistration.status == RegistrationStatus.REGISTERED,
            )
        )
    }
    changed: list[int] = []
    now = utcnow()
    for registration_id, mark in marks.items():
        registration = registrations.get(registration_id)
        if registration is None:
            raise NotFound(_("This person does not hold a seat at the session."))
        value = Attendance(mark) if mark else None
        if registration.attendance == value:
            continue
        registration.attendance = value
        registration.attendance_at = now
        registration.attendance_by_id = actor.id if actor is not None else None
        changed.append(registration.user_id)
    db.session.flush()
    return changed
