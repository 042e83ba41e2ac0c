"""Review queues for coordinators, and the action each row offers.

Queues: unmatched mentees (with the reason), proposals waiting longer than
N days (send a reminder), declined proposals (with reasons), pairs behind
their cadence (nudge, end, re-match) and profiles flagged for review. Each
queue reads in a fixed number of queries; the ones whose rule lives in
Python (reasons, cadence) read plain columns and are paginated afterwards.
Every queue and action works on one program: its members, matches and pairs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import (
    PENDING, Agreement, AuditEntry, Match, MatchStatus, Membership, MembershipTag, Profile, ProfileTag, Program,
    ReviewFlag, TagKind, User,
)
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import AgreementError, tell
from mentormatch.services.agreements.cadence import DUE_SOON, OVERDUE, Cadence
from mentormatch.services.agreements.closing import end_agreement
from mentormatch.services.console import audit
from mentormatch.services.paging import Page, bounds, slice_page
from mentormatch.services.console.stats import free_places_by_specialty, pair_cadences, unmatched_mentee_ids
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.transactions import lock, transaction

NUDGE_GAP = timedelta(hours=24)  # a pair hears from the coordinator about its cadence at most once a day
NO_PROFILE = "No profile yet"
INCOMPLETE = "Profile incomplete (specialty or goals missing)"  # goals: the membership's, in this program
NO_PLACES = "No mentor with free places in their specialties"
READY = "Ready for the next round or a request"
REASONS = (NO_PROFILE, INCOMPLETE, NO_PLACES, READY)


class QueueError(ValueError):
    """The action does not apply to this row any more; the message says why."""


class NudgeTooSoon(QueueError):
    """The pair was nudged less than a day ago; ``last`` is when (UTC), ``next`` when another may go."""

    def __init__(self, last: datetime) -> None:
        super().__init__("This pair was nudged less than a day ago; one nudge a day is enough.")
        self.last = last
        self.next = last + NUDGE_GAP


@dataclass(frozen=True)
class UnmatchedRow:
    id: int
    name: str
    email: str
    specialties: list[str]
    declined: int  # proposals declined so far
    reason: str


def unmatched(program: Program, page: int, per_page: int, reason: str = "", specialty: str = "",
              name: str = "") -> Page:
    """``program``'s unmatched mentees with why they are unmatched, filtered, oldest sign-up first (five queries)."""
    waiting = unmatched_mentee_ids(program)
    query = (db.select(User.id, User.name, User.email, Profile.id).outerjoin(Profile, Profile.user_id == User.id)
             .where(User.id.in_(waiting)).order_by(User.created_at, User.id))
    if name:
        query = query.where(func.lower(User.name).contains(name.lower(), autoescape=True))
    rows = db.session.execute(query).all()
    specialties_of: dict[int, list[str]] = defaultdict(list)
    for profile_id, code in db.session.execute(
            db.select(ProfileTag.profile_id, ProfileTag.code)
            .join(Profile, Profile.id == ProfileTag.profile_id)
            .where(Profile.user_id.in_(waiting), ProfileTag.kind == TagKind.SPECIALTY)):
        specialties_of[profile_id].append(code)
    with_goals = set(db.session.scalars(
        db.select(Membership.user_id).join(MembershipTag, MembershipTag.membership_id == Membership.id)
        .where(Membership.program_id == program.id, MembershipTag.kind == TagKind.GOAL,
               Membership.user_id.in_(waiting)).distinct()))
    declined = dict(db.session.execute(
        db.select(Match.mentee_id, func.count()).where(Match.program_id == program.id,
                                                       Match.status == MatchStatus.DECLINED,
                                                       Match.mentee_id.in_(waiting))
        .group_by(Match.mentee_id)).all())
    open_specialties = {code for code, free in free_places_by_specialty(program).items() if free > 0}
    found = []
    for user_id, user_name, email, profile_id in rows:
        specialties = sorted(specialties_of.get(profile_id, []))
        if profile_id is None:
            why = NO_PROFILE
        elif not specialties or user_id not in with_goals:
            why = INCOMPLETE
        elif not open_specialties.intersection(specialties):
            why = NO_PLACES
        else:
            why = READY
        if (reason and why != reason) or (specialty and specialty not in specialties):
            continue
        found.append(UnmatchedRow(user_id, user_name, email, specialties, declined.get(user_id, 0), why))
    return slice_page(found, page, per_page, {"reason": reason, "specialty": specialty, "name": name})


