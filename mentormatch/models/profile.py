"""What a participant tells the program about themselves."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

if TYPE_CHECKING:
    from mentormatch.models.user import User


class TagKind(StrEnum):
    """Which vocabulary a profile tag comes from (see mentormatch.domain)."""

    SPECIALTY = "specialty"
    CREDENTIAL = "credential"  # held
    GOAL = "goal"  # on a profile: a goal this person can help others with; on a membership: a goal sought
    CREDENTIAL_SOUGHT = "credential_sought"  # on a mentee's membership


class Profile(db.Model):
    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint("years_experience BETWEEN 0 AND 60", name="years_experience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    job_title: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160))
    years_experience: Mapped[int]
    time_zone: Mapped[str] = mapped_column(String(64))
    meeting_mode: Mapped[str] = mapped_column(String(16))
    meeting_frequency: Mapped[str] = mapped_column(String(16))
    shift: Mapped[str] = mapped_column(String(16))
    bio: Mapped[str] = mapped_column(Text, default="")
    hopes: Mapped[str] = mapped_column(Text, default="")  # as a mentee: what they hope to get
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
    tags: Mapped[list[ProfileTag]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin"
    )

    def codes(self, kind: TagKind) -> list[str]:
        """The codes of one vocabulary on this profile, sorted."""
        return sorted(tag.code for tag in self.tags if tag.kind == kind)

    def replace_codes(self, kind: TagKind, codes: Iterable[str]) -> None:
        """Make the codes of ``kind`` exactly ``codes``, keeping unchanged rows."""
        wanted = set(codes)
        self.tags = [t for t in self.tags if t.kind != kind or t.code in wanted] + [
            ProfileTag(kind=kind, code=code)
            for code in sorted(wanted - set(self.codes(kind)))
        ]

    @property
    def is_complete(self) -> bool:
        """Whether the person-level part is enough to match them (a membership adds its own part)."""
        return bool(self.codes(TagKind.SPECIALTY))


class ProfileTag(db.Model):
    """One code from a fixed vocabulary on a profile (e.g. specialty 'hematology')."""

    __tablename__ = "profile_tags"
    __table_args__ = (Index("ix_profile_tags_kind_code", "kind", "code"),)

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)

    profile: Mapped[Profile] = relationship(back_populates="tags")
