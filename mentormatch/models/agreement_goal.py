"""Goals a pair works toward, and the feedback each party leaves at the end."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.agreement import Agreement
    from mentormatch.models.user import User


class GoalStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class AgreementGoal(db.Model):
    """A goal either party may add, and whose status either party may update."""

    __tablename__ = "agreement_goals"
    __table_args__ = (
        CheckConstraint("status IN ('not_started', 'in_progress', 'achieved', 'dropped')", name="status"),
        # The add form's idempotency key: a double-clicked submission adds one goal, not two.
        UniqueConstraint("agreement_id", "submission_key", name="uq_agreement_goals_submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    target_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default=GoalStatus.NOT_STARTED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    achieved_on: Mapped[date | None]
    submission_key: Mapped[str | None] = mapped_column(String(64))

    agreement: Mapped[Agreement] = relationship(back_populates="goals")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class AgreementFeedback(db.Model):
    """One party's rating of an ended agreement; coordinators read it."""

    __tablename__ = "agreement_feedback"
    __table_args__ = (
        UniqueConstraint("agreement_id", "author_id", name="uq_agreement_feedback_author"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()