def get_match(program: Program, match_id: int) -> Match | None:
    """The match ``match_id`` if it belongs to ``program`` (None otherwise: another program's is not found)."""
    match = db.session.get(Match, match_id)
    return match if match is not None and match.program_id == program.id else None


def _pending(program: Program, older_than_days: int):
    return [Match.program_id == program.id, Match.status.in_(PENDING),
            Match.created_at <= utcnow() - timedelta(days=older_than_days)]


def waiting_proposals(program: Program, page: int, per_page: int, older_than_days: int = 7) -> Page:
    """``program``'s pending matches older than ``older_than_days``, oldest first (four queries)."""
    conditions = _pending(program, older_than_days)
    total = db.session.scalar(db.select(func.count()).select_from(Match).where(*conditions))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        db.select(Match).where(*conditions).options(selectinload(Match.mentee), selectinload(Match.mentor))
        .order_by(Match.created_at, Match.id).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total, {"days": older_than_days})


def send_reminder(match: Match, coordinator: User) -> list[User]:
    """Remind whoever still has to answer a pending match; returns who was reminded."""
    if match.status not in PENDING:
        raise QueueError("This proposal has been answered or closed already.")
    waiting = [who for who in (match.mentee, match.mentor) if match.awaits(who)]
    with transaction():
        for who in waiting:
            other = match.mentor if who.id == match.mentee_id else match.mentee
            notify(who, Kind.PROPOSAL, f"Reminder from the program coordinator: your match with {other.name} "
                                       f"is waiting for your answer. Please accept or decline.", match.id)
        audit.record(coordinator, "reminder_sent", f"Reminded {', '.join(w.name for w in waiting)} about "
                                                   f"match {match.id}", target=match,
                     program=match.program_id, after={"reminded": [w.id for w in waiting]})
    return waiting


def declined(program: Program, page: int, per_page: int, reason: str = "") -> Page:
    """``program``'s declined proposals with their reasons, newest first (four queries)."""
    conditions = [Match.program_id == program.id, Match.status == MatchStatus.DECLINED]
    if reason:
        conditions.append(Match.decline_reason == reason)
    total = db.session.scalar(db.select(func.count()).select_from(Match).where(*conditions))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        db.select(Match).where(*conditions).options(selectinload(Match.mentee), selectinload(Match.mentor))
        .order_by(Match.decided_at.desc(), Match.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total, {"reason": reason})


@dataclass(frozen=True)
class BehindRow:
    agreement_id: int
    match_id: int
    mentee: User
    mentor: User
    frequency: str
    cadence: Cadence
    last_nudged: datetime | None = None  # UTC

    @property
    def next_nudge(self) -> datetime | None:
        """When the next nudge may go, if the last one is less than a day old (else None: it may go now)."""
        if self.last_nudged is None or self.last_nudged + NUDGE_GAP <= utcnow():
            return None
        return self.last_nudged + NUDGE_GAP


def _utc(moment: datetime) -> datetime:
    """A time read back from SQLite has no zone: it is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def last_nudges(program: Program, agreement_ids: list[int]) -> dict[int, datetime]:
    """When each of these pairs of ``program`` was last nudged (the audit log's entries), in one query."""
    if not agreement_ids:
        return {}
    found = db.session.execute(
        db.select(AuditEntry.target_id, func.max(AuditEntry.at))
        .where(AuditEntry.program_id == program.id, AuditEntry.action == "nudge_sent",
               AuditEntry.target_type == "agreement", AuditEntry.target_id.in_(agreement_ids))
        .group_by(AuditEntry.target_id)).all()
    return {target: _utc(at) for target, at in found}


def behind_cadence(program: Program, page: int, per_page: int, state: str = "") -> Page:
    """``program``'s pairs overdue or due soon, the latest first, with when each was last nudged (six queries)."""
    states = (state,) if state in (OVERDUE, DUE_SOON) else (OVERDUE, DUE_SOON)
    pairs, _ = pair_cadences(program)
    behind = sorted((p for p in pairs if p.cadence.state in states),
                    key=lambda p: (p.cadence.days_left, p.agreement_id))
    shown = slice_page(behind, page, per_page, {"state": state})
    ids = {i for p in shown.items for i in (p.mentee_id, p.mentor_id)}
    people = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(ids)))} if ids else {}
    nudged = last_nudges(program, [p.agreement_id for p in shown.items])
    rows = [BehindRow(p.agreement_id, p.match_id, people[p.mentee_id], people[p.mentor_id], p.frequency, p.cadence,
                      nudged.get(p.agreement_id)) for p in shown.items]
    return Page(rows, shown.page, shown.pages, shown.total, shown.filters)


