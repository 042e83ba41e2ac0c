"""What each of a person's memberships asks of them next (the home page), in a fixed number of queries.

The memberships and their programs come with the login (services.sessions).
Then, however many programs, matches, messages and meetings the person has:
one query loads the memberships' tags, one the open and active matches of the
person in every program at once, one the pairs' terms and cadence
(agreements.pairs_of), one their unread messages, one their next meetings and,
for mentees who may ask a mentor, one counts the mentors free for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, Match, MatchOrigin, MatchStatus, Membership, MembershipStatus, MembershipTag, Profile, ProfileTag,
    Program, ProgramRole, TagKind, User,
)
from mentormatch.models.match import PENDING
from mentormatch.services.accounts import must_confirm
from mentormatch.services.agreements import PairSummary, pairs_of
from mentormatch.services.agreements.schedule import upcoming_for
from mentormatch.services.matches import reasons_for
from mentormatch.services.messages import unread_counts

SHOWN = 5  # open matches listed per membership and kind; "My matches" has the rest


@dataclass(frozen=True)
class OpenMatch:
    """A pending match of the person, as plain values."""

    match_id: int
    other_name: str
    status: str
    origin: str
    as_mentee: bool
    created_at: datetime
    expires_at: datetime | None

    @property
    def awaits_me(self) -> bool:
        mine = MatchStatus.ACCEPTED_BY_MENTOR if self.as_mentee else MatchStatus.ACCEPTED_BY_MENTEE
        return self.status in (MatchStatus.PROPOSED, mine)

    @property
    def can_withdraw(self) -> bool:
        """Only the mentee who asked withdraws (services.matches.withdraw)."""
        return self.as_mentee and self.origin == MatchOrigin.REQUEST


@dataclass
class PairLine:
    """An active pair with what it waits for: terms to confirm, the next meeting, unread messages."""

    other_name: str
    match_id: int
    agreement_id: int | None
    terms: PairSummary | None = None  # terms, cadence and whether new terms wait for me
    next_meeting: object | None = None  # a ScheduledMeeting (agreements.schedule), if one is planned
    unread: int = 0

    @property
    def cadence(self):
        return self.terms.cadence if self.terms is not None else None

    @property
    def terms_wait_for_me(self) -> bool:
        return self.terms is not None and self.terms.waiting_for_me

    @property
    def has_terms(self) -> bool:
        return self.terms is not None and self.terms.frequency is not None


@dataclass
class MembershipSummary:
    """One membership with what it waits for."""

    membership: Membership
    pairs: list[PairLine] = field(default_factory=list)  # active pairs in this program
    answer: list[OpenMatch] = field(default_factory=list)  # pending matches that wait for this person
    sent: list[OpenMatch] = field(default_factory=list)  # pending matches waiting for the other side
    suggested: int | None = None  # mentors the suggestions page lists for this mentee, when they may ask
    profile_ready: bool = True
    must_confirm: bool = False

    @property
    def program(self) -> Program:
        return self.membership.program

    @property
    def to_answer(self) -> int:
        return len(self.answer)

    @property
    def waiting(self) -> int:
        return len(self.sent)

    @property
    def free_places(self) -> int:
        """A mentor's places not taken by an active pair in this program."""
        return max((self.membership.capacity or 0) - len(self.pairs), 0)

    @property
    def step(self) -> str:
        """The next thing to do, as a code the template words: see templates/main/home.html.

        Matches waiting for an answer, sent requests and pairs are listed besides the step.
        """
        m = self.membership
        if m.status == MembershipStatus.APPLIED:
            return "applied"
        if m.status == MembershipStatus.PAUSED:
            return "paused"
        if not m.is_complete():
            return "complete_membership"
        if self.answer:
            return "answer"
        if m.is_mentee:
            if self.pairs:
                return "paired"
            if self.sent:
                return "waiting"
            if not self.program.direct_requests:
                return "wait_for_round"
            if not self.profile_ready:
                return "complete_profile"
            if self.must_confirm:
                return "confirm_email"
            return "suggestions" if self.suggested else "no_mentor_free"
        if self.pairs:
            return "mentoring"
        if not m.accepting_mentees:
            return "not_accepting"
        return "accepting" if self.free_places else "full"


def _statements():
    """The two statements ``overview`` always runs, built once: each request only binds its values (the ORM
    would otherwise rebuild and re-key them on every home page, several times what the database takes)."""
    user_id, other = bindparam("user_id"), aliased(User)
    tags = db.select(MembershipTag).where(MembershipTag.membership_id.in_(bindparam("membership_ids", expanding=True)))
    matches = (db.select(Match.id, Match.program_id, Match.mentee_id, Match.status, other.name, Agreement.id,
                         Match.origin, Match.created_at, Match.expires_at)
               .join(other, other.id == db.case((Match.mentee_id == user_id, Match.mentor_id), else_=Match.mentee_id))
               .outerjoin(Agreement, Agreement.match_id == Match.id)
               .where((Match.mentee_id == user_id) | (Match.mentor_id == user_id),
                      Match.status.in_([*PENDING, MatchStatus.ACTIVE]),
                      Match.program_id.in_(bindparam("program_ids", expanding=True)))
               .order_by(other.name, Match.id))
    return tags, matches


TAGS, OPEN_AND_ACTIVE = _statements()


