"""A person's time zone, and a moment written in it with the zone named.

Every stored time is UTC. Pages (the ``local_time`` filter in
``web/times.py``) and emails (``services/agreements/invitations.py``) both
write times with ``written``, so "14:00 EST" reads the same everywhere and
never as someone else's afternoon. No Flask here: services and pages use it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = ZoneInfo("UTC")


def zone_of(user) -> ZoneInfo:
    """The user's profile time zone (UTC when they have none, or it is not a known zone)."""
    profile = getattr(user, "profile", None) if user is not None else None
    return zone_named(getattr(profile, "time_zone", None))


def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name`` ("America/Chicago"); UTC when there is none or it is not a known zone."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC time (SQLite gives stored times back without their zone: they are UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` (UTC; a naive value read back from SQLite counts as UTC) in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone)


def written(moment: datetime | date | None, zone: ZoneInfo, style: str = "datetime") -> str:
    """'3 Dec 2026, 14:00 EST' in ``zone``; style 'time' gives '14:00 EST', 'date' '3 Dec 2026'."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):  # a date has no zone to convert
        return f"{moment.day} {moment:%b %Y}"
    local = in_zone(moment, zone)
    day, clock = f"{local.day} {local:%b %Y}", f"{local:%H:%M} {local.tzname()}"
    return {"date": day, "time": clock}.get(style, f"{day}, {clock}")


# Scheduled emails (reminder digests, coordinators' digests and reports) go to a person between these
# local hours only: never at night for them.
DAY_STARTS, DAY_ENDS = 8, 20


def is_daytime(moment: datetime, zone: ZoneInfo) -> bool:
    """Whether ``moment`` (UTC) falls between DAY_STARTS and DAY_ENDS o'clock in ``zone``."""
    return DAY_STARTS <= in_zone(moment, zone).hour < DAY_ENDS


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day it is in ``zone`` at ``moment`` (UTC)."""
    return in_zone(moment, zone).date()
