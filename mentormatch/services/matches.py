"""A match's life: request, propose, accept, decline, withdraw, expire.

Allowed transitions (anything else raises ``MatchError``):

    proposed            -> accepted_by_mentee | accepted_by_mentor | declined | withdrawn | expired
    accepted_by_mentee  -> active (mentor accepts) | declined | withdrawn | expired
    accepted_by_mentor  -> active (mentee accepts) | declined | withdrawn | expired

A mentee's request starts as ``accepted_by_mentee``. Becoming active checks
the mentor's capacity under a lock (services.transactions), so two
acceptances racing for the last place cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.matching import MenteeFeatures, MentorFeatures, Suggestion, explain, suggest
from mentormatch.models import (
    PENDING, Agreement, Match, MatchOrigin, MatchStatus, Membership, MembershipStatus, Profile, Program,
    ProgramRole, User,
)
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import CONFIRM_FIRST, must_confirm
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.pool import declined_pairs, features_of, load_pool
from mentormatch.services.programs import several_programs
from mentormatch.services.transactions import begin_locked_for_pair, lock, retry_on_conflict, transaction


class MatchError(ValueError):
    """The action is not allowed in the match's current state; the message says why."""


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def expiry_for(program: Program) -> datetime:
    """When a match proposed or requested now in ``program`` expires without an answer."""
    return utcnow() + timedelta(days=program.expiry_days)


def active_membership(program_id: int, user_id: int, role: str) -> Membership | None:
    """``user_id``'s active membership in ``program_id`` on ``role``'s side, if they hold one."""
    return db.session.scalar(db.select(Membership).where(
        Membership.program_id == program_id, Membership.user_id == user_id, Membership.role == role,
        Membership.status == MembershipStatus.ACTIVE))


def active_count(program_id: int, mentor_id: int) -> int:
    """How many active mentees a mentor has in one program."""
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.program_id == program_id, Match.mentor_id == mentor_id, Match.status == MatchStatus.ACTIVE))


def taken_places(program_id: int, mentor_id: int) -> int:
    """How many of a mentor's places in one program are taken or proposed (active and pending matches)."""
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.program_id == program_id, Match.mentor_id == mentor_id,
        Match.status.in_((MatchStatus.ACTIVE, *PENDING))))


def has_active_match(program_id: int, mentee_id: int) -> bool:
    """Whether the mentee has an active mentor in one program."""
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.program_id == program_id, Match.mentee_id == mentee_id, Match.status == MatchStatus.ACTIVE)) > 0


def open_requests(mentee: User, program: Program) -> int:
    """How many of the mentee's own requests in ``program`` still wait for an answer."""
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.program_id == program.id, Match.mentee_id == mentee.id, Match.origin == MatchOrigin.REQUEST,
        Match.status.in_(PENDING)))


@dataclass(frozen=True)
class MentorSuggestion:
    mentor: User
    score: float
    reasons: list[str]
    already_requested: bool


def suggestions_for(mentee: User, program: Program, limit: int | None = None) -> list[MentorSuggestion]:
    """The mentee's best mentors with free places in ``program``, with reasons, best first.

    Only that program's mentors are considered; ``limit`` defaults to the
    program's number of suggestions. Someone who is not a mentee there gets none.
    """
    me = features_of(program.id, [mentee.id]).get(mentee.id)
    if not isinstance(me, MenteeFeatures):
        return []
    pool = load_pool(program.id, pending_uses_capacity=False)
    ranked: list[Suggestion] = suggest(me, pool.mentors, k=limit or program.suggestions,
                                       declined=declined_pairs(program.id, mentee.id))
    users = {u.id: u for u in db.session.scalars(
        db.select(User).where(User.id.in_([s.mentor_id for s in ranked]))
        .options(selectinload(User.profile).selectinload(Profile.tags)))}
    requested = set(db.session.scalars(db.select(Match.mentor_id).where(
        Match.program_id == program.id, Match.mentee_id == mentee.id, Match.status.in_(PENDING))))
    return [MentorSuggestion(users[s.mentor_id], s.score,
                             [r.sentence for r in s.reasons if r.value > 0 and r.sentence],
                             s.mentor_id in requested)
            for s in ranked]


