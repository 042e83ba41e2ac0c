"""Jobs on a schedule, run by the worker's scheduler (no cron needed)."""

from __future__ import annotations

import logging

from huey import crontab

from mentormatch.extensions import queue
from mentormatch.services import matches, outbox

log = logging.getLogger(__name__)


@queue.app_periodic_task(crontab(minute="*/5"))
def expire_matches() -> None:
    """Requests and proposals nobody answered in time expire, and both sides are told."""
    expired = matches.expire_overdue()
    if expired:
        log.info("%d match(es) expired", expired)


@queue.app_periodic_task(crontab(minute="17", hour="3"))
def prune_old_rows() -> None:
    """Delivered emails are kept for ``OUTBOX_KEEP_DAYS``, then deleted."""
    pruned = outbox.prune()
    if pruned:
        log.info("%d old outbox row(s) pruned", pruned)
