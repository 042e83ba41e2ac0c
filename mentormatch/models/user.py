"""Accounts. What a person does in a program is their membership (models.program);
what they may run on the site is ``is_admin`` and their coordinator appointments."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db

if TYPE_CHECKING:
    from mentormatch.models.profile import Profile
    from mentormatch.models.program import Membership, Program


# The password hash of an account made by single sign-on or SCIM: matches no password
# (werkzeug reads it as no hash at all), so the account signs in only through its provider.
NO_PASSWORD = "!"


def utcnow() -> datetime:
    """Current time, timezone-aware; used as a callable column default."""
    return datetime.now(timezone.utc)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # An index rather than a table constraint: SQLite adds it without rebuilding the table.
    __table_args__ = (Index("ix_users_scim_provider_external_id", "scim_provider", "scim_external_id", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    # A site administrator creates programs and appoints their coordinators (flask create-admin).
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email_confirmed_at: Mapped[datetime | None]
    # Set when the person deleted their account: personal data is gone, the row
    # stays so the other party's history can show "Former participant".
    deleted_at: Mapped[datetime | None]
    # The newest password-set link (reset or invitation) names this; using it or any
    # credential change clears it, so every link works once and older links never.
    password_link_nonce: Mapped[str | None] = mapped_column(String(32))
    # Likewise for the pending change of email address (cancelled from the old address).
    email_change_nonce: Mapped[str | None] = mapped_column(String(32))
    # Set when an identity provider provisions the account over SCIM (models.identity).
    scim_provider: Mapped[str | None] = mapped_column(String(64))
    scim_external_id: Mapped[str | None] = mapped_column(String(255))

    profile: Mapped[Profile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True, order_by="Membership.id")
    coordinated_programs: Mapped[list[Program]] = relationship(
        secondary="program_coordinators", order_by="Program.name", viewonly=True)

    # The token of the session this object was loaded for (services.sessions); not a column.
    session_token = None

    @property
    def has_password(self) -> bool:
        """False for an account that signs in only through single sign-on."""
        return self.password_hash != NO_PASSWORD

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users.
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookies: this browser's session token, never the bare user id."""
        if not self.session_token:
            raise RuntimeError("log in through services.sessions.start_session")
        return self.session_token

    # UserMixin compares get_id(), a session token: one person is one person whatever the session.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def is_coordinator(self) -> bool:
        """Whether this person runs any program (administrators run every one)."""
        return self.is_admin or bool(self.coordinated_programs)

    def membership_in(self, program_id: int) -> Membership | None:
        """This person's membership in one program, if any."""
        return next((m for m in self.memberships if m.program_id == program_id), None)

    def coordinates(self, program_id: int) -> bool:
        """Whether this person may run ``program_id`` (appointed to it, or a site administrator)."""
        return self.is_admin or any(p.id == program_id for p in self.coordinated_programs)

    def __repr__(self) -> str:
        return f"<User {self.id}{' admin' if self.is_admin else ''}>"
