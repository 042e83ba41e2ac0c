"""What an agreement earns (completed, or a past period), and issuing the certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func

from mentormatch.extensions import db
from mentormatch.models import Agreement, AgreementStatus, CeCertificate, CePolicy, Meeting, User
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import today
from mentormatch.services.certificates.policy import CENT, CertificateError, hours_text, policy_of
from mentormatch.services.certificates.signing import utc_date, new_number, signature_of
from mentormatch.services.console.audit import record
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.transactions import lock, transaction

COMPLETED_REASON = "goals_achieved"
ROLES = (("mentee", "Mentee"), ("mentor", "Mentor"))


def is_completed(agreement: Agreement) -> bool:
    """Ended, and the pair completed it: goals achieved, or ended on or after the agreed end date."""
    if agreement.status != AgreementStatus.ENDED or agreement.ended_at is None:
        return False
    if agreement.end_reason == COMPLETED_REASON:
        return True
    terms = agreement.current_terms
    return terms is not None and utc_date(agreement.ended_at) >= terms.end_date


def began_on(agreement: Agreement) -> date:
    """The mentorship's first day on any record: created, agreed start, or first meeting (a kick-off may come first)."""
    days = [utc_date(agreement.created_at)]
    if agreement.current_terms is not None:
        days.append(agreement.current_terms.start_date)
    first = db.session.scalar(db.select(func.min(Meeting.held_on)).where(Meeting.agreement_id == agreement.id))
    if first is not None:
        days.append(first)
    return min(days)


@dataclass(frozen=True)
class Award:
    """What one of the pair would get: their hours and period, or why not (``refusal``)."""

    user: User
    role: str
    period_start: date
    period_end: date
    meeting_minutes: int
    hours: Decimal
    refusal: str = ""

    @property
    def qualifies(self) -> bool:
        return not self.refusal


@dataclass(frozen=True)
class Plan:
    agreement: Agreement
    policy: CePolicy
    completion: bool  # a completed mentorship (else a period of an active one)
    awards: list[Award]

    @property
    def qualifying(self) -> list[Award]:
        return [a for a in self.awards if a.qualifies]


def _meeting_minutes(agreement: Agreement, start: date, end: date) -> int:
    return int(db.session.scalar(db.select(func.coalesce(func.sum(Meeting.duration_minutes), 0)).where(
        Meeting.agreement_id == agreement.id, Meeting.held_on >= start, Meeting.held_on <= end)) or 0)


def _existing(agreement: Agreement, user: User) -> list[CeCertificate]:
    return list(db.session.scalars(db.select(CeCertificate).where(
        CeCertificate.agreement_id == agreement.id, CeCertificate.user_id == user.id)
        .order_by(CeCertificate.period_end)))


def contact_hours(policy: CePolicy, meeting_minutes: int, completion: bool) -> Decimal:
    """The policy's hours for ``meeting_minutes`` of meetings (and a completed mentorship), capped."""
    hours = Decimal(policy.hours_per_meeting_hour) * Decimal(meeting_minutes) / Decimal(60)
    if completion:
        hours += Decimal(policy.hours_per_mentorship)
    return min(hours, Decimal(policy.max_hours)).quantize(CENT, rounding=ROUND_HALF_UP)