def rounds_only_text(program: Program) -> str:
    return (f"In {program.name} mentees do not ask mentors directly: the coordinator matches people "
            "through matching rounds and you will be told when a mentor is proposed.")


def request_mentor(mentee: User, program: Program, mentor_id: int, message: str) -> Match:
    """A mentee of ``program`` asks one of its mentors; the mentor is told and answers later.

    The checks run with the mentee's membership row locked: requests sent at
    once (several tabs, a double click) are counted one after the other, so
    the program's open-request limit holds and a second identical request is
    refused, not a unique violation. A mentor of another program is not
    available: a match never crosses programs.
    """
    if not program.direct_requests:
        raise MatchError(rounds_only_text(program))
    score = _pair_score(program.id, mentee.id, mentor_id)
    with transaction():
        mine = active_membership(program.id, mentee.id, ProgramRole.MENTEE)
        if mine is None:
            raise MatchError(f"You are not an active mentee in {program.name}.")
        lock(mine)
        mentor = db.session.get(User, mentor_id)
        theirs = active_membership(program.id, mentor_id, ProgramRole.MENTOR) if mentor is not None else None
        if (mentor is None or theirs is None or not mentor.active or mentor.profile is None
                or must_confirm(mentor)):
            raise MatchError("That mentor is not available.")
        if must_confirm(mentee):
            raise MatchError(CONFIRM_FIRST)
        if mentee.profile is None or not mentee.profile.is_complete or mine is None or not mine.is_complete():
            raise MatchError("Complete your profile before asking for a mentor.")
        if has_active_match(program.id, mentee.id):
            raise MatchError("You already have an active mentor.")
        if (mentee.id, mentor_id) in declined_pairs(program.id, mentee.id):
            raise MatchError("This mentor declined a match with you before.")
        if not theirs.accepting_mentees or active_count(program.id, mentor_id) >= (theirs.capacity or 0):
            raise MatchError(f"{mentor.name} is not taking new mentees right now.")
        limit = program.max_open_requests
        if open_requests(mentee, program) >= limit:
            raise MatchError(f"You can have at most {limit} open requests. Withdraw one or wait for answers.")
        if db.session.scalar(db.select(Match.id).where(
                Match.program_id == program.id, Match.mentee_id == mentee.id, Match.mentor_id == mentor_id,
                Match.status.in_(PENDING))):
            raise MatchError(f"You have already asked {mentor.name}.")
        match = Match(program_id=program.id, mentee_id=mentee.id, mentor_id=mentor_id, origin=MatchOrigin.REQUEST,
                      status=MatchStatus.ACCEPTED_BY_MENTEE, message=message.strip(), score=score,
                      expires_at=expiry_for(program))
        db.session.add(match)
        db.session.flush()
        where = f" in {program.name}" if several_programs() else ""  # one program stays simple
        notify(mentor, Kind.REQUEST, f"{mentee.name} asked you to be their mentor{where}.", match.id)
    return match


def _pair(program_id: int, mentee_id: int, mentor_id: int) -> tuple[MenteeFeatures, MentorFeatures] | None:
    """The engine records of a mentee and a mentor of one program, or None if either is not one there."""
    found = features_of(program_id, [mentee_id, mentor_id])
    mentee, mentor = found.get(mentee_id), found.get(mentor_id)
    if isinstance(mentee, MenteeFeatures) and isinstance(mentor, MentorFeatures):
        return mentee, mentor
    return None


def _pair_score(program_id: int, mentee_id: int, mentor_id: int) -> float | None:
    pair = _pair(program_id, mentee_id, mentor_id)
    return explain(*pair).score if pair else None


def reasons_for(match: Match) -> list[str]:
    """The engine's sentences for this pair in its program, strongest first."""
    pair = _pair(match.program_id, match.mentee_id, match.mentor_id)
    if pair is None:
        return []
    return [r.sentence for r in explain(*pair).reasons if r.value > 0 and r.sentence]


def _check_open(match: Match) -> None:
    if match.status not in PENDING:
        raise MatchError(f"This match is already {match.status.replace('_', ' ')}.")
    if match.expires_at is not None and _aware(match.expires_at) <= utcnow():
        raise MatchError("This match has expired.")


