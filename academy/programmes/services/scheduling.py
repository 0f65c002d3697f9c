"""Authoring the sessions of a programme: a session part, more dates for it, and changes told to participants.

Times are typed in the session's own time zone and stored in UTC. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _

from academy.auth.models import User
from academy.exceptions import Conflict, ServiceError
from academy.extensions import db
from academy.programmes.models import (
    PartKind,
    Programme,
    ProgrammePart,
    SessionMode,
    TrainingSession,
)
from academy.programmes.services import sessions


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """A wall-clock time typed in `timezone` as an aware UTC datetime."""
    return value.replace(tzinfo=zone(timezone)).astimezone(ZoneInfo("UTC"))


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`, or a ServiceError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(_("Choose a time zone from the list."), field="timezone") from None


def _check_session(
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    mode: SessionMode | str,
    place: str,
    online_url: str,
    registration_deadline: datetime | None,
) -> SessionMode:
    zone(timezone)
    mode = SessionMode(mode)
    if not (title or "").strip():
        raise ServiceError(_("Give the session a title."), field="title")
    if ends_at <= starts_at:
        raise ServiceError(_("The session must end after it starts."), field="ends_at")
    if registration_deadline is not None and registration_deadline > starts_at:
        raise ServiceError(_("Registration must close before the session starts."), field="registration_deadline")
    if mode == SessionMode.IN_PERSON and not place.strip():
        raise ServiceError(_("Say where the session takes place."), field="place")
    if mode == SessionMode.ONLINE and not online_url.strip().startswith(("https://", "http://")):
        raise ServiceError(_("Give the link to the online session (https://...)."), field="online_url")
    return mode


def _new_session(
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    mode: SessionMode | str,
    place: str,
    online_url: str,
    capacity: int,
    registration_deadline: datetime | None,
    description: str,
    **links: object,
) -> TrainingSession:
    """A checked, added and flushed session; `links` place it (programme, or programme_id and part_id)."""
    mode = _check_session(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        mode=mode,
        place=place,
        online_url=online_url,
        registration_deadline=registration_deadline,
    )
    if capacity < 1:
        raise ServiceError(_("A session needs at least one seat."), field="capacity")
    session = TrainingSession(
        **links,
        title=title.strip()[:200],
        description=(description or "").strip(),
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        place=place.strip()[:300],
        online_url=online_url.strip()[:500],
        capacity=capacity,
        seats_taken=0,
        registration_deadline=registration_deadline,
    )
    db.session.add(session)
    db.session.flush()
    return session


def add_session(
    programme: Programme,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str = "Europe/Brussels",
    mode: SessionMode | str = SessionMode.IN_PERSON,
    place: str = "",
    online_url: str = "",
    capacity: int = 20,
    registration_deadline: datetime | None = None,
    description: str = "",
    required: bool = True,
) -> TrainingSession:
    """Append a session (times are aware datetimes) to the programme as a part."""
    session = _new_session(
        programme=programme,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        mode=mode,
        place=place,
        online_url=online_url,
        capacity=capacity,
        registration_deadline=registration_deadline,
        description=description,
    )
    programme.parts.append(
        ProgrammePart(kind=PartKind.SESSION, session=session, required=required, position=len(programme.parts))
    )
    db.session.flush()
    return session


def add_date(
    part: ProgrammePart,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str = "Europe/Brussels",
    mode: SessionMode | str = SessionMode.IN_PERSON,
    place: str = "",
    online_url: str = "",
    capacity: int = 20,
    registration_deadline: datetime | None = None,
    description: str = "",
) -> TrainingSession:
    """Another date of a session part (attending any one date does the part); times are aware datetimes."""
    if part.kind != PartKind.SESSION or part.session is None:
        raise ServiceError(_("Only a session part can have other dates."))
    session = _new_session(
        programme_id=part.programme_id,
        part_id=part.id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        mode=mode,
        place=place,
        online_url=online_url,
        capacity=capacity,
        registration_deadline=registration_deadline,
        description=description,
    )
    db.session.expire(part, ["other_dates"])
    return session


@dataclass
class SessionUpdate:
    """What an edit changed that participants care about, and how many of them were told."""

    changes: list[str] = field(default_factory=list)
    told: int = 0


def update_session(
    session: TrainingSession,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    mode: SessionMode | str,
    place: str = "",
    online_url: str = "",
    registration_deadline: datetime | None = None,
    description: str = "",
    actor: User | None = None,
) -> SessionUpdate:
    """Change a session's details (seats are changed with `seats.set_capacity`); registrations stay.

    Returns what participants care about that changed ("time", "place", "link", "mode") and how many
    people were told. When anything did, the .ics SEQUENCE goes up and everyone registered or
    waiting is told, once per edit (the e-mails leave after the caller's commit).
    """
    if session.cancelled:
        raise Conflict(_("This session is cancelled: it can no longer be changed."))
    before = (session.starts_at, session.ends_at, session.place, session.online_url, session.mode)
    session.mode = _check_session(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        mode=mode,
        place=place,
        online_url=online_url,
        registration_deadline=registration_deadline,
    )
    session.title = title.strip()[:200]
    session.description = (description or "").strip()
    session.starts_at, session.ends_at, session.timezone = starts_at, ends_at, timezone
    session.place, session.online_url = place.strip()[:300], online_url.strip()[:500]
    session.registration_deadline = registration_deadline
    update = SessionUpdate(changes=_changes(before, session))
    if update.changes:
        session.sequence = (session.sequence or 0) + 1
        db.session.flush()
        update.told = sessions.notify_changed(session, update.changes, actor=actor)
    db.session.flush()
    return update


def _changes(before: tuple, session: TrainingSession) -> list[str]:
    starts_at, ends_at, place, online_url, mode = before
    changes = []
    if (starts_at, ends_at) != (session.starts_at, session.ends_at):
        changes.append("time")
    if place != session.place:
        changes.append("place")
    if online_url != session.online_url:
        changes.append("link")
    if SessionMode(mode) != SessionMode(session.mode):
        changes.append("mode")
    return changes
