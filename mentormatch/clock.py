"""The clock the scheduled automation reads (reminders, escalations, surveys, reports).

Unset, it is the wall clock. ``CLOCK`` in the app's config (from
``MENTORMATCH_CLOCK``, refused in production) stops it at one moment: tests
drive a program through weeks by setting it, and worker processes started
with the variable see the same time. Only the automation reads this clock;
the rest of the app (sessions, email delivery) keeps the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context


def now() -> datetime:
    """The scheduler's current time, timezone-aware UTC."""
    if has_app_context():
        fixed = current_app.config.get("CLOCK")
        if fixed is not None:
            return fixed
    return datetime.now(timezone.utc)


def set_to(moment: datetime | None) -> None:
    """Stop the current app's scheduler clock at ``moment`` (aware), or give it back the wall clock (None)."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock takes an aware datetime")
    current_app.config["CLOCK"] = moment.astimezone(timezone.utc) if moment else None
