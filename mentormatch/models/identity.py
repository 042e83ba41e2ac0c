"""How people sign in without a MentorMatch password, and how an identity provider provisions them.

``UserIdentity``: one row per account at an OpenID Connect provider (the
provider's name from the configuration and the ID token's ``sub``), made at
the first single sign-on; later sign-ins find the account by it, whatever
the email says then.

``ScimToken``: a bearer token an identity provider (Entra ID, Okta) presents
to ``/scim/v2``. Only its SHA-256 is kept, so a copy of the database
provisions nobody. An account the provider created or took over carries the
provider's name and its ``externalId`` (``users.scim_provider``,
``users.scim_external_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class UserIdentity(db.Model):
    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254))  # the verified address at the last sign-in
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScimToken(db.Model):
    __tablename__ = "scim_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
