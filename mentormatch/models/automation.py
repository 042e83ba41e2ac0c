"""What the program does by itself: reminders to participants, their email preferences, and
escalations to coordinators.

Every reminder and escalation carries its idempotency key as a unique
constraint (person or program, kind, subject, period): the scheduler may
decide the same thing twice (two workers, a restarted scheduler), the
database keeps one row, and only the worker whose insert wrote the row goes
on to notify. Emails built from them (daily digests, weekly escalation
digests, monthly reports) carry their own key on the outbox row
(``OutboxEmail.idempotency_key``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class Reminder(db.Model):
    """One reminder to one person: shown in the app at once, emailed in their next daily digest."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject", "period", name="uq_reminders_key"),
        Index("ix_reminders_undigested", "user_id", "digested_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # services.reminders.kinds.KINDS
    subject: Mapped[str] = mapped_column(String(64))  # what it is about: "meeting:12", "match:7", "credential:3"
    period: Mapped[str] = mapped_column(String(32))  # which occasion: "24h", "3d", "2026-12-04", "90d"
    text: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(300))  # the app page it leads to
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # the scheduler's clock, not the wall's
    # Set when a digest took it: the digest's key, or "" when the person does not want this kind by email.
    digested_at: Mapped[datetime | None]
    digest_key: Mapped[str | None] = mapped_column(String(120))


class ReminderOptOut(db.Model):
    """This person does not want this kind of reminder by email (in the app they always see it)."""

    __tablename__ = "reminder_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(db.Model):
    """Something in a program that needs a coordinator: the reason, and the action we suggest."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("program_id", "kind", "subject", "period", name="uq_escalations_key"),
        Index("ix_escalations_program_open", "program_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # quiet_pair, unanswered_mentor, unmatched_mentee
    subject: Mapped[str] = mapped_column(String(64))  # "agreement:5", "user:9"
    period: Mapped[str] = mapped_column(String(32))  # the occasion, so a new one opens after a fresh lapse
    reason: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)  # the suggested action, in words
    path: Mapped[str | None] = mapped_column(String(300))  # the console page where it is done
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
