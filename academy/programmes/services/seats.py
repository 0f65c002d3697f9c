"""Registering for a session: seats, the waiting list and who moves up.

No overbooking under concurrency: a seat is taken only by
`UPDATE training_sessions SET seats_taken = seats_taken + 1 WHERE id = ? AND seats_taken < capacity`.
On PostgreSQL the UPDATE locks the row until commit and a concurrent one re-reads it; on SQLite the
UPDATE opens the write transaction, which serialises writers. Either way the seat counter never
passes the capacity (a CHECK constraint backs this up), and whoever finds no seat joins the
waiting list. A freed seat goes to the first person on the waiting list in the same transaction;
the flip from waitlisted to registered is itself conditional, so two cancellations at once cannot
promote the same person twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, ServiceError
from academy.extensions import db
from academy.notifications import services as notifications
from academy.programmes.models import (
    Attendance,
    ProgrammeEnrolment,
    ProgrammePart,
    ProgrammeStatus,
    RegistrationStatus,
    SessionRegistration,
    SessionStatus,
    TrainingSession,
)
from academy.programmes.services import enrolment
from academy.programmes.services.sessions import ACTIVE, local_time


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