def plan_certificates(agreement: Agreement, coordinator: User, period: tuple[date, date] | None = None,
                      on: date | None = None) -> Plan:
    """What issuing would give each of the pair, without issuing; refuses what cannot be issued at all.

    ``period`` None: the completed mentorship. Else (first day, last day) of an active agreement, in the past.
    """
    program_id = agreement.match.program_id
    if not coordinator.coordinates(program_id):
        raise CertificateError("Only a coordinator of this pair's program can issue its certificates.")
    policy = policy_of(program_id)
    if policy is None:
        raise CertificateError("Set the program's CE policy first: the provider, the hours and who signs.")
    on = on or today()
    if period is None:
        if not is_completed(agreement):
            if agreement.status == AgreementStatus.ENDED:
                raise CertificateError("This agreement ended without being completed (its goals were not "
                                       "achieved and it ended before its agreed end date): it earns no "
                                       "completion certificate.")
            raise CertificateError("This mentorship is not completed yet. Certify a period of it that is "
                                   "over instead, or wait until it ends.")
        start, end = began_on(agreement), utc_date(agreement.ended_at)
        start = min(start, end)
    else:
        start, end = period
        if agreement.status != AgreementStatus.ACTIVE:
            raise CertificateError("A period is certified for an active agreement only; an ended one gets "
                                   "its certificate when it was completed.")
        if start > end:
            raise CertificateError("The period's first day must not be after its last day.")
        if end >= on:
            raise CertificateError("The period must be fully in the past: its last day must be before today.")
        if start < began_on(agreement):
            raise CertificateError(f"The period cannot start before the mentorship began "
                                   f"({began_on(agreement).strftime('%d %b %Y')}).")
    match = agreement.match
    awards = []
    for user, role in ((match.mentee, "mentee"), (match.mentor, "mentor")):
        own_start, refusal = start, ""
        issued = _existing(agreement, user)
        if period is None and issued:
            own_start = max(start, issued[-1].period_end + timedelta(days=1))
        overlapping = [c for c in issued if c.period_start <= end and c.period_end >= own_start]
        minutes = _meeting_minutes(agreement, own_start, end) if own_start <= end else 0
        hours = contact_hours(policy, minutes, period is None) if own_start <= end else Decimal("0.00")
        if user.deleted_at is not None:
            refusal = "The account was deleted."
        elif own_start > end or overlapping:
            refusal = "Already certified for these dates" + (
                f" ({', '.join(c.number for c in overlapping)})." if overlapping else ".")
        elif hours <= 0:
            refusal = "No contact hours: no meetings were logged in the period."
        awards.append(Award(user, role, own_start, end, minutes, hours, refusal))
    return Plan(agreement, policy, period is None, awards)



def issue_certificates(agreement: Agreement, coordinator: User, period: tuple[date, date] | None = None,
                       on: date | None = None) -> list[CeCertificate]:
    """Issue a signed certificate to each of the pair who qualifies; refuses when nobody does.

    Each is audited ("ce_certificate_issued") and its holder told, in the app and by email.
    """
    with transaction():
        lock(agreement)  # two coordinators issuing at once: the second sees the first's certificates
        plan = plan_certificates(agreement, coordinator, period, on)
        if not plan.qualifying:
            reasons = "; ".join(f"{a.user.name if not a.user.deleted_at else 'Former participant'}: "
                                f"{a.refusal}" for a in plan.awards)
            raise CertificateError(f"Nobody qualifies for a certificate, so none was issued. {reasons}")
        policy, issued_at = plan.policy, utcnow().replace(microsecond=0)
        issued = []
        for award in plan.qualifying:
            certificate = CeCertificate(
                number=new_number(issued_at.year), program_id=agreement.match.program_id,
                agreement_id=agreement.id, user_id=award.user.id, participant_name=award.user.name,
                role=award.role, activity_title=policy.activity_title, period_start=award.period_start,
                period_end=award.period_end, provider_name=policy.provider_name, contact_hours=award.hours,
                signer_name=policy.signer_name, signer_title=policy.signer_title, issued_at=issued_at,
                issued_by_id=coordinator.id)
            certificate.signature = signature_of(certificate)
            db.session.add(certificate)
            db.session.flush()
            record(coordinator, "ce_certificate_issued",
                   f"CE certificate {certificate.number} issued to {award.user.name}: "
                   f"{hours_text(award.hours)} contact hours", target=certificate,
                   program=agreement.match.program_id,
                   after={"number": certificate.number, "user_id": award.user.id, "agreement_id": agreement.id,
                          "role": award.role, "contact_hours": hours_text(award.hours),
                          "period": [award.period_start.isoformat(), award.period_end.isoformat()]})
            notify(award.user, Kind.AGREEMENT,
                   f"Your continuing-education certificate {certificate.number} is ready: "
                   f"{hours_text(award.hours)} contact hours for \u201c{policy.activity_title}\u201d, "
                   f"from {policy.provider_name}.", agreement.match_id, path="/certificates/")
            issued.append(certificate)
    return issued
