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

from sqlalchemy import func, or_
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from mentormatch.domain import FREQUENCY_DAYS
from mentormatch.extensions import db
from mentormatch.models import Agreement, AgreementVersion, Match, MatchStatus, Meeting, User
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
    agreement: Agreement
    other: User
    terms: AgreementVersion | None
    waiting_for_me: bool  # a proposal from the other side awaits my confirmation
    cadence: Cadence | None


def pairs_of(user: User, on: date | None = None) -> list[PairSummary]:
    """The user's active pairs with their terms and cadence, in three queries whatever their number."""
    found = db.session.scalars(
        db.select(Agreement).join(Agreement.match)
        .where(Match.status == MatchStatus.ACTIVE, or_(Match.mentee_id == user.id, Match.mentor_id == user.id))
        # Both people in the same statement (one row each); versions are a list, so a second.
        .options(contains_eager(Agreement.match).joinedload(Match.mentee),
                 contains_eager(Agreement.match).joinedload(Match.mentor),
                 selectinload(Agreement.versions))
        .order_by(Match.created_at)).unique().all()
    last = last_meetings([a.id for a in found])
    pairs = []
    for agreement in found:
        terms, waiting = agreement.current_terms, agreement.pending_terms
        cadence = (cadence_of(terms.frequency, terms.start_date, last.get(agreement.id), on)
                   if terms is not None and not agreement.is_ended else None)
        other = agreement.match.mentor if agreement.match.mentee_id == user.id else agreement.match.mentee
        pairs.append(PairSummary(agreement, other, terms,
                                 waiting is not None and waiting.proposed_by_id != user.id, cadence))
    return pairs
