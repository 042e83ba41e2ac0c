"""The private message thread of an active pair, and where each person is in it.

Only the two people of a match read its messages. A message either of them
reports is marked on its own row (``reported_at``), and coordinators are
shown that message alone, never the rest of the thread.

``MessageCursor`` keeps, per person and pair, the last message they have
read (unread counts are the messages after it) and the last one an email
digest has told them of (so a digest never repeats a message).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.match import Match
    from mentormatch.models.user import User


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # The thread is read newest first, a page at a time, and unread counts look past a cursor.
        Index("ix_messages_match_id_id", "match_id", "id"),
        Index("ix_messages_reported_at", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_at: Mapped[datetime | None]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    report_reason: Mapped[str] = mapped_column(Text, default="")

    match: Mapped[Match] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class MessageCursor(db.Model):
    """How far one person of a pair has read, and been emailed about, the pair's thread."""

    __tablename__ = "message_cursors"

    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(default=0)
    last_emailed_id: Mapped[int] = mapped_column(default=0)
