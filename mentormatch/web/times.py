"""Times shown to the logged-in person in their own time zone, always labelled with it.

``local_time`` (a template filter) writes a stored UTC time in the viewer's
zone, from their profile, with ``mentormatch.zones.written``. People
without a profile see UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_login import current_user

from mentormatch.zones import UTC, in_zone, written, zone_of

__all__ = ["in_zone", "local_time", "viewer_zone", "zone_of"]


def viewer_zone() -> ZoneInfo:
    """The logged-in person's time zone, for this request."""
    return zone_of(current_user if current_user.is_authenticated else None)


def local_time(moment: datetime | date | None, style: str = "datetime", zone: ZoneInfo | None = None) -> str:
    """'3 Dec 2026, 14:00 EST' in the viewer's zone; style 'time' gives '14:00 EST', 'date' '3 Dec 2026'."""
    if zone is None and isinstance(moment, datetime):  # a date or nothing needs no zone, nor a request
        zone = viewer_zone()
    return written(moment, zone or UTC, style)
