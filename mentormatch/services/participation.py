"""What each of a person's memberships asks of them next (the home page), in a fixed number of queries.

One query loads the memberships with their programs (their tags come with a
second), one the open and active matches of the person in every program at
once; however many programs the person is in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import aliased, contains_eager, selectinload

from mentormatch.extensions import db
from mentormatch.models import Agreement, Match, MatchStatus, Membership, MembershipStatus, Program, User
from mentormatch.models.match import PENDING


@dataclass
class PairLine:
    other_name: str
    match_id: int
    agreement_id: int | None


@dataclass
class MembershipSummary:
    """One membership with what it waits for."""

    membership: Membership
    program: Program
    pairs: list[PairLine] = field(default_factory=list)  # active pairs in this program
    to_answer: int = 0  # pending matches that wait for this person's answer
    waiting: int = 0  # pending matches this person answered, waiting for the other side

    @property
    def step(self) -> str:
        """The next thing to do, as a code the template words: see templates/main/home.html."""
        m = self.membership
        if m.status == MembershipStatus.APPLIED:
            return "applied"
        if m.status == MembershipStatus.PAUSED:
            return "paused"
        if not m.is_complete():
            return "complete_membership"
        if self.to_answer:
            return "answer"
        if m.is_mentee:
            if self.pairs:
                return "paired"
            if self.waiting:
                return "waiting"
            return "suggestions" if self.program.direct_requests else "wait_for_round"
        if self.pairs:
            return "mentoring"
        return "accepting" if m.accepting_mentees else "not_accepting"


def memberships_of(user: User) -> list[Membership]:
    """``user``'s memberships they have not left, with their programs (one query, and one for the tags)."""
    return list(db.session.scalars(
        db.select(Membership).join(Membership.program)
        .options(contains_eager(Membership.program), selectinload(Membership.tags))
        .where(Membership.user_id == user.id, Membership.status != MembershipStatus.LEFT)
        .order_by(Program.name, Program.id)))


def overview(user: User) -> list[MembershipSummary]:
    """Each membership of ``user`` (not left) with its pairs and what waits for an answer."""
    summaries = {m.program_id: MembershipSummary(m, m.program) for m in memberships_of(user)}
    if not summaries:
        return []
    other = aliased(User)
    rows = db.session.execute(
        db.select(Match.id, Match.program_id, Match.mentee_id, Match.status, other.name, Agreement.id)
        .join(other, other.id == db.case((Match.mentee_id == user.id, Match.mentor_id), else_=Match.mentee_id))
        .outerjoin(Agreement, Agreement.match_id == Match.id)
        .where((Match.mentee_id == user.id) | (Match.mentor_id == user.id),
               Match.status.in_([*PENDING, MatchStatus.ACTIVE]), Match.program_id.in_(summaries))
        .order_by(other.name, Match.id))
    for match_id, program_id, mentee_id, status, other_name, agreement_id in rows:
        summary = summaries[program_id]
        as_mentee = mentee_id == user.id
        if status == MatchStatus.ACTIVE:
            summary.pairs.append(PairLine(other_name, match_id, agreement_id))
        elif status == MatchStatus.PROPOSED or status == (
                MatchStatus.ACCEPTED_BY_MENTOR if as_mentee else MatchStatus.ACCEPTED_BY_MENTEE):
            summary.to_answer += 1
        else:
            summary.waiting += 1
    return list(summaries.values())
