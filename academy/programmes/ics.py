"""iCalendar (RFC 5545) files for session registrations, written with the `icalendar` library.

The library escapes TEXT values and folds long lines; we only hand it clean text (any CR becomes
a line break, other control characters are dropped: the library lets a lone CR through).
Times are written in UTC (the "Z" form), which every calendar converts to its own zone; the
session's own zone is named in the description so people travelling know the local time.
A cancelled session's file says METHOD:CANCEL and STATUS:CANCELLED with the same UID and a higher
SEQUENCE, so a calendar app that holds the event removes it (or marks it cancelled).
The online join link is written only for people who hold a seat, never for the waiting list.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from academy.db import utcnow
from academy.programmes.models import RegistrationStatus, SessionMode, SessionRegistration, TrainingSession

PRODID = "-//Interreg Academy//Programmes//EN"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Text safe to hand to the library: CR and CRLF become LF, other control characters go."""
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def holds_seat(registration: SessionRegistration) -> bool:
    """True for a confirmed seat (the waiting list does not get the join link)."""
    return registration.status == RegistrationStatus.REGISTERED


def event(session: TrainingSession, registration: SessionRegistration, *, url: str, domain: str) -> Event:
    """The VEVENT for one registration."""
    if session.mode == SessionMode.IN_PERSON:
        location = session.place
    else:
        location = session.online_url if holds_seat(registration) and not session.cancelled else "Online"
    local = _utc(session.starts_at).astimezone(ZoneInfo(session.timezone))
    cancelled = f"This session is cancelled: {session.cancellation_reason}\n" if session.cancelled else ""
    description = (
        f"{cancelled}{session.programme.title}\n"
        f"Starts {local:%d %B %Y, %H:%M} ({session.timezone}).\n"
        f"{session.description}\n"
        f"Details and cancellation: {url}"
    ).replace("\n\n", "\n")
    item = Event()
    item.add("uid", f"session-{session.id}-registration-{registration.id}@{domain}")
    item.add("dtstamp", _utc(utcnow()))
    # Calendar apps replace the event they hold when the same UID comes with a higher SEQUENCE.
    item.add("sequence", session.sequence or 0)
    item.add("dtstart", _utc(session.starts_at))
    item.add("dtend", _utc(session.ends_at))
    item.add("summary", clean_text(("Cancelled: " if session.cancelled else "") + session.title))
    item.add("description", clean_text(description))
    item.add("url", clean_text(url))
    item.add("status", _status(session, registration))
    if location:
        item.add("location", clean_text(location))
    return item


def _status(session: TrainingSession, registration: SessionRegistration) -> str:
    if session.cancelled:
        return "CANCELLED"
    return "CONFIRMED" if holds_seat(registration) else "TENTATIVE"


def calendar(session: TrainingSession, registration: SessionRegistration, *, url: str, domain: str) -> str:
    """A whole VCALENDAR for one registration, CRLF line ends, lines folded by the library."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if session.cancelled else "PUBLISH")
    cal.add_component(event(session, registration, url=url, domain=domain))
    return cal.to_ical().decode("utf-8")
