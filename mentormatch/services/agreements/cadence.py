"""Cadence: when a pair's next meeting is due, and whether they keep the pace.

The rule, for an agreement with confirmed terms:

    base      = the later of the start date and the last meeting's date
                (the start date when no meeting is logged yet)
    due       = base + FREQUENCY_DAYS[frequency]   (7, 14, 30 or 60 days)
    window    = FREQUENCY_DAYS[frequency] // 4     (1, 3, 7 or 15 days)

    overdue   when today >  due
    due soon  when due - window <= today <= due    (the due day itself is "due soon")
    on track  when today <  due - window

Taking the later of start and last meeting means a renegotiated later start
date resets the clock instead of reporting the pair overdue at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, bindparam, case, func, or_
from sqlalchemy.orm import aliased

from mentormatch.domain import FREQUENCY_DAYS
from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementStatus, AgreementVersion, Match, MatchStatus, Meeting, User, VersionStatus,
)
from mentormatch.services.agreements.access import today

ON_TRACK, DUE_SOON, OVERDUE = "on_track", "due_soon", "overdue"
LABELS = {ON_TRACK: "On track", DUE_SOON: "Due soon", OVERDUE: "Overdue"}


@dataclass(frozen=True)
class Cadence:
    state: str  # ON_TRACK, DUE_SOON or OVERDUE
    due: date
    days_left: int  # negative once overdue
    last_meeting: date | None

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def sentence(self) -> str:
        """A human summary, e.g. "Next meeting due in 3 days (12 Mar 2027)"."""
        when = self.due.strftime("%d %b %Y")
        if self.days_left < 0:
            late = -self.days_left
            return f"Next meeting was due {late} day{'s' if late != 1 else ''} ago ({when})"
        if self.days_left == 0:
            return f"Next meeting is due today ({when})"
        return f"Next meeting due in {self.days_left} day{'s' if self.days_left != 1 else ''} ({when})"


def due_soon_window(frequency: str) -> int:
    """How many days before the due date a pair counts as "due soon"."""
    return FREQUENCY_DAYS[frequency] // 4


def cadence_of(frequency: str, start: date, last_meeting: date | None, on: date | None = None) -> Cadence:
    """Apply the module's rule; ``on`` is today unless a test says otherwise."""
    on = on or today()
    base = max(start, last_meeting) if last_meeting else start
    due = base + timedelta(days=FREQUENCY_DAYS[frequency])
    left = (due - on).days
    state = OVERDUE if left < 0 else DUE_SOON if left <= due_soon_window(frequency) else ON_TRACK
    return Cadence(state, due, left, last_meeting)


def last_meetings(agreement_ids: list[int]) -> dict[int, date]:
    """Each agreement's latest meeting date, in one query."""
    if not agreement_ids:
        return {}
    rows = db.session.execute(db.select(Meeting.agreement_id, func.max(Meeting.held_on))
                              .where(Meeting.agreement_id.in_(agreement_ids)).group_by(Meeting.agreement_id))
    return {agreement_id: held_on for agreement_id, held_on in rows}


def cadence_for(agreement: Agreement, on: date | None = None) -> Cadence | None:
    """The agreement's cadence, or None while it has no confirmed terms or has ended."""
    terms = agreement.current_terms
    if terms is None or agreement.is_ended:
        return None
    return cadence_of(terms.frequency, terms.start_date, last_meetings([agreement.id]).get(agreement.id), on)


@dataclass(frozen=True)
class PairSummary:
    """One row of a participant's "your mentees / your mentoring" table, as plain values."""

    agreement_id: int
    program_id: int
    other_name: str
    frequency: str | None  # of the current terms; None until terms are confirmed
    mode: str | None
    waiting_for_me: bool  # a proposal from the other side awaits my confirmation
    cadence: Cadence | None


def _pairs_select():
    """Active pairs of ``:user_id``: the other person's name, current terms, a waiting proposal, last meeting.

    Built once: every request runs the same statement with its own ``user_id``,
    so SQLAlchemy neither rebuilds it nor recomputes its cache key. The
    correlated subqueries stay per agreement, whatever the size of the program.
    """
    user_id = bindparam("user_id")
    version, terms, other = aliased(AgreementVersion), aliased(AgreementVersion), aliased(User)
    current_number = (db.select(func.max(version.number))  # the latest confirmed version is the current terms
                      .where(version.agreement_id == Agreement.id, version.status == VersionStatus.CONFIRMED)
                      .scalar_subquery())
    # At most one proposal is pending (a new one supersedes it); a proposer whose account is gone is "the other side".
    waiting = (db.select(version.id)
               .where(version.agreement_id == Agreement.id, version.status == VersionStatus.PENDING,
                      or_(version.proposed_by_id.is_(None), version.proposed_by_id != user_id))
               .exists())
    last_meeting = (db.select(func.max(Meeting.held_on)).where(Meeting.agreement_id == Agreement.id)
                    .scalar_subquery())
    return (db.select(Agreement.id, Match.program_id, Agreement.status, other.name, terms.frequency, terms.mode,
                      terms.start_date, waiting, last_meeting)
            .join(Match, Match.id == Agreement.match_id)
            .join(other, other.id == case((Match.mentee_id == user_id, Match.mentor_id), else_=Match.mentee_id))
            .outerjoin(terms, and_(terms.agreement_id == Agreement.id, terms.number == current_number))
            .where(Match.status == MatchStatus.ACTIVE, or_(Match.mentee_id == user_id, Match.mentor_id == user_id))
            .order_by(Match.created_at, Match.id))


PAIRS = _pairs_select()


def pairs_of(user: User, on: date | None = None, program_id: int | None = None) -> list[PairSummary]:
    """The user's active pairs (in one program, or in all when None) with their terms and cadence,
    in one query whatever their number."""
    pairs = []
    for (agreement_id, pair_program, status, other_name, frequency, mode, start, waiting,
         last_meeting) in db.session.execute(PAIRS, {"user_id": user.id}):
        if program_id is not None and pair_program != program_id:
            continue
        cadence = (cadence_of(frequency, start, last_meeting, on)
                   if frequency is not None and status != AgreementStatus.ENDED else None)
        pairs.append(PairSummary(agreement_id, pair_program, other_name, frequency, mode, bool(waiting), cadence))
    return pairs
