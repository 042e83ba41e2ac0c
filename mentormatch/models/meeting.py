"""Meetings a pair logs against their agreement, and the notes on them.

Shared notes live on the meeting; private notes live in their own table,
keyed by author, so nothing that loads meetings can carry another person's
private note by accident: a private note is only ever read by a query that
filters on its author.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
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
    # A kick-off meeting may come before the agreed start date and before the terms exist.
    kickoff: Mapped[bool] = mapped_column(default=False, server_default=false())
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


class ScheduledMeeting(db.Model):
    """A meeting one of the pair proposed for a date and time; the other confirms it or proposes another time.

    ``uid`` is the calendar invitation's UID for the meeting's whole life, and
    ``sequence`` goes up with every new time, so a calendar updates the one
    event it holds; a cancellation carries the same UID. Once held, the meeting
    is logged and ``meeting_id`` points at the log entry.
    """

    __tablename__ = "scheduled_meetings"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'confirmed', 'cancelled', 'held')", name="status"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration"),
        CheckConstraint("mode IN ('in_person', 'virtual')", name="mode"),
        Index("ix_scheduled_meetings_agreement_starts_at", "agreement_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    starts_at: Mapped[datetime]  # UTC
    duration_minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(300), default="")  # a place, or a video link
    note: Mapped[str] = mapped_column(Text, default="")
    kickoff: Mapped[bool] = mapped_column(default=False)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))

    agreement: Mapped[Agreement] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    meeting: Mapped[Meeting | None] = relationship()