@retry_on_conflict
def accept(match: Match, user: User) -> Match:
    """``user`` (one of the pair) accepts; the match is active once both have."""
    if not match.involves(user):
        raise MatchError("Only the two people in a match can accept it.")
    if must_confirm(user):
        raise MatchError(CONFIRM_FIRST)
    begin_locked_for_pair(match.program_id, match.mentor_id, match.mentee_id)
    with transaction():
        db.session.refresh(match)
        _check_open(match)
        if not match.awaits(user):
            raise MatchError("You have already accepted; waiting for the other person.")
        is_mentor = user.id == match.mentor_id
        other_accepted = match.status == (MatchStatus.ACCEPTED_BY_MENTEE if is_mentor
                                          else MatchStatus.ACCEPTED_BY_MENTOR)
        if not other_accepted:
            match.status = MatchStatus.ACCEPTED_BY_MENTOR if is_mentor else MatchStatus.ACCEPTED_BY_MENTEE
            return match
        _activate(match)
    return match


def _activate(match: Match) -> None:
    """Both have accepted: check the program's rules again, under the pair's lock, and start the mentorship."""
    mentor, mentee = match.mentor, match.mentee
    program_id = match.program_id
    if active_membership(program_id, mentee.id, ProgramRole.MENTEE) is None:
        raise MatchError(f"{mentee.name} is no longer an active mentee in {match.program.name}.")
    theirs = active_membership(program_id, mentor.id, ProgramRole.MENTOR)
    if theirs is None:
        raise MatchError(f"{mentor.name} is no longer an active mentor in {match.program.name}.")
    if active_count(program_id, match.mentor_id) >= (theirs.capacity or 0):
        raise MatchError(f"{mentor.name} has no free places left.")
    if has_active_match(program_id, match.mentee_id):
        raise MatchError(f"{mentee.name} already has an active mentor.")
    match.status = MatchStatus.ACTIVE
    match.decided_at = utcnow()
    db.session.add(Agreement(match=match))
    for who in (mentee, mentor):
        other = mentor if who is mentee else mentee
        notify(who, Kind.ACCEPTED, f"You and {other.name} are now matched. Next: agree how you will work together.",
               match.id)
    # The mentee's other open matches in this program end; those in other programs are theirs to keep.
    others = db.session.scalars(db.select(Match).where(
        Match.program_id == program_id, Match.mentee_id == match.mentee_id, Match.id != match.id,
        Match.status.in_(PENDING))).all()
    for other in others:
        other.status = MatchStatus.WITHDRAWN
        other.decided_at = utcnow()
        notify(other.mentor, Kind.WITHDRAWN,
               f"{mentee.name} has been matched with another mentor, so their match with you was withdrawn.",
               other.id)
        notify(mentee, Kind.WITHDRAWN,
               f"Your open match with {other.mentor.name} was withdrawn because you now have a mentor.", other.id)


def decline(match: Match, user: User, reason: str, note: str = "") -> Match:
    """``user`` (one of the pair) declines; the pair is never proposed again."""
    if not match.involves(user):
        raise MatchError("Only the two people in a match can decline it.")
    if reason not in domain.codes(domain.DECLINE_REASONS):
        raise MatchError("Choose a reason.")
    with transaction():
        _check_open(match)
        match.status = MatchStatus.DECLINED
        match.decline_reason = reason
        match.decline_note = note.strip()
        match.closed_by_id = user.id
        match.decided_at = utcnow()
        other = match.mentor if user.id == match.mentee_id else match.mentee
        notify(other, Kind.DECLINED, f"{user.name} declined the match with you.", match.id)
    return match


def withdraw(match: Match, user: User) -> Match:
    """The requesting mentee, or a coordinator of the match's program, withdraws a pending match."""
    allowed = user.coordinates(match.program_id) or (user.id == match.mentee_id and match.origin == MatchOrigin.REQUEST)
    if not allowed:
        raise MatchError("Only the mentee who asked, or a coordinator, can withdraw this.")
    with transaction():
        _check_open(match)
        match.status = MatchStatus.WITHDRAWN
        match.closed_by_id = user.id
        match.decided_at = utcnow()
        for party in (match.mentee, match.mentor):
            if party.id != user.id:
                notify(party, Kind.WITHDRAWN, f"The match between {match.mentee.name} and "
                                              f"{match.mentor.name} was withdrawn.", match.id)
    return match


