"""Matches between a mentee and a mentor, the rounds that propose them and the previews publishing reuses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.agreement import Agreement
    from mentormatch.models.program import Program
    from mentormatch.models.user import User


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED_BY_MENTEE = "accepted_by_mentee"
    ACCEPTED_BY_MENTOR = "accepted_by_mentor"
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    ENDED = "ended"


PENDING = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED_BY_MENTEE, MatchStatus.ACCEPTED_BY_MENTOR)
OPEN_STATUSES_SQL = "status IN ('proposed', 'accepted_by_mentee', 'accepted_by_mentor', 'active')"


class MatchOrigin(StrEnum):
    REQUEST = "request"  # the mentee asked for this mentor
    ROUND = "round"  # a coordinator's matching round proposed it
    MANUAL = "manual"  # a coordinator paired them by hand


class Match(db.Model):
    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'accepted_by_mentee', 'accepted_by_mentor', 'active', "
            "'declined', 'withdrawn', 'expired', 'ended')", name="status"),
        CheckConstraint("origin IN ('request', 'round', 'manual')", name="origin"),
        CheckConstraint("mentee_id <> mentor_id", name="two_people"),
        Index("ix_matches_mentor_status", "mentor_id", "status"),
        Index("ix_matches_mentee_status", "mentee_id", "status"),
        Index("ix_matches_program_status", "program_id", "status"),
        # Per program: one open or active match per pair, and one active mentor per mentee.
        Index("uq_matches_open_pair", "program_id", "mentee_id", "mentor_id", unique=True,
              sqlite_where=text(OPEN_STATUSES_SQL), postgresql_where=text(OPEN_STATUSES_SQL)),
        Index("uq_matches_active_mentee", "program_id", "mentee_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))  # a match never crosses programs
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(24))
    origin: Mapped[str] = mapped_column(String(16))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("matching_rounds.id", ondelete="SET NULL"), index=True)
    score: Mapped[float | None]
    message: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    decline_note: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    round: Mapped[MatchingRound | None] = relationship(back_populates="matches")
    agreement: Mapped[Agreement | None] = relationship(back_populates="match", uselist=False)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    def involves(self, user: User) -> bool:
        """Whether ``user`` is one of the pair."""
        return user.id in (self.mentee_id, self.mentor_id)

    def awaits(self, user: User) -> bool:
        """Whether this pending match waits for ``user``'s answer."""
        if user.id == self.mentee_id:
            return self.status == MatchStatus.PROPOSED or self.status == MatchStatus.ACCEPTED_BY_MENTOR
        if user.id == self.mentor_id:
            return self.status == MatchStatus.PROPOSED or self.status == MatchStatus.ACCEPTED_BY_MENTEE
        return False


class RoundStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class MatchingRound(db.Model):
    """A published run of the engine over one program's pool."""

    __tablename__ = "matching_rounds"
    __table_args__ = (
        CheckConstraint("method IN ('optimal', 'stable')", name="method"),
        CheckConstraint("status IN ('published', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.PUBLISHED)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    excluded_pairs: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    proposals: Mapped[int] = mapped_column(default=0)
    total_score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    program: Mapped[Program] = relationship()
    created_by: Mapped[User | None] = relationship()
    matches: Mapped[list[Match]] = relationship(back_populates="round")


class StoredPreview(db.Model):
    """A round preview's assignment, kept under a digest of the pool and settings it was computed from.

    Publishing reads the pool again and, when its digest is one of these,
    proposes these pairs instead of running the engine again
    (``services.rounds.previews``). Only a few recent ones per program are kept.
    """

    __tablename__ = "round_previews"
    __table_args__ = (UniqueConstraint("program_id", "digest", name="uq_round_previews_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    pairs: Mapped[list[list[float]]] = mapped_column(JSON)  # [[mentee id, mentor id, score], ...]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """An in-app message to one person; email mirrors it when SMTP is set up."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    # The page the notification is about (an app path such as "/agreements/7#meetings"), if not the match.
    path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
