"""Email delivery: a batch per committed transaction, chunks of it per task, retries with backoff."""

from __future__ import annotations

import logging

from huey import RetryTask, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from mentormatch.extensions import db, queue
from mentormatch.services import outbox

log = logging.getLogger(__name__)


@queue.app_task(retries=3, retry_delay=10)  # the sweep would find the rows anyway, but later
def deliver_batch(batch: str) -> None:
    """Split one transaction's emails into delivery tasks, so several workers share a large batch."""
    for ids in outbox.chunks(outbox.batch_ids(batch)):
        deliver_emails(ids)


@queue.app_task()
def deliver_emails(ids: list[int]) -> None:
    """Send these outbox rows; what failed is tried again after the backoff."""
    result = outbox.deliver(ids)
    if result.retry_in is not None:
        raise RetryTask(delay=result.retry_in)


@queue.app_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Queue again the rows that were committed but never queued, or whose worker died mid-send."""
    for ids in outbox.chunks(outbox.due_rows()):
        deliver_emails(ids)


def _enqueue_committed(session: Session) -> None:
    batch = outbox.take_batch(session)
    if batch is None:
        return
    try:
        deliver_batch(batch)
    except Exception as error:  # the queue is down: the rows are safe, and the sweep will find them
        log.warning("could not queue email batch %s (%s); the sweep will send it", batch, type(error).__name__)


def _forget_rolled_back(session: Session) -> None:
    outbox.take_batch(session)


def watch_commits() -> None:
    """Enqueue each committed transaction's emails; forget those of a rolled-back one."""
    for name, listener in (("after_commit", _enqueue_committed), ("after_rollback", _forget_rolled_back)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
