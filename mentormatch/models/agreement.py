"""The mentorship agreement an active match keeps, and its versioned terms.

An agreement starts as a draft. Either party proposes terms (a new
``AgreementVersion``); the terms take effect when the *other* party confirms
them. The current terms are the latest confirmed version; every earlier
version stays in the table, so the history of who proposed and who confirmed
what, and when, is never lost.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.agreement_goal import AgreementGoal
    from mentormatch.models.match import Match
    from mentormatch.models.meeting import Meeting
    from mentormatch.models.user import User


class AgreementStatus(StrEnum):
    DRAFT = "draft"  # no confirmed terms yet
    ACTIVE = "active"  # terms confirmed by both
    ENDED = "ended"


class VersionStatus(StrEnum):
    PENDING = "pending"  # proposed by one side, waiting for the other
    CONFIRMED = "confirmed"
    SUPERSEDED = "superseded"  # replaced by a newer proposal, or the agreement ended first


class Agreement(db.Model):
    """Created as a draft when a match becomes active; both parties shape it later."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'ended')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=AgreementStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(String(24))
    end_note: Mapped[str] = mapped_column(Text, default="")

    match: Mapped[Match] = relationship(back_populates="agreement")
    ended_by: Mapped[User | None] = relationship()
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number", cascade="all, delete-orphan")
    goals: Mapped[list[AgreementGoal]] = relationship(
        back_populates="agreement", order_by="AgreementGoal.id", cascade="all, delete-orphan")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="agreement", order_by="Meeting.held_on.desc()",
        cascade="all, delete-orphan")

    @property
    def current_terms(self) -> AgreementVersion | None:
        """The latest confirmed version: what the pair has agreed."""
        confirmed = [v for v in self.versions if v.status == VersionStatus.CONFIRMED]
        return confirmed[-1] if confirmed else None

    @property
    def pending_terms(self) -> AgreementVersion | None:
        """The proposal waiting for the other party, if any."""
        return next((v for v in self.versions if v.status == VersionStatus.PENDING), None)

    @property
    def is_ended(self) -> bool:
        return self.status == AgreementStatus.ENDED


class AgreementVersion(db.Model):
    """One proposed set of terms; never edited after it is confirmed or superseded."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number", name="uq_agreement_versions_number"),
        CheckConstraint("status IN ('pending', 'confirmed', 'superseded')", name="status"),
        CheckConstraint("end_date > start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.PENDING)
    frequency: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date]
    end_date: Mapped[date]
    # Topic keys: "specialty:<code>", "goal:<code>" or "text:<free text>".
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    expectations: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
