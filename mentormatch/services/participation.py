"""What each of a person's memberships asks of them next (the home page), in a fixed number of queries.

The memberships and their programs come with the login (services.sessions);
one query loads their tags, one the open and active matches of the person in
every program at once; however many programs the person is in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, Match, MatchStatus, Membership, MembershipStatus, MembershipTag, Program, User,
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
    pairs: list[PairLine] = field(default_factory=list)  # active pairs in this program
    to_answer: int = 0  # pending matches that wait for this person's answer
    waiting: int = 0  # pending matches this person answered, waiting for the other side

    @property
    def program(self) -> Program:
        return self.membership.program

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


def _statements():
    """The two statements ``overview`` runs, built once: each request only binds its values (the ORM would
    otherwise rebuild and re-key them on every home page, several times what the database takes)."""
    user_id, other = bindparam("user_id"), aliased(User)
    tags = db.select(MembershipTag).where(MembershipTag.membership_id.in_(bindparam("membership_ids", expanding=True)))
    matches = (db.select(Match.id, Match.program_id, Match.mentee_id, Match.status, other.name, Agreement.id)
               .join(other, other.id == db.case((Match.mentee_id == user_id, Match.mentor_id), else_=Match.mentee_id))
               .outerjoin(Agreement, Agreement.match_id == Match.id)
               .where((Match.mentee_id == user_id) | (Match.mentor_id == user_id),
                      Match.status.in_([*PENDING, MatchStatus.ACTIVE]),
                      Match.program_id.in_(bindparam("program_ids", expanding=True)))
               .order_by(other.name, Match.id))
    return tags, matches


TAGS, OPEN_AND_ACTIVE = _statements()


def memberships_of(user: User) -> list[Membership]:
    """``user``'s memberships they have not left, by program name, with their tags (one query).

    The memberships and their programs came with the login (services.sessions).
    """
    mine = sorted((m for m in user.memberships if m.status != MembershipStatus.LEFT),
                  key=lambda m: (m.program.name, m.program.id))
    if mine:
        tags: dict[int, list[MembershipTag]] = {m.id: [] for m in mine}
        for tag in db.session.scalars(TAGS, {"membership_ids": list(tags)}):
            tags[tag.membership_id].append(tag)
        for membership in mine:  # so codes() and is_complete() ask nothing more
            set_committed_value(membership, "tags", tags[membership.id])
    return mine


def overview(user: User) -> list[MembershipSummary]:
    """Each membership of ``user`` (not left) with its pairs and what waits for an answer."""
    mine = memberships_of(user)
    summaries = {m.program_id: MembershipSummary(m) for m in mine}
    if not summaries:
        return []
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
