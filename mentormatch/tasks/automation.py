"""The program's automation on a schedule: reminders and their digests, escalations, surveys, reports.

One job every 15 minutes runs every step against the scheduler's clock
(``mentormatch.clock``). Running it twice, on two workers at once or after a
restart, sends nothing twice: each step writes rows keyed by their
idempotency key (``services.automation``).
"""

from __future__ import annotations

import logging

from huey import crontab

from mentormatch import clock
from mentormatch.extensions import queue
from mentormatch.services import automation

log = logging.getLogger(__name__)


@queue.app_periodic_task(crontab(minute="*/15"))
def run_automation() -> None:
    """Every step of the automation, once, at the scheduler's time."""
    done = automation.run_all(clock.now())
    if any(done.values()):
        log.info("automation: %s", ", ".join(f"{step} {count}" for step, count in done.items() if count))


@queue.app_task()
def run_automation_now() -> None:
    """The same steps, queued by hand (``flask automation run``, the tests' two-worker race)."""
    run_automation.call_local()