def withdraw_pending_of(user: User, by: User, program_id: int | None = None,
                        notice: str = "{name} has left the program, so your open match was withdrawn.") -> list[int]:
    """Withdraw ``user``'s pending matches in one program (every program when None), telling the other side.

    ``by`` is who closes them (the person leaving, or a coordinator); ``notice`` is the other side's sentence,
    with ``{name}``, ``{mentee}`` and ``{mentor}`` filled in. Matches past their expiry are left to the expiry
    job. Returns the ids withdrawn; call inside the caller's transaction or on its own.
    """
    now = utcnow()
    query = (db.select(Match).where(or_(Match.mentee_id == user.id, Match.mentor_id == user.id),
                                    Match.status.in_(PENDING), or_(Match.expires_at.is_(None), Match.expires_at > now))
             .options(selectinload(Match.mentee), selectinload(Match.mentor)))
    if program_id is not None:
        query = query.where(Match.program_id == program_id)
    withdrawn = []
    with transaction():
        for match in db.session.scalars(query).all():
            match.status, match.closed_by_id, match.decided_at = MatchStatus.WITHDRAWN, by.id, now
            other = match.mentor if user.id == match.mentee_id else match.mentee
            notify(other, Kind.WITHDRAWN, notice.format(name=user.name, mentee=match.mentee.name,
                                                        mentor=match.mentor.name), match.id)
            withdrawn.append(match.id)
    return withdrawn


def expire_overdue(now: datetime | None = None) -> int:
    """Expire pending matches past their date and tell both sides; returns how many."""
    now = now or utcnow()
    due = (db.select(Match).where(Match.status.in_(PENDING), Match.expires_at.is_not(None), Match.expires_at <= now)
           .options(selectinload(Match.mentee), selectinload(Match.mentor)))
    if db.session.scalar(db.select(due.with_only_columns(Match.id).limit(1).exists())) is not True:
        db.session.rollback()  # the common case: no write, no commit, no transaction left open
        return 0
    with transaction():
        # Locked and read again: an answer that came in meanwhile wins over the expiry.
        overdue = db.session.scalars(due.with_for_update(of=Match)).all()
        for match in overdue:
            match.status = MatchStatus.EXPIRED
            match.decided_at = now
            for party in (match.mentee, match.mentor):
                notify(party, Kind.EXPIRED, f"The match between {match.mentee.name} and "
                                            f"{match.mentor.name} expired without an answer.", match.id)
    return len(overdue)


def match_for(user: User, match_id: int) -> Match | None:
    """The match if ``user`` is one of the pair or coordinates its program; None otherwise (a 404).

    Reached by id whatever program the person works in now: the match carries its own.
    """
    match = db.session.get(Match, match_id)
    if match is None or not (match.involves(user) or user.coordinates(match.program_id)):
        return None
    return match


@dataclass(frozen=True)
class MyMatches:
    waiting_for_me: list[Match]
    waiting_for_them: list[Match]
    active: list[Match]
    past: list[Match]


def matches_of(user: User, program_id: int | None = None, past_limit: int = 20) -> MyMatches:
    """A participant's matches in one program (every program when None), grouped for their pages (three queries)."""
    mine = or_(Match.mentee_id == user.id, Match.mentor_id == user.id)
    if program_id is not None:
        mine = mine & (Match.program_id == program_id)
    load = (selectinload(Match.mentee), selectinload(Match.mentor))
    current = db.session.scalars(db.select(Match).where(mine, Match.status.in_((*PENDING, MatchStatus.ACTIVE)))
                                 .options(*load).order_by(Match.created_at.desc())).all()
    past = db.session.scalars(db.select(Match).where(mine, Match.status.not_in((*PENDING, MatchStatus.ACTIVE)))
                              .options(*load).order_by(Match.created_at.desc()).limit(past_limit)).all()
    pending = [m for m in current if m.is_pending]
    return MyMatches(
        waiting_for_me=[m for m in pending if m.awaits(user)],
        waiting_for_them=[m for m in pending if not m.awaits(user)],
        active=[m for m in current if m.status == MatchStatus.ACTIVE],
        past=list(past),
    )
