"""The signature over what a certificate shows, its number, and the public verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from flask import current_app

from mentormatch.extensions import db
from mentormatch.models import CeCertificate
from mentormatch.services.certificates.policy import CENT

NUMBER_PREFIX = "MM"
# The HMAC key is derived from SECRET_KEY for this one use, so a signature made here means nothing elsewhere.
KEY_PURPOSE = b"mentormatch/ce-certificate/v1"


def utc_date(moment: datetime) -> date:
    """The UTC day of a stored time (SQLite hands it back without its zone, always UTC)."""
    return (moment.astimezone(timezone.utc) if moment.tzinfo else moment).date()


def _key() -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), KEY_PURPOSE, hashlib.sha256).digest()


def shown_fields(certificate: CeCertificate) -> dict[str, str]:
    """Every field the certificate shows, as text: what is signed and what verification displays."""
    return {"number": certificate.number, "participant_name": certificate.participant_name,
            "role": certificate.role, "activity_title": certificate.activity_title,
            "period_start": certificate.period_start.isoformat(), "period_end": certificate.period_end.isoformat(),
            "provider_name": certificate.provider_name,
            "contact_hours": f"{Decimal(certificate.contact_hours).quantize(CENT)}",
            "signer_name": certificate.signer_name, "signer_title": certificate.signer_title,
            "issued_on": utc_date(certificate.issued_at).isoformat()}


def signature_of(certificate: CeCertificate) -> str:
    """HMAC-SHA256 (hex) of the canonical JSON of ``shown_fields``."""
    canonical = json.dumps(shown_fields(certificate), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(_key(), canonical.encode(), hashlib.sha256).hexdigest()


def new_number(year: int) -> str:
    """"MM-2026-K3QZ7PXA": 40 random bits in base32 (no 0/1/8/9 to misread), unused so far."""
    while True:
        number = f"{NUMBER_PREFIX}-{year}-{base64.b32encode(secrets.token_bytes(5)).decode()}"
        if db.session.scalar(db.select(CeCertificate.id).where(CeCertificate.number == number)) is None:
            return number



def normalise_number(number: str) -> str:
    return "".join((number or "").split()).upper()[:32]


def by_number(number: str) -> CeCertificate | None:
    return db.session.scalar(db.select(CeCertificate).where(CeCertificate.number == normalise_number(number)))


def is_genuine(certificate: CeCertificate) -> bool:
    """Whether the row still carries exactly what was signed when it was issued."""
    return hmac.compare_digest(certificate.signature or "", signature_of(certificate))


@dataclass(frozen=True)
class Verification:
    found: bool
    valid: bool
    fields: dict[str, str] | None  # only when valid: what the certificate shows, nothing else


def verify(number: str) -> Verification:
    """The public check of a certificate number: unknown, altered (does not verify), or valid with its fields."""
    certificate = by_number(number)
    if certificate is None:
        return Verification(False, False, None)
    if not is_genuine(certificate):
        return Verification(True, False, None)
    return Verification(True, True, shown_fields(certificate))
