"""The coordinators' audit log, and the flags they put on profiles for review.

``AuditEntry`` rows are only ever inserted: nothing in the program updates or
deletes one (services.console.audit offers no way to), and on PostgreSQL a
trigger added by migration 0005 refuses UPDATE and DELETE on the table.
The actor's name is copied into the row so the entry still reads right
after the account is renamed or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class AuditEntry(db.Model):
    """Who did what to which record, when, with the values before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_action_at", "action", "at"),
        Index("ix_audit_entries_actor_id", "actor_id"),
        Index("ix_audit_entries_program_at", "program_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(120))
    # The program the action was about (its coordinators see it); None for site-wide actions.
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(24), default="")
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReviewFlag(db.Model):
    """A coordinator's note that a profile needs a look (one per person, removed when cleared)."""

    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(300))
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
