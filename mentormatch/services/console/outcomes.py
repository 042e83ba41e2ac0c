"""Career outcomes of one program for its coordinators: credentials earned during it, exam goals reached,
and the participants' credentials and licences that expire soon.

"Earned during the program": a credential (``CredentialRecord`` kind
"credential") whose date earned falls between the day the person's membership
began and today, for members who are in the program or were (every status
but "applied"). "Expiring soon": a credential or licence of a current
participant (active or paused, account active) whose expiry date is today or
in the next ``EXPIRY_DAYS`` days. Every figure and page here is a fixed
number of queries, whatever the program's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func

from mentormatch.extensions import db
from mentormatch.models import CredentialRecord, ExamPlan, Membership, MembershipStatus, Program, User
from mentormatch.services.agreements.access import today
from mentormatch.services.credentials import CREDENTIAL, label
from mentormatch.services.paging import Page, bounds

EXPIRY_DAYS = 90


@dataclass(frozen=True)
class Outcomes:
    earned: int  # credentials earned during the program
    goals_reached: int  # exam plans reached (the credential is held)
    goals: int  # exam plans made in the program
    expiring: int  # participants' credentials and licences expiring in the next EXPIRY_DAYS days


@dataclass(frozen=True)
class Row:
    """One line of the lists: whose record, on which side of the program, and the record."""

    user: User
    role: str
    record: CredentialRecord

    @property
    def name(self) -> str:
        """The credential's name, or "State licence: <state>"."""
        found = label(self.record.kind, self.record.code)
        return found if self.record.kind == CREDENTIAL else f"State licence: {found}"


def _earned(program: Program, on: date):
    return (Membership.program_id == program.id, Membership.status != MembershipStatus.APPLIED,
            User.deleted_at.is_(None), CredentialRecord.kind == CREDENTIAL, CredentialRecord.earned_on.is_not(None),
            CredentialRecord.earned_on >= func.date(Membership.created_at), CredentialRecord.earned_on <= on)


def _expiring(program: Program, on: date):
    return (Membership.program_id == program.id,
            Membership.status.in_((MembershipStatus.ACTIVE, MembershipStatus.PAUSED)),
            User.active.is_(True), User.deleted_at.is_(None),
            CredentialRecord.expires_on >= on, CredentialRecord.expires_on <= on + timedelta(days=EXPIRY_DAYS))


def _records():
    return (db.select(CredentialRecord, User, Membership.role)
            .join(Membership, Membership.user_id == CredentialRecord.user_id)
            .join(User, User.id == CredentialRecord.user_id))


def outcomes(program: Program, on: date | None = None) -> Outcomes:
    """The dashboard's figures (two queries)."""
    on = on or today()
    earned, expiring = db.session.execute(
        db.select(func.coalesce(func.sum(case((and_(*_earned(program, on)), 1), else_=0)), 0),
                  func.coalesce(func.sum(case((and_(*_expiring(program, on)), 1), else_=0)), 0))
        .select_from(CredentialRecord).join(Membership, Membership.user_id == CredentialRecord.user_id)
        .join(User, User.id == CredentialRecord.user_id).where(Membership.program_id == program.id)).one()
    goals, reached = db.session.execute(
        db.select(func.count(ExamPlan.id), func.count(ExamPlan.reached_on))
        .join(Membership, Membership.id == ExamPlan.membership_id)
        .where(Membership.program_id == program.id)).one()
    return Outcomes(earned=int(earned), goals_reached=int(reached), goals=int(goals), expiring=int(expiring))


def _page(conditions, order, page: int, per_page: int) -> Page:
    base = _records().where(*conditions)
    total = db.session.scalar(db.select(func.count()).select_from(base.subquery()))
    page, pages = bounds(total, page, per_page)
    rows = db.session.execute(base.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return Page([Row(user, role, record) for record, user, role in rows], page, pages, total)


def earned_during(program: Program, page: int, per_page: int, on: date | None = None) -> Page:
    """Credentials earned during ``program``, the latest first (two queries)."""
    return _page(_earned(program, on or today()),
                 (CredentialRecord.earned_on.desc(), func.lower(User.name), CredentialRecord.id), page, per_page)


def expiring_soon(program: Program, page: int, per_page: int, on: date | None = None) -> Page:
    """Participants' credentials and licences expiring in the next EXPIRY_DAYS days, the soonest first."""
    return _page(_expiring(program, on or today()),
                 (CredentialRecord.expires_on, func.lower(User.name), CredentialRecord.id), page, per_page)
