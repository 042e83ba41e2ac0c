"""Accounts and what each role may do."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db

if TYPE_CHECKING:
    from mentormatch.models.profile import Profile


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


class Permission(StrEnum):
    HAVE_PROFILE = "have_profile"
    SEEK_MENTOR = "seek_mentor"
    MENTOR_OTHERS = "mentor_others"
    COORDINATE = "coordinate"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MENTEE: frozenset({Permission.HAVE_PROFILE, Permission.SEEK_MENTOR}),
    Role.MENTOR: frozenset({Permission.HAVE_PROFILE, Permission.MENTOR_OTHERS}),
    Role.COORDINATOR: frozenset({Permission.COORDINATE}),
}


def utcnow() -> datetime:
    """Current time, timezone-aware; used as a callable column default."""
    return datetime.now(timezone.utc)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('mentee', 'mentor', 'coordinator')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email_confirmed_at: Mapped[datetime | None]
    # Set when the person deleted their account: personal data is gone, the row
    # stays so the other party's history can show "Former participant".
    deleted_at: Mapped[datetime | None]

    profile: Mapped[Profile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users.
        return self.active

    def can(self, permission: Permission) -> bool:
        """Whether this user's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS[Role(self.role)]

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
