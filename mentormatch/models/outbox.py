"""Emails the program decided to send, kept until a worker has delivered them.

A row is written in the same transaction as the change that caused it, so a
rolled-back change sends nothing and a committed one is never lost. Every
row written by one transaction shares its ``batch``; after the commit one
queue task delivers the batch (``mentormatch.tasks.mail``). A worker claims
rows until ``claimed_until`` before sending, so two workers never send one
row at once, and a row whose worker died mid-send is claimed again once the
claim has lapsed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class OutboxEmail(db.Model):
    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_unsent", "sent_at", "next_attempt_at"),
                      Index("ix_outbox_emails_idempotency_key", "idempotency_key", unique=True))

    # BIGINT on PostgreSQL (every notification writes a row); SQLite numbers only INTEGER keys itself.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A calendar invitation sent with the email (an iCalendar text with its METHOD), if any.
    calendar: Mapped[str | None] = mapped_column(Text)
    # Extra headers, [[name, value], ...]: List-Unsubscribe and List-Unsubscribe-Post on reminders (RFC 8058).
    headers: Mapped[list[list[str]] | None] = mapped_column(JSON)
    # Scheduled emails (digests, reports) name what they are: a second worker's copy is refused by the index.
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # gave up after the last attempt
    last_error: Mapped[str] = mapped_column(String(300), default="")
