"""iCalendar (RFC 5545) files for session registrations, written by hand: one VEVENT, folded and escaped.

Times are written in UTC (the "Z" form), which every calendar converts to its own zone; the
session's own zone is named in the description so people travelling know the local time.
A cancelled session's file says METHOD:CANCEL and STATUS:CANCELLED with the same UID and a higher
SEQUENCE, so a calendar app that holds the event removes it (or marks it cancelled).
"""

from __future__ import annotations

from datetime import datetime

from academy.db import utcnow
from academy.programmes.models import SessionMode, SessionRegistration, TrainingSession

PRODID = "-//Interreg Academy//Programmes//EN"


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, continuation lines starting with a space (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    out: list[str] = []
    limit = 75
    while data:
        cut = min(limit, len(data))
        # Never split a UTF-8 sequence: back up to the start of a character.
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = 74  # the leading space counts
    return "\r\n ".join(out)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def event_lines(session: TrainingSession, registration: SessionRegistration, *, url: str, domain: str) -> list[str]:
    """The VEVENT lines for one registration."""
    location = session.place if session.mode == SessionMode.IN_PERSON else session.online_url
    local = session.starts_at.astimezone(_zone(session.timezone))
    cancelled = f"This session is cancelled: {session.cancellation_reason}\n" if session.cancelled else ""
    description = (
        f"{cancelled}{session.programme.title}\n"
        f"Starts {local:%d %B %Y, %H:%M} ({session.timezone}).\n"
        f"{session.description}\n"
        f"Details and cancellation: {url}"
    ).replace("\n\n", "\n")
    lines = [
        "BEGIN:VEVENT",
        f"UID:session-{session.id}-registration-{registration.id}@{domain}",
        f"DTSTAMP:{_stamp(utcnow())}",
        # Calendar apps replace the event they hold when the same UID comes with a higher SEQUENCE.
        f"SEQUENCE:{session.sequence or 0}",
        f"DTSTART:{_stamp(session.starts_at)}",
        f"DTEND:{_stamp(session.ends_at)}",
        f"SUMMARY:{escape(('Cancelled: ' if session.cancelled else '') + session.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        f"STATUS:{_status(session, registration)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    lines.append("END:VEVENT")
    return lines


def _status(session: TrainingSession, registration: SessionRegistration) -> str:
    if session.cancelled:
        return "CANCELLED"
    return "CONFIRMED" if registration.status == "registered" else "TENTATIVE"


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def calendar(session: TrainingSession, registration: SessionRegistration, *, url: str, domain: str) -> str:
    """A whole VCALENDAR for one registration, CRLF line ends, lines folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if session.cancelled else "METHOD:PUBLISH",
        *event_lines(session, registration, url=url, domain=domain),
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
