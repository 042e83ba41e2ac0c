"""A person's credentials and licences with their dates, a mentee's exam plans, and CE certificates.

``CredentialRecord``: one row per credential or state licence a person holds,
with the date earned and, where it applies, when it must be renewed (ASCP's
Credential Maintenance Program cycle, a state licence's renewal). The codes
are ``domain.CREDENTIALS`` (``kind`` "credential") or ``domain.STATE_LICENCES``
(``kind`` "licence").

``ExamPlan``: a mentee's certification goal in a program made concrete:
the credential and category aimed at, the eligibility route, the planned
exam date and the result. It is ``reached_on`` once the credential is
recorded as held.

``CePolicy``: per program, how continuing-education contact hours are
awarded and who signs the certificates. ``CeCertificate``: one issued
certificate. Every field it shows is copied into its row when it is issued,
and nothing changes a certificate afterwards (on PostgreSQL a trigger
refuses UPDATE and DELETE); its ``signature`` is an HMAC of those fields,
so the public verification page can tell an altered number or record.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class CredentialRecord(db.Model):
    __tablename__ = "credential_records"
    __table_args__ = (UniqueConstraint("user_id", "kind", "code"), Index("ix_credential_records_expires_on",
                                                                         "expires_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "credential" or "licence"
    code: Mapped[str] = mapped_column(String(40))
    earned_on: Mapped[date | None]
    expires_on: Mapped[date | None]  # the end of the maintenance cycle, or the licence's renewal date
    licence_number: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExamPlan(db.Model):
    __tablename__ = "exam_plans"
    __table_args__ = (UniqueConstraint("membership_id", "credential"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    credential: Mapped[str] = mapped_column(String(40))  # a domain.CREDENTIALS code
    category: Mapped[str] = mapped_column(String(80), default="")  # e.g. "Technologist in Blood Banking"
    eligibility_route: Mapped[str] = mapped_column(String(120), default="")
    planned_on: Mapped[date | None]
    result: Mapped[str] = mapped_column(String(16), default="planned")  # planned, passed, not_passed, withdrawn
    result_on: Mapped[date | None]
    reached_on: Mapped[date | None]  # the credential was recorded as held: the goal is closed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CePolicy(db.Model):
    __tablename__ = "ce_policies"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    provider_name: Mapped[str] = mapped_column(String(160))  # the employer or society that awards the hours
    activity_title: Mapped[str] = mapped_column(String(200))
    hours_per_mentorship: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    hours_per_meeting_hour: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    max_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # the cap per certificate
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_title: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CeCertificate(db.Model):
    __tablename__ = "ce_certificates"
    __table_args__ = (Index("ix_ce_certificates_program_issued_at", "program_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # What the certificate shows, copied when issued.
    participant_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # mentee or mentor
    activity_title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    provider_name: Mapped[str] = mapped_column(String(160))
    contact_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_title: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signature: Mapped[str] = mapped_column(String(128))  # HMAC-SHA256 of the fields above, hex
