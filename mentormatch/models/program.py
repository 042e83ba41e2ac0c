"""Mentoring programs, who belongs to them in which role, and who coordinates them.

One installation runs several programs (tracks such as new-graduate
onboarding or MLT to MLS). A person has one account and a membership per
program they take part in, as mentor in one and mentee in another if they
like, never both in the same program (one membership per person and program).
Everything that matches (suggestions, requests, rounds, agreements) belongs
to one program; a mentor's capacity and a mentee's goals belong to the
membership, while specialties, credentials, time zone and shift stay on the
person's profile.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.user import User


class ProgramRole(StrEnum):
    """A member's side in one program (domain.PROGRAM_ROLES)."""

    MENTEE = "mentee"
    MENTOR = "mentor"


class MembershipStatus(StrEnum):
    APPLIED = "applied"  # asked to join a program that admits by invitation; a coordinator decides
    ACTIVE = "active"
    PAUSED = "paused"  # stays a member, is not matched for now
    LEFT = "left"


class Enrolment(StrEnum):
    OPEN = "open"  # anyone signed in may join
    INVITATION = "invitation"  # by roster import or a coordinator's invitation only
    CLOSED = "closed"  # nobody new joins


def _sql_in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Program(db.Model):
    """One mentoring program with its own dates, rules and coordinators."""

    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(_sql_in("track", domain.codes(domain.TRACKS)), name="track"),
        CheckConstraint(_sql_in("enrolment", Enrolment), name="enrolment"),
        CheckConstraint("matching_method IN ('optimal', 'stable')", name="matching_method"),
        CheckConstraint("agreement_months BETWEEN 1 AND 36", name="agreement_months"),
        CheckConstraint("max_open_requests BETWEEN 1 AND 10", name="max_open_requests"),
        CheckConstraint("expiry_days BETWEEN 1 AND 90", name="expiry_days"),
        CheckConstraint("suggestions BETWEEN 1 AND 50", name="suggestions"),
        CheckConstraint("escalate_quiet_days BETWEEN 1 AND 365", name="escalate_quiet_days"),
        CheckConstraint("escalate_unanswered_days BETWEEN 1 AND 90", name="escalate_unanswered_days"),
        CheckConstraint("escalate_unmatched_days BETWEEN 1 AND 365", name="escalate_unmatched_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    track: Mapped[str] = mapped_column(String(32), default="general")
    enrolment: Mapped[str] = mapped_column(String(16), default=Enrolment.OPEN)
    enrol_opens_on: Mapped[date | None]
    enrol_closes_on: Mapped[date | None]
    starts_on: Mapped[date | None]  # the cycle's dates
    ends_on: Mapped[date | None]
    agreement_months: Mapped[int] = mapped_column(default=6)  # default length of a pair's agreement
    mentors_may_join: Mapped[bool] = mapped_column(default=True)  # who may enrol themselves, per side
    mentees_may_join: Mapped[bool] = mapped_column(default=True)
    # Matching settings (were global before programs existed).
    matching_method: Mapped[str] = mapped_column(String(16), default="optimal")
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion -> weight; {} = defaults
    max_open_requests: Mapped[int] = mapped_column(default=3)
    expiry_days: Mapped[int] = mapped_column(default=14)
    suggestions: Mapped[int] = mapped_column(default=10)
    direct_requests: Mapped[bool] = mapped_column(default=True)  # False: mentees are matched by rounds only
    # Escalations to the coordinators (services.escalations): a pair with no meeting logged for this many
    # days, a mentor with a request unanswered this long, a mentee unmatched this long after enrolling.
    escalate_quiet_days: Mapped[int] = mapped_column(default=21, server_default="21")
    escalate_unanswered_days: Mapped[int] = mapped_column(default=7, server_default="7")
    escalate_unmatched_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # Whether coordinators may read a named participant's survey answers (else aggregates of 5 or more only).
    survey_answers_named: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="program", cascade="all, delete-orphan",
                                                          passive_deletes=True)
    coordinators: Mapped[list[User]] = relationship(secondary="program_coordinators", order_by="User.name")

    def is_open_to(self, role: str, on: date) -> bool:
        """Whether a signed-in person may enrol themselves in ``role`` on day ``on``."""
        if self.enrolment != Enrolment.OPEN:
            return False
        if self.enrol_opens_on and on < self.enrol_opens_on or self.enrol_closes_on and on > self.enrol_closes_on:
            return False
        return self.mentors_may_join if role == ProgramRole.MENTOR else self.mentees_may_join

    def __repr__(self) -> str:
        return f"<Program {self.id} {self.slug}>"


class Membership(db.Model):
    """A person's place in one program, on one side."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "program_id", name="uq_memberships_user_program"),
        CheckConstraint(_sql_in("role", ProgramRole), name="role"),
        CheckConstraint(_sql_in("status", MembershipStatus), name="status"),
        CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 10", name="capacity"),
        Index("ix_memberships_program_role_status", "program_id", "role", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=MembershipStatus.ACTIVE)
    capacity: Mapped[int | None]  # mentors: mentees at once in this program
    accepting_mentees: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    program: Mapped[Program] = relationship(back_populates="memberships")
    # Loaded when asked for (every page loads the memberships; few pages need their tags).
    tags: Mapped[list[MembershipTag]] = relationship(back_populates="membership", cascade="all, delete-orphan")

    @property
    def is_mentor(self) -> bool:
        return self.role == ProgramRole.MENTOR

    @property
    def is_mentee(self) -> bool:
        return self.role == ProgramRole.MENTEE

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    def is_complete(self) -> bool:
        """Whether this membership's own part is enough to match it: a mentee's goals, a mentor's capacity."""
        return bool(self.codes("goal")) if self.is_mentee else self.capacity is not None

    def codes(self, kind: str) -> list[str]:
        """The codes of one vocabulary on this membership (a mentee's goals, credentials sought), sorted."""
        return sorted(tag.code for tag in self.tags if tag.kind == kind)

    def replace_codes(self, kind: str, codes: Iterable[str]) -> None:
        """Make the codes of ``kind`` exactly ``codes``, keeping unchanged rows."""
        wanted = set(codes)
        self.tags = [t for t in self.tags if t.kind != kind or t.code in wanted] + [
            MembershipTag(kind=kind, code=code) for code in sorted(wanted - set(self.codes(kind)))]

    def __repr__(self) -> str:
        return f"<Membership {self.id} user={self.user_id} program={self.program_id} {self.role} {self.status}>"


class MembershipTag(db.Model):
    """A code a mentee seeks in one program: a career goal or a credential (TagKind.GOAL / CREDENTIAL_SOUGHT)."""

    __tablename__ = "membership_tags"
    __table_args__ = (Index("ix_membership_tags_kind_code", "kind", "code"),)

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)

    membership: Mapped[Membership] = relationship(back_populates="tags")


class ProgramCoordinator(db.Model):
    """An appointment: this person coordinates this program (made by a site administrator)."""

    __tablename__ = "program_coordinators"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
