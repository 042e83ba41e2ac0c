"""Meetings a pair logs against their agreement, and the notes on them.

Shared notes live on the meeting; private notes live in their own table,
keyed by author, so nothing that loads meetings can carry another person's
private note by accident: a private note is only ever read by a query that
filters on its author.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.agreement import Agreement
    from mentormatch.models.user import User


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration"),
        CheckConstraint("mode IN ('in_person', 'virtual')", name="mode"),
        # Cadence and home pages ask for each agreement's latest meeting.
        Index("ix_meetings_agreement_held_on", "agreement_id", "held_on"),
        # The log form's idempotency key: a double-clicked submission logs one meeting, not two.
        UniqueConstraint("agreement_id", "submission_key", name="uq_meetings_submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_on: Mapped[date]
    duration_minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # keys from the agreement's topics
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    submission_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="meetings")
    logged_by: Mapped[User | None] = relationship()


class PrivateNote(db.Model):
    """A note on a meeting that only its author can ever read."""

    __tablename__ = "meeting_private_notes"
    __table_args__ = (UniqueConstraint("meeting_id", "author_id", name="uq_meeting_private_notes_author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