@cache
def _free_mentors(confirmed_only: bool):
    """Per program, the mentors ``suggestions_for`` ranks for ``:user_id``: the rule of
    ``pool.load_pool(pending_uses_capacity=False)`` and the engine's hard constraints (not oneself, not a
    pair declined before, a free place), counted in SQL so the home page reads no pool."""
    user_id, mine = bindparam("user_id"), Membership
    active = (db.select(func.count()).select_from(Match)
              .where(Match.program_id == mine.program_id, Match.mentor_id == mine.user_id,
                     Match.status == MatchStatus.ACTIVE).scalar_subquery())
    declined = (db.select(Match.id).where(Match.program_id == mine.program_id, Match.mentee_id == user_id,
                                          Match.mentor_id == mine.user_id, Match.status == MatchStatus.DECLINED)
                .exists())
    specialty = (db.select(ProfileTag.profile_id)
                 .where(ProfileTag.profile_id == Profile.id, ProfileTag.kind == TagKind.SPECIALTY).exists())
    account = User.active.is_(True)
    if confirmed_only:
        account = account & User.email_confirmed_at.is_not(None)
    return (db.select(mine.program_id, func.count())
            .join(User, User.id == mine.user_id).join(Profile, Profile.user_id == User.id)
            .where(mine.program_id.in_(bindparam("program_ids", expanding=True)), mine.role == ProgramRole.MENTOR,
                   mine.status == MembershipStatus.ACTIVE, mine.accepting_mentees.is_(True), User.id != user_id,
                   account, func.coalesce(mine.capacity, 0) > active, specialty, ~declined)
            .group_by(mine.program_id))


def suggested_counts(user: User, programs: list[Program]) -> dict[int, int]:
    """How many mentors the suggestions page lists for ``user`` in each of ``programs`` (one query)."""
    if not programs:
        return {}
    statement = _free_mentors(bool(current_app.config["REQUIRE_CONFIRMED_EMAIL"]))
    found = dict(db.session.execute(statement, {"user_id": user.id, "program_ids": [p.id for p in programs]}).all())
    return {p.id: min(found.get(p.id, 0), p.suggestions) for p in programs}


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


def _may_ask(summary: MembershipSummary) -> bool:
    """Whether this mentee can ask a mentor in the program now (then the home page counts their suggestions)."""
    m = summary.membership
    return (m.is_mentee and m.status == MembershipStatus.ACTIVE and m.is_complete() and not summary.pairs
            and summary.program.direct_requests and summary.profile_ready and not summary.must_confirm)


def overview(user: User) -> list[MembershipSummary]:
    """Each membership of ``user`` (not left) with its pairs, what waits for an answer and what to do next."""
    mine = memberships_of(user)
    profile_ready = user.profile is not None and user.profile.is_complete
    unconfirmed = must_confirm(user)
    summaries = {m.program_id: MembershipSummary(m, profile_ready=profile_ready, must_confirm=unconfirmed)
                 for m in mine}
    if not summaries:
        return []
    pairs: list[PairLine] = []
    rows = db.session.execute(OPEN_AND_ACTIVE, {"user_id": user.id, "program_ids": list(summaries)})
    for match_id, program_id, mentee_id, status, other_name, agreement_id, origin, created, expires in rows:
        summary = summaries[program_id]
        if status == MatchStatus.ACTIVE:
            pair = PairLine(other_name, match_id, agreement_id)
            summary.pairs.append(pair)
            pairs.append(pair)
            continue
        line = OpenMatch(match_id, other_name, status, origin, mentee_id == user.id, created, expires)
        (summary.answer if line.awaits_me else summary.sent).append(line)
    if pairs:
        terms = {p.agreement_id: p for p in pairs_of(user)}
        unread = unread_counts(user, [p.match_id for p in pairs])
        meetings = upcoming_for([p.agreement_id for p in pairs if p.agreement_id is not None])
        for pair in pairs:
            pair.terms = terms.get(pair.agreement_id)
            pair.unread = unread.get(pair.match_id, 0)
            pair.next_meeting = meetings.get(pair.agreement_id)
    asking = [s.program for s in summaries.values() if _may_ask(s)]
    for program_id, count in suggested_counts(user, asking).items():
        summaries[program_id].suggested = count
    return list(summaries.values())


@dataclass(frozen=True)
class MatchPage:
    """What a match page shows its viewer besides the match: reasons, both memberships, and, for one of an
    active pair only, the partner's contact address and the unread messages of their thread."""

    match: Match
    reasons: list[str]
    mentee_membership: Membership | None
    mentor_membership: Membership | None
    partner_email: str | None = None
    unread: int = 0


def partner_email(match: Match, user: User) -> str | None:
    """The other person's address for one of the pair while the match is active; None before, after and for
    anyone else (a proposal or a request does not reveal an address)."""
    if match.status != MatchStatus.ACTIVE or not match.involves(user):
        return None
    partner = match.mentor if user.id == match.mentee_id else match.mentee
    return partner.email if partner.active and partner.deleted_at is None else None


def match_page(user: User, match: Match) -> MatchPage:
    """The facts a match page shows ``user`` (one of the pair, or a coordinator of its program)."""
    email = partner_email(match, user)
    unread = unread_counts(user, [match.id]).get(match.id, 0) if email is not None else 0
    return MatchPage(match, reasons_for(match), match.mentee.membership_in(match.program_id),
                     match.mentor.membership_in(match.program_id), email, unread)
