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

from flask import current_app
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.matching import Suggestion, explain, suggest
from mentormatch.models import PENDING, Agreement, Match, MatchOrigin, MatchStatus, Profile, Role, User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import CONFIRM_FIRST, must_confirm
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.pool import declined_pairs, features_of, load_pool
from mentormatch.services.transactions import begin_locked_for_pair, lock, retry_on_conflict, transaction


class MatchError(ValueError):
    """The action is not allowed in the match's current state; the message says why."""


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _expiry() -> datetime:
    return utcnow() + timedelta(days=current_app.config["MATCH_EXPIRY_DAYS"])


def active_count(mentor_id: int) -> int:
    """How many active mentees a mentor has."""
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.mentor_id == mentor_id, Match.status == MatchStatus.ACTIVE))


def has_active_match(mentee_id: int) -> bool:
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.mentee_id == mentee_id, Match.status == MatchStatus.ACTIVE)) > 0


def open_requests(mentee: User) -> int:
    """How many of the mentee's own requests still wait for an answer."""
    return db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.mentee_id == mentee.id, Match.origin == MatchOrigin.REQUEST, Match.status.in_(PENDING)))


@dataclass(frozen=True)
class MentorSuggestion:
    mentor: User
    score: float
    reasons: list[str]
    already_requested: bool


def suggestions_for(mentee: User, k: int = 10) -> list[MentorSuggestion]:
    """The mentee's top-k mentors with free places, with reasons, best first."""
    me = features_of([mentee.id]).get(mentee.id)
    if me is None:
        return []
    pool = load_pool(pending_uses_capacity=False)
    ranked: list[Suggestion] = suggest(me, pool.mentors, k=k, declined=declined_pairs(mentee.id))
    users = {u.id: u for u in db.session.scalars(
        db.select(User).where(User.id.in_([s.mentor_id for s in ranked]))
        .options(selectinload(User.profile).selectinload(Profile.tags)))}
    requested = set(db.session.scalars(db.select(Match.mentor_id).where(
        Match.mentee_id == mentee.id, Match.status.in_(PENDING))))
    return [MentorSuggestion(users[s.mentor_id], s.score,
                             [r.sentence for r in s.reasons if r.value > 0 and r.sentence],
                             s.mentor_id in requested)
            for s in ranked]


def request_mentor(mentee: User, mentor_id: int, message: str) -> Match:
    """A mentee asks a mentor; the mentor is told and answers later.

    The checks run with the mentee's row locked: requests sent at once (several
    tabs, a double click) are counted one after the other, so the open-request
    limit holds and a second identical request is refused, not a unique violation.
    """
    score = _pair_score(mentee.id, mentor_id)
    with transaction():
        lock(mentee)
        mentor = db.session.get(User, mentor_id)
        if (mentor is None or mentor.role != Role.MENTOR or not mentor.active or mentor.profile is None
                or must_confirm(mentor)):
            raise MatchError("That mentor is not available.")
        if must_confirm(mentee):
            raise MatchError(CONFIRM_FIRST)
        if mentee.profile is None or not mentee.profile.is_complete:
            raise MatchError("Complete your profile before asking for a mentor.")
        if has_active_match(mentee.id):
            raise MatchError("You already have an active mentor.")
        if (mentee.id, mentor_id) in declined_pairs(mentee.id):
            raise MatchError("This mentor declined a match with you before.")
        if not mentor.profile.accepting_mentees or active_count(mentor_id) >= (mentor.profile.capacity or 0):
            raise MatchError(f"{mentor.name} is not taking new mentees right now.")
        limit = current_app.config["MAX_OPEN_REQUESTS"]
        if open_requests(mentee) >= limit:
            raise MatchError(f"You can have at most {limit} open requests. Withdraw one or wait for answers.")
        if db.session.scalar(db.select(Match.id).where(
                Match.mentee_id == mentee.id, Match.mentor_id == mentor_id, Match.status.in_(PENDING))):
            raise MatchError(f"You have already asked {mentor.name}.")
        match = Match(mentee_id=mentee.id, mentor_id=mentor_id, origin=MatchOrigin.REQUEST,
                      status=MatchStatus.ACCEPTED_BY_MENTEE, message=message.strip(), score=score,
                      expires_at=_expiry())
        db.session.add(match)
        db.session.flush()
        notify(mentor, Kind.REQUEST, f"{mentee.name} asked you to be their mentor.", match.id)
    return match


def _pair_score(mentee_id: int, mentor_id: int) -> float | None:
    found = features_of([mentee_id, mentor_id])
    if mentee_id not in found or mentor_id not in found:
        return None
    return explain(found[mentee_id], found[mentor_id]).score


def reasons_for(match: Match) -> list[str]:
    """The engine's sentences for this pair, strongest first."""
    found = features_of([match.mentee_id, match.mentor_id])
    if match.mentee_id not in found or match.mentor_id not in found:
        return []
    return [r.sentence for r in explain(found[match.mentee_id], found[match.mentor_id]).reasons
            if r.value > 0 and r.sentence]


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
    begin_locked_for_pair(match.mentor_id, match.mentee_id)
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
    mentor, mentee = match.mentor, match.mentee
    capacity = mentor.profile.capacity if mentor.profile else 0
    if active_count(match.mentor_id) >= (capacity or 0):
        raise MatchError(f"{mentor.name} has no free places left.")
    if has_active_match(match.mentee_id):
        raise MatchError(f"{mentee.name} already has an active mentor.")
    match.status = MatchStatus.ACTIVE
    match.decided_at = utcnow()
    db.session.add(Agreement(match=match))
    for who in (mentee, mentor):
        other = mentor if who is mentee else mentee
        notify(who, Kind.ACCEPTED, f"You and {other.name} are now matched. Next: agree how you will work together.",
               match.id)
    others = db.session.scalars(db.select(Match).where(
        Match.mentee_id == match.mentee_id, Match.id != match.id, Match.status.in_(PENDING))).all()
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
    """The requesting mentee, or a coordinator, withdraws a pending match."""
    allowed = user.is_coordinator or (user.id == match.mentee_id and match.origin == MatchOrigin.REQUEST)
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


def withdraw_open_matches_of(user: User) -> int:
    """Withdraw every pending match of someone leaving the program, telling the other side."""
    with transaction():
        pending = db.session.scalars(db.select(Match).where(
            or_(Match.mentee_id == user.id, Match.mentor_id == user.id), Match.status.in_(PENDING))).all()
        for match in pending:
            match.status = MatchStatus.WITHDRAWN
            match.closed_by_id = user.id
            match.decided_at = utcnow()
            other = match.mentor if user.id == match.mentee_id else match.mentee
            notify(other, Kind.WITHDRAWN, f"{user.name} has left the program, so your open match was withdrawn.",
                   match.id)
    return len(pending)


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
    """The match if ``user`` is one of the pair or a coordinator; None otherwise (a 404)."""
    match = db.session.get(Match, match_id)
    if match is None or not (user.is_coordinator or match.involves(user)):
        return None
    return match


@dataclass(frozen=True)
class MyMatches:
    waiting_for_me: list[Match]
    waiting_for_them: list[Match]
    active: list[Match]
    past: list[Match]


def matches_of(user: User, past_limit: int = 20) -> MyMatches:
    """A participant's matches, grouped for their pages (three queries)."""
    mine = or_(Match.mentee_id == user.id, Match.mentor_id == user.id)
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
