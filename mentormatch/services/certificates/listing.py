"""Who reads a certificate, and the lists: a holder's own, a program's issued, the pairs to certify."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import Agreement, AgreementStatus, CeCertificate, Match, Meeting, Program, User
from mentormatch.services.certificates.issuing import is_completed
from mentormatch.services.paging import Page, bounds

def readable_by(certificate: CeCertificate, user: User) -> bool:
    """Its holder and the coordinators of the program that issued it."""
    return (certificate.user_id is not None and certificate.user_id == user.id) or (
        certificate.program_id is not None and user.coordinates(certificate.program_id))


def certificates_of(user: User) -> list[CeCertificate]:
    """A participant's own certificates, newest first."""
    return list(db.session.scalars(db.select(CeCertificate).where(CeCertificate.user_id == user.id)
                                   .order_by(CeCertificate.issued_at.desc(), CeCertificate.id.desc())))


def certificates_page(program: Program, page: int, per_page: int) -> Page:
    """One page of the certificates the program issued, newest first (two queries)."""
    condition = CeCertificate.program_id == program.id
    total = db.session.scalar(db.select(func.count()).select_from(CeCertificate).where(condition))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(db.select(CeCertificate).where(condition)
                               .order_by(CeCertificate.issued_at.desc(), CeCertificate.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total)


def certificate_counts(agreement_ids: list[int]) -> dict[int, int]:
    """How many certificates each agreement has (one query)."""
    if not agreement_ids:
        return {}
    rows = db.session.execute(db.select(CeCertificate.agreement_id, func.count()).where(
        CeCertificate.agreement_id.in_(agreement_ids)).group_by(CeCertificate.agreement_id))
    return {agreement_id: count for agreement_id, count in rows}


@dataclass(frozen=True)
class PairToCertify:
    agreement: Agreement
    meeting_minutes: int
    certificates: int  # already issued on this agreement


def _pairs(agreements: list[Agreement]) -> list[PairToCertify]:
    ids = [a.id for a in agreements]
    minutes = dict(db.session.execute(db.select(Meeting.agreement_id, func.sum(Meeting.duration_minutes))
                                      .where(Meeting.agreement_id.in_(ids)).group_by(Meeting.agreement_id)).all()) \
        if ids else {}
    counts = certificate_counts(ids)
    return [PairToCertify(a, int(minutes.get(a.id) or 0), counts.get(a.id, 0)) for a in agreements]


def _program_agreements(program: Program):
    return (db.select(Agreement).join(Match, Agreement.match_id == Match.id).where(Match.program_id == program.id)
            .options(selectinload(Agreement.match).selectinload(Match.mentee),
                     selectinload(Agreement.match).selectinload(Match.mentor), selectinload(Agreement.versions)))


READY_SHOWN = 100


def completed_without_certificates(program: Program) -> list[PairToCertify]:
    """The program's completed mentorships that have no certificate yet, latest ended first (at most 100 looked at)."""
    issued = db.select(CeCertificate.id).where(CeCertificate.agreement_id == Agreement.id).exists()
    ended = db.session.scalars(_program_agreements(program).where(Agreement.status == AgreementStatus.ENDED, ~issued)
                               .order_by(Agreement.ended_at.desc(), Agreement.id.desc()).limit(READY_SHOWN)).all()
    return _pairs([a for a in ended if is_completed(a)])


def active_pairs_page(program: Program, page: int, per_page: int) -> Page:
    """One page of the program's active agreements (a past period of each can be certified), oldest first."""
    query = _program_agreements(program).where(Agreement.status == AgreementStatus.ACTIVE)
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery()))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(query.order_by(Agreement.created_at, Agreement.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(_pairs(list(items)), page, pages, total)


def agreement_in(program: Program, agreement_id: int) -> Agreement | None:
    """The agreement if it belongs to ``program`` (else None: a 404)."""
    agreement = db.session.get(Agreement, agreement_id)
    return agreement if agreement is not None and agreement.match.program_id == program.id else None
