"""A program's CE policy: who awards the contact hours, how many, the cap, who signs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mentormatch.extensions import db
from mentormatch.models import CePolicy, Program, User
from mentormatch.models.user import utcnow
from mentormatch.services.console.audit import record
from mentormatch.services.transactions import lock, transaction

CENT = Decimal("0.01")
MAX_HOURS = Decimal("999.99")  # Numeric(5, 2)
LIMITS = {"provider_name": 160, "activity_title": 200, "signer_name": 120, "signer_title": 120}


class CertificateError(ValueError):
    """The policy or the issuing is refused; the message says why."""


@dataclass(frozen=True)
class PolicyInput:
    provider_name: str
    activity_title: str
    hours_per_mentorship: Decimal
    hours_per_meeting_hour: Decimal
    max_hours: Decimal
    signer_name: str
    signer_title: str


def hours_text(hours: Decimal | None) -> str:
    """Contact hours as people write them: "12", "1.5", "0.25"."""
    if hours is None:
        return ""
    text = f"{Decimal(hours).quantize(CENT)}"
    return text.rstrip("0").rstrip(".") if "." in text else text



def policy_of(program: Program | int) -> CePolicy | None:
    """The program's CE policy, if its coordinators have set one."""
    return db.session.get(CePolicy, getattr(program, "id", program))


def _hours(value, label: str) -> Decimal:
    try:
        hours = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise CertificateError(f"{label}: enter a number of hours.") from None
    if not hours.is_finite():
        raise CertificateError(f"{label}: enter a number of hours.")
    if hours < 0:
        raise CertificateError(f"{label} cannot be negative.")
    if hours > MAX_HOURS:
        raise CertificateError(f"{label} is at most {hours_text(MAX_HOURS)}.")
    return hours.quantize(CENT, rounding=ROUND_HALF_UP)


def _policy_fields(policy: CePolicy) -> dict:
    return {"provider_name": policy.provider_name, "activity_title": policy.activity_title,
            "hours_per_mentorship": hours_text(policy.hours_per_mentorship),
            "hours_per_meeting_hour": hours_text(policy.hours_per_meeting_hour),
            "max_hours": hours_text(policy.max_hours), "signer_name": policy.signer_name,
            "signer_title": policy.signer_title}


def save_policy(program: Program, coordinator: User, data: PolicyInput) -> CePolicy:
    """A coordinator of ``program`` sets how its CE contact hours are awarded and who signs (audited)."""
    if not coordinator.coordinates(program.id):
        raise CertificateError("Only a coordinator of this program can set its CE policy.")
    texts = {name: " ".join(str(getattr(data, name) or "").split()) for name in LIMITS}
    labels = {"provider_name": "The provider", "activity_title": "The activity title",
              "signer_name": "The signer's name", "signer_title": "The signer's title"}
    for name, limit in LIMITS.items():
        if not texts[name]:
            raise CertificateError(f"{labels[name]} is required.")
        if len(texts[name]) > limit:
            raise CertificateError(f"{labels[name]} is limited to {limit} characters.")
    per_mentorship = _hours(data.hours_per_mentorship, "Hours per completed mentorship")
    per_meeting_hour = _hours(data.hours_per_meeting_hour, "Hours per meeting hour")
    cap = _hours(data.max_hours, "The cap")
    if cap <= 0:
        raise CertificateError("The cap on contact hours per certificate must be more than zero.")
    if per_mentorship <= 0 and per_meeting_hour <= 0:
        raise CertificateError("Award hours per completed mentorship, per meeting hour, or both.")
    with transaction():
        lock(program)
        policy = policy_of(program)
        before = _policy_fields(policy) if policy is not None else {}
        fields = {**texts, "hours_per_mentorship": per_mentorship, "hours_per_meeting_hour": per_meeting_hour,
                  "max_hours": cap, "updated_by_id": coordinator.id, "updated_at": utcnow()}
        if policy is None:
            policy = CePolicy(program_id=program.id, **fields)
            db.session.add(policy)
        else:
            for name, value in fields.items():
                setattr(policy, name, value)
        record(coordinator, "ce_policy_saved", f"CE policy of {program.name} saved: {texts['provider_name']}, "
                                               f"up to {hours_text(cap)} contact hours a certificate",
               target=program, program=program, before=before, after=_policy_fields(policy))
    return policy
