"""Each person's time zone: dates and times are typed and read in it, and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/Brussels"
# The zones of the programme area (and UTC) offered in forms; any valid IANA name is accepted.
TIMEZONES = (
    "Europe/Brussels", "Europe/Vienna", "Europe/Berlin", "Europe/Paris", "Europe/Rome", "Europe/Madrid",
    "Europe/Lisbon", "Europe/Dublin", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest", "Europe/Ljubljana",
    "Europe/Zagreb", "Europe/Bucharest", "Europe/Sofia", "Europe/Athens", "Europe/Helsinki", "Europe/Stockholm",
    "Europe/Copenhagen", "Europe/Tallinn", "Europe/Riga", "Europe/Vilnius", "Europe/Luxembourg",
    "Europe/Amsterdam", "UTC",
)  # fmt: skip


def zone(name: str | None) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or the default zone when it is empty or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def user_zone(user: object | None) -> ZoneInfo:
    """The zone a person chose on their profile (the default for visitors)."""
    return zone(getattr(user, "timezone", None))


def to_utc(local: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A wall-clock time typed in `tz` (naive) as an aware UTC datetime."""
    if local is None:
        return None
    return local.replace(tzinfo=tz).astimezone(UTC)


def to_local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A stored (UTC) moment as naive wall-clock time in `tz`, for a datetime-local input."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).replace(tzinfo=None)
