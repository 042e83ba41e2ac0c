"""Every step the program takes by itself, in order, at one moment of the scheduler's clock.

Each step is idempotent: what it decides carries a key (person or program,
kind, subject, period) that the database keeps unique, so running a step
again, on another worker or after a restart, writes and sends nothing new.
Steps commit their own work, one person or program at a time, so a failure
in one leaves the others' work saved.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from mentormatch.services import escalations, reminders
from mentormatch.services.console import outcome_report

log = logging.getLogger(__name__)

# Reminders are raised before the digests that carry them; escalations before their weekly digest.
STEPS: tuple[tuple[str, Callable[[datetime], int]], ...] = (
    ("reminders", reminders.raise_due),
    ("reminder digests", reminders.send_digests),
    ("escalations", escalations.raise_due),
    ("escalation digests", escalations.send_weekly_digests),
    ("outcome reports", outcome_report.send_monthly_reports),
)


def run_all(now: datetime) -> dict[str, int]:
    """Run every step at ``now``; how many rows or emails each one wrote."""
    done = {}
    for name, step in STEPS:
        try:
            done[name] = step(now)
        except Exception:  # one step failing (a bad row, a lost connection) must not stop the others
            log.exception("automation step %r failed at %s", name, now.isoformat())
            done[name] = 0
    return done
