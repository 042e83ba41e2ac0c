"""What each of a person's memberships asks of them next (the home page), in a fixed number of queries.

The memberships and their programs come with the login (services.sessions);
one query tells which memberships have goals, one loads the open and active
matches of the person in every program at once; however many programs the
person is in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased, contains_eager, selectinload

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, Match, MatchStatus, Membership, MembershipStatus, MembershipTag, Program, TagKind, User,
)
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
    has_goals: bool = False  # a mentee has chosen the goals they seek here

    @property
    def step(self) -> str:
        """The next thing to do, as a code the template words: see templates/main/home.html."""
        m = self.membership
        if m.status == MembershipStatus.APPLIED:
            return "applied"
        if m.status == MembershipStatus.PAUSED:
            return "paused"
        if not (self.has_goals if m.is_mentee else m.capacity is not None):  # Membership.is_complete, from rows
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


def _statements():
    """The two statements ``overview`` runs, built once: each request only binds its values (the ORM would
    otherwise rebuild and re-key them on every home page, several times what the database takes)."""
    user_id, other = bindparam("user_id"), aliased(User)
    goals = (db.select(MembershipTag.membership_id).distinct()
             .where(MembershipTag.membership_id.in_(bindparam("membership_ids", expanding=True)),
                    MembershipTag.kind == TagKind.GOAL))
    matches = (db.select(Match.id, Match.program_id, Match.mentee_id, Match.status, other.name, Agreement.id)
               .join(other, other.id == db.case((Match.mentee_id == user_id, Match.mentor_id), else_=Match.mentee_id))
               .outerjoin(Agreement, Agreement.match_id == Match.id)
               .where((Match.mentee_id == user_id) | (Match.mentor_id == user_id),
                      Match.status.in_([*PENDING, MatchStatus.ACTIVE]),
                      Match.program_id.in_(bindparam("program_ids", expanding=True)))
               .order_by(other.name, Match.id))
    return goals, matches


WITH_GOALS, OPEN_AND_ACTIVE = _statements()


def overview(user: User) -> list[MembershipSummary]:
    """Each membership of ``user`` (not left) with its pairs and what waits for an answer."""
    # The login loaded the memberships with their programs; of the tags only "has goals" matters here.
    mine = sorted((m for m in user.memberships if m.status != MembershipStatus.LEFT),
                  key=lambda m: (m.program.name, m.program.id))
    summaries = {m.program_id: MembershipSummary(m, m.program) for m in mine}
    if not summaries:
        return []
    with_goals = set(db.session.scalars(WITH_GOALS, {"membership_ids": [m.id for m in mine]}))
    for summary in summaries.values():
        summary.has_goals = summary.membership.id in with_goals
    rows = db.session.execute(OPEN_AND_ACTIVE, {"user_id": user.id, "program_ids": list(summaries)})
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