def get_agreement(program: Program, agreement_id: int) -> Agreement | None:
    """The agreement ``agreement_id`` if its pair belongs to ``program``."""
    agreement = db.session.get(Agreement, agreement_id)
    return agreement if agreement is not None and agreement.match.program_id == program.id else None


def _open_agreement(program: Program, agreement_id: int) -> Agreement:
    agreement = get_agreement(program, agreement_id)
    if agreement is None or agreement.is_ended or agreement.match.status != MatchStatus.ACTIVE:
        raise QueueError("This pair is no longer active.")
    return agreement


def nudge(program: Program, agreement_id: int, coordinator: User) -> Agreement:
    """Remind both people of one of ``program``'s pairs that a meeting is due; at most once a day.

    Raises ``NudgeTooSoon`` when the pair was nudged less than ``NUDGE_GAP`` ago (by anyone).
    """
    agreement = _open_agreement(program, agreement_id)
    match = agreement.match
    with transaction():
        lock(agreement)  # two coordinators nudging at once: the second sees the first one's nudge
        last = last_nudges(program, [agreement.id]).get(agreement.id)
        if last is not None and last + NUDGE_GAP > utcnow():
            raise NudgeTooSoon(last)
        for who in (match.mentee, match.mentor):
            tell(who, "A note from the program coordinator: your next mentoring meeting is due. "
                      "Please find a time and log it once you have met.", agreement)
        audit.record(coordinator, "nudge_sent", f"Nudged {match.mentee.name} and {match.mentor.name}",
                     target=agreement, program=program)
    return agreement


def end_pair(program: Program, agreement_id: int, coordinator: User, reason: str, note: str = "", *,
             rematch: bool = False) -> Agreement:
    """End one of ``program``'s pairs (for a re-match too: the mentee is then unmatched again)."""
    agreement = _open_agreement(program, agreement_id)
    match = agreement.match
    try:
        with transaction():
            end_agreement(agreement, coordinator, reason, note)
            audit.record(coordinator, "rematch" if rematch else "pair_ended",
                         f"Ended the pair {match.mentee.name} and {match.mentor.name}"
                         + (" to re-match the mentee" if rematch else ""), target=agreement, program=program,
                         before={"status": "active"}, after={"status": "ended", "reason": reason})
    except AgreementError as error:
        raise QueueError(str(error)) from error
    return agreement


def flagged(program: Program, page: int, per_page: int, name: str = "") -> Page:
    """Flagged profiles of ``program``'s members, oldest flag first, by name (three queries)."""
    conditions = [ReviewFlag.user_id.in_(db.select(Membership.user_id).where(Membership.program_id == program.id))]
    if name:
        conditions.append(ReviewFlag.user_id.in_(db.select(User.id).where(
            func.lower(User.name).contains(name.lower(), autoescape=True))))
    total = db.session.scalar(db.select(func.count()).select_from(ReviewFlag).where(*conditions))
    page, pages = bounds(total, page, per_page)
    flags = db.session.scalars(db.select(ReviewFlag).where(*conditions).order_by(ReviewFlag.flagged_at, ReviewFlag.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    ids = {i for f in flags for i in (f.user_id, f.flagged_by_id) if i is not None}
    people = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(ids)))} if ids else {}
    return Page([(f, people.get(f.user_id), people.get(f.flagged_by_id)) for f in flags], page, pages, total,
                {"name": name})
