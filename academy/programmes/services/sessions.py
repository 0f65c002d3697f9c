"""Running a session: changes and cancellation told to participants, trainers' lists, the roster and attendance.

Registering for a session (seats, the waiting list) is in registration.py.

A trainer can cancel a session that has not started (`cancel_session`): its registration rows stay
as the record of who was registered or waiting, but the session holds no seats any more, takes no
registrations, cancellations, attendance or seat changes, and everyone registered or waiting is
told once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload

from academy import formats
from academy.auth.models import User
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, ServiceError
from academy.extensions import db
from academy.notifications import services as notifications
from academy.programmes import jobs
from academy.programmes.models import (
    Attendance,
    Programme,
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

    Only people holding a seat can be marked. Marks may be corrected at any time; the programme
    certificate check of each user returned is queued for after the commit (it re-issues or revokes).
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
    for user_id in changed:
        jobs.queue_check(user_id)
    return changed
