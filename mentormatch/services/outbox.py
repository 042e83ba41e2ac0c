"""The email outbox: what use cases decide to send, and its delivery by the worker.

Writing: ``queue_email`` and ``queue_emails`` add rows to the current
transaction, all under one batch key kept in the session; the tasks layer
enqueues the batch's delivery once the transaction commits
(``tasks.mail``), so a rolled-back change leaves no row and sends nothing.

Delivering: ``deliver`` claims rows (so no two workers send one), sends them
over one SMTP connection, and marks them sent every few messages. On a
failure the rest are released with an exponential backoff; a row claimed by
a worker that died is claimed again once its claim lapses (``due_rows``
finds it for the periodic sweep), so a crash can send one row at most once
more, and loses none.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, ContextManager, Mapping

from flask import current_app
from sqlalchemy import func, or_, update
from sqlalchemy.orm import Session

from mentormatch import mail
from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import OutboxEmail
from mentormatch.models.user import utcnow
from mentormatch.services.bulk import insert_once, insert_rows
from mentormatch.services.paging import Page, bounds
from mentormatch.services.transactions import transaction

log = logging.getLogger(__name__)
BATCH = "outbox_batch"  # session.info key: the batch of the transaction in progress
MARK_EVERY = 20  # sent messages between two commits: what a crash can send again
CHUNK = 100  # rows per delivery task
ERROR_LENGTH = 300


# --- writing, inside a use case's transaction ---------------------------------------------------

def _batch() -> str:
    return db.session.info.setdefault(BATCH, uuid.uuid4().hex)


def _headers(email: Email) -> list[list[str]] | None:
    return [list(pair) for pair in email.headers] or None


def queue_email(email: Email) -> None:
    """Send ``email`` once the current transaction commits (and never if it rolls back)."""
    db.session.add(OutboxEmail(batch=_batch(), recipient=email.to, subject=email.subject, body=email.body,
                               calendar=email.calendar, headers=_headers(email)))


def queue_email_once(email: Email, key: str) -> bool:
    """``queue_email`` unless an email with idempotency ``key`` was ever queued; whether this call queued it.

    Two workers deciding the same digest both reach the insert; the unique
    index lets one row in (on PostgreSQL the second waits for the first's
    commit, then finds the row), so the email goes once whoever runs.
    """
    now = utcnow()
    return insert_once(OutboxEmail.__table__, {
        "batch": _batch(), "recipient": email.to, "subject": email.subject, "body": email.body,
        "calendar": email.calendar, "headers": _headers(email), "idempotency_key": key, "created_at": now,
        "next_attempt_at": now, "attempts": 0, "last_error": ""}, ["idempotency_key"])


def queue_emails(emails: list[Email]) -> None:
    """``queue_email`` for thousands at once (a matching round), in bulk statements (no extra headers)."""
    if not emails:
        return
    batch, now = _batch(), utcnow()
    insert_rows(OutboxEmail.__table__, [
        {"batch": batch, "recipient": e.to, "subject": e.subject, "body": e.body, "calendar": e.calendar,
         "created_at": now, "next_attempt_at": now, "attempts": 0, "last_error": ""} for e in emails])


def take_batch(session: Session) -> str | None:
    """The batch key of the transaction that just ended, cleared for the next one."""
    return session.info.pop(BATCH, None)


# --- delivering, in the worker --------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int  # given up for good
    retry_in: float | None  # seconds until the rows left over are due again; None when none are


def batch_ids(batch: str) -> list[int]:
    """The unsent rows of one batch, in the order they were written."""
    return list(db.session.scalars(db.select(OutboxEmail.id).where(
        OutboxEmail.batch == batch, OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None))
        .order_by(OutboxEmail.id)))


def chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def _claim(ids: list[int], now: datetime, config: Mapping[str, Any]) -> list:
    """Take the rows among ``ids`` that are due and nobody holds, until the claim lapses."""
    with transaction():
        claimed = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(ids), OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
                   OutboxEmail.next_attempt_at <= now,
                   or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now))
            .values(claimed_until=now + timedelta(seconds=config["OUTBOX_CLAIM_SECONDS"]),
                    attempts=OutboxEmail.attempts + 1)
            .returning(OutboxEmail.id, OutboxEmail.recipient, OutboxEmail.subject, OutboxEmail.body,
                       OutboxEmail.calendar, OutboxEmail.headers, OutboxEmail.attempts)
            .execution_options(synchronize_session=False)).all()
    return sorted(claimed, key=lambda row: row.id)


def _mark_sent(ids: list[int]) -> None:
    if ids:
        with transaction():
            db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_(ids))
                               .values(sent_at=utcnow(), claimed_until=None, last_error="")
                               .execution_options(synchronize_session=False))


def backoff(attempts: int, config: Mapping[str, Any]) -> float:
    """Seconds to wait after the ``attempts``-th failed try: doubling, up to a ceiling."""
    return min(config["OUTBOX_RETRY_MAX_SECONDS"], config["OUTBOX_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0))


def _release(rows: list, error: str, config: Mapping[str, Any], give_up: bool = False) -> tuple[int, float | None]:
    """Put failed rows back with their next try, or give up on those out of attempts."""
    now, failed, waits = utcnow(), 0, []
    with transaction():
        for row in rows:
            values: dict[str, Any] = {"claimed_until": None, "last_error": error[:ERROR_LENGTH]}
            if give_up or row.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
                values["failed_at"] = now
                failed += 1
            else:
                wait = backoff(row.attempts, config)
                values["next_attempt_at"] = now + timedelta(seconds=wait)
                waits.append(wait)
            db.session.execute(update(OutboxEmail).where(OutboxEmail.id == row.id).values(**values)
                               .execution_options(synchronize_session=False))
    if failed:
        log.error("gave up on %d email(s): %s", failed, error)
    return failed, (min(waits) if waits else None)


def _no_server(config: Mapping[str, Any]) -> ContextManager[Callable[[Email], None]]:
    """Where no mail server is configured, 'sending' leaves the row in the outbox (the demo mailbox)."""
    if config["ENV_NAME"] == "production":
        log.warning("no MAIL_SERVER set: emails stay in the outbox, unsent")
    return nullcontext(lambda email: None)


def deliver(ids: list[int]) -> Delivery:
    """Send the due, unclaimed rows among ``ids`` over one connection."""
    config = current_app.config
    pending = deque(_claim(ids, utcnow(), config))
    if not pending:
        return Delivery(0, 0, None)
    sent, unmarked, failed = 0, [], 0
    opener = mail.smtp_sender if mail.has_server(config) else _no_server
    try:
        with opener(config) as send:
            while pending:
                row = pending[0]
                try:
                    send(Email(row.recipient, row.subject, row.body, row.calendar,
                               tuple((name, value) for name, value in row.headers or ())))
                except mail.PERMANENT as error:  # this address is refused; the others may still go
                    failed += _release([pending.popleft()], _describe(error), config, give_up=True)[0]
                    continue
                unmarked.append(pending.popleft().id)
                if len(unmarked) == MARK_EVERY:
                    _mark_sent(unmarked)
                    sent, unmarked = sent + len(unmarked), []
    except mail.TRANSIENT as error:
        _mark_sent(unmarked)
        gave_up, retry_in = _release(list(pending), _describe(error), config)
        log.warning("email delivery failed (%s): %d sent, %d to retry", _describe(error),
                    sent + len(unmarked), len(pending) - gave_up)
        return Delivery(sent + len(unmarked), failed + gave_up, retry_in)
    _mark_sent(unmarked)
    return Delivery(sent + len(unmarked), failed, None)


def _describe(error: BaseException) -> str:
    """A short, address-free account of what went wrong, for the row and the log."""
    if isinstance(error, mail.PERMANENT):
        return f"refused by the mail server ({type(error).__name__})"
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"


def due_rows(limit: int = 10_000) -> list[int]:
    """Unsent rows whose delivery should have happened a while ago and that nobody holds.

    The periodic sweep hands these to the queue again: rows committed while
    the queue was unreachable, and rows whose worker died mid-send.
    """
    config = current_app.config
    now = utcnow()
    overdue = now - timedelta(seconds=config["OUTBOX_SWEEP_GRACE_SECONDS"])
    return list(db.session.scalars(db.select(OutboxEmail.id).where(
        OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None), OutboxEmail.next_attempt_at <= overdue,
        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now))
        .order_by(OutboxEmail.id).limit(limit)))


def prune(now: datetime | None = None) -> int:
    """Delete sent emails older than ``OUTBOX_KEEP_DAYS`` and given-up ones three times as old."""
    now = now or utcnow()
    keep = timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    with transaction():
        result = db.session.execute(db.delete(OutboxEmail).where(or_(
            OutboxEmail.sent_at < now - keep, OutboxEmail.failed_at < now - 3 * keep)))
    return result.rowcount


# --- the development mailbox ----------------------------------------------------------------------

def mailbox_page(page: int, per_page: int) -> Page:
    """One page of the outbox, newest first (the development mailbox)."""
    total = db.session.scalar(db.select(func.count()).select_from(OutboxEmail))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total)


def get_email(email_id: int) -> OutboxEmail | None:
    return db.session.get(OutboxEmail, email_id)
