"""A coordinator pairs two members of their program by hand.

The pair becomes a ``manual`` proposal in that program that both must still
accept. Rules the program may bend (capacity, accepting mentees, meeting
modes, incomplete profiles) give warnings the coordinator must confirm;
impossible pairs (not members of the program on those sides, already
paired) raise ``PairingError``. A pair never crosses programs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError

from mentormatch.extensions import db
from mentormatch.matching import MenteeFeatures, MentorFeatures, explain
from mentormatch.matching.scoring import forbidden_reason
from mentormatch.models import (
    PENDING, Match, MatchOrigin, MatchStatus, Membership, MembershipStatus, Profile, Program, ProgramRole, User,
)
from mentormatch.services.accounts import find_user_by_email, must_confirm
from mentormatch.services.console import audit
from mentormatch.services.matches import MatchError, active_membership, expiry_for, taken_places
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.pool import declined_pairs, features_of
from mentormatch.services.rounds import proposal_text
from mentormatch.services.transactions import transaction


SEARCH_LIMIT = 20  # people a search lists; more means "type more of the name"
MAX_ID = 2**31 - 1  # larger ids are no row's (and overflow PostgreSQL's INTEGER)


class PairingError(MatchError):
    """The coordinator's pair cannot be proposed; the message says why.

    A ``MatchError`` too, so code that catches those keeps catching these.
    """


class PairNeedsConfirmation(PairingError):
    """The pair is allowed only if the coordinator confirms; ``warnings`` say why."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("Check the warnings below; tick “Pair them anyway” to go ahead.")
        self.warnings = warnings


def _member(program: Program, user: User | None, role: ProgramRole, named: str) -> tuple[User, Membership]:
    """``user`` and their active membership in ``program`` on ``role``'s side; ``PairingError`` otherwise."""
    found = active_membership(program.id, user.id, role) if user is not None else None
    if user is None or found is None:
        raise PairingError(f"No active {role} of {program.name} {named}.")
    if not user.active:
        raise PairingError(f"{user.name}'s account is deactivated.")
    return user, found


def find_pair(program: Program, mentee_email: str, mentor_email: str) -> tuple[User, User]:
    """The mentee and the mentor of ``program`` named by email; ``PairingError`` if either is not one there."""
    mentee, _ = _member(program, find_user_by_email(mentee_email), ProgramRole.MENTEE,
                        f"has the email {mentee_email.strip()}")
    mentor, _ = _member(program, find_user_by_email(mentor_email), ProgramRole.MENTOR,
                        f"has the email {mentor_email.strip()}")
    return mentee, mentor


@dataclass(frozen=True)
class Candidate:
    """A member of the program on one side, as the pair-by-hand search lists them."""

    id: int
    name: str
    email: str
    organisation: str
    free_places: int | None = None  # mentors: capacity minus places taken or proposed (as ``taken_places``)


@dataclass(frozen=True)
class MemberSearch:
    found: list[Candidate]
    more: bool  # more people match than are listed


def find_members(program: Program, role: ProgramRole, text: str, chosen_id: int | None = None,
                 limit: int = SEARCH_LIMIT) -> MemberSearch:
    """Active members of ``program`` on ``role``'s side whose name or email contains ``text`` (any case),
    by name, at most ``limit``; the one already chosen (``chosen_id``) is always listed (two queries)."""
    needle = text.strip().lower()
    chosen = chosen_id if chosen_id is not None and 0 < chosen_id <= MAX_ID else None
    if not needle and chosen is None:
        return MemberSearch([], False)
    wanted = []
    if needle:
        wanted.append(or_(func.lower(User.name).contains(needle, autoescape=True),
                          func.lower(User.email).contains(needle, autoescape=True)))
    if chosen is not None:
        wanted.append(User.id == chosen)
    order = [func.lower(User.name), User.id]
    if chosen is not None:
        order.insert(0, (User.id == chosen).desc())  # the chosen one first, whatever the search
    rows = db.session.execute(
        db.select(User.id, User.name, User.email, Profile.organisation, Membership.capacity)
        .join(Membership, Membership.user_id == User.id).outerjoin(Profile, Profile.user_id == User.id)
        .where(Membership.program_id == program.id, Membership.role == role,
               Membership.status == MembershipStatus.ACTIVE, User.active.is_(True), User.deleted_at.is_(None),
               or_(*wanted))
        .order_by(*order).limit(limit + 1)).all()
    shown = rows[:limit]
    taken: dict[int, int] = {}
    if role == ProgramRole.MENTOR and shown:
        taken = dict(db.session.execute(  # the rule of ``matches.taken_places``, for many mentors at once
            db.select(Match.mentor_id, func.count()).where(
                Match.program_id == program.id, Match.mentor_id.in_([r[0] for r in shown]),
                Match.status.in_((MatchStatus.ACTIVE, *PENDING))).group_by(Match.mentor_id)).all())
    found = [Candidate(user_id, name, email, organisation or "",
                       max(0, (capacity or 0) - taken.get(user_id, 0)) if role == ProgramRole.MENTOR else None)
             for user_id, name, email, organisation, capacity in shown]
    return MemberSearch(found, len(rows) > limit)


def pair_warnings(program: Program, mentee: User, mentor: User) -> list[str]:
    """Why pairing these two members of ``program`` goes against its rules (empty if it does not)."""
    warnings: list[str] = []
    found = features_of(program.id, [mentee.id, mentor.id])
    mine = active_membership(program.id, mentee.id, ProgramRole.MENTEE)
    theirs = active_membership(program.id, mentor.id, ProgramRole.MENTOR)
    if (mentee.profile is None or not mentee.profile.is_complete or mine is None or not mine.is_complete()
            or not isinstance(found.get(mentee.id), MenteeFeatures)):
        warnings.append(f"{mentee.name}'s profile is incomplete.")
    if (mentor.profile is None or not mentor.profile.is_complete or theirs is None or not theirs.is_complete()
            or not isinstance(found.get(mentor.id), MentorFeatures)):
        warnings.append(f"{mentor.name}'s profile is incomplete.")
    capacity = (theirs.capacity or 0) if theirs is not None else 0
    taken = taken_places(program.id, mentor.id)
    if taken >= capacity:
        warnings.append(f"{mentor.name} is full: {taken} of {capacity} places are taken or proposed.")
    if theirs is not None and not theirs.accepting_mentees:
        warnings.append(f"{mentor.name} is not accepting new mentees.")
    e, o = found.get(mentee.id), found.get(mentor.id)
    if isinstance(e, MenteeFeatures) and isinstance(o, MentorFeatures):
        reason = forbidden_reason(e, replace(o, capacity=max(1, capacity - taken)),
                                  declined=declined_pairs(program.id, mentee.id))
        if reason:
            warnings.append(f"The matching rules forbid this pair: {reason.lower()}.")
    return warnings


def pair_by_hand(program: Program, mentee_id: int, mentor_id: int, coordinator: User,
                 confirmed: bool = False) -> Match:
    """Propose, in ``program``, a pair chosen by its coordinator; both must still accept.

    Raises ``PairingError`` when the pair cannot exist (not active members of
    ``program`` on those sides, already paired, not a coordinator of it) and
    ``PairNeedsConfirmation`` when it breaks a rule the coordinator may override.
    """
    if not coordinator.coordinates(program.id):
        raise PairingError(f"Only a coordinator of {program.name} can pair its members.")
    if not (0 < mentee_id <= MAX_ID and 0 < mentor_id <= MAX_ID):
        raise PairingError(f"Choose a mentee and a mentor of {program.name} from the lists.")
    mentee, _ = _member(program, db.session.get(User, mentee_id), ProgramRole.MENTEE, "is the person chosen; search again")
    mentor, _ = _member(program, db.session.get(User, mentor_id), ProgramRole.MENTOR, "is the person chosen; search again")
    for someone in (mentee, mentor):
        if must_confirm(someone):
            raise PairingError(f"{someone.name} has not confirmed their email address yet.")
    if db.session.scalar(db.select(Match.id).where(Match.program_id == program.id, Match.mentee_id == mentee.id,
                                                   Match.status == MatchStatus.ACTIVE)):
        raise PairingError(f"{mentee.name} already has an active mentor.")
    if db.session.scalar(db.select(Match.id).where(Match.program_id == program.id, Match.mentee_id == mentee.id,
                                                   Match.mentor_id == mentor.id, Match.status.in_(PENDING))):
        raise PairingError(f"{mentee.name} and {mentor.name} already have an open match.")
    warnings = pair_warnings(program, mentee, mentor)
    if warnings and not confirmed:
        raise PairNeedsConfirmation(warnings)
    found = features_of(program.id, [mentee.id, mentor.id])
    e, o = found.get(mentee.id), found.get(mentor.id)
    score = explain(e, o).score if isinstance(e, MenteeFeatures) and isinstance(o, MentorFeatures) else None
    try:
        with transaction():
            match = Match(program_id=program.id, mentee_id=mentee.id, mentor_id=mentor.id,
                          origin=MatchOrigin.MANUAL, status=MatchStatus.PROPOSED, score=score, closed_by_id=None,
                          expires_at=expiry_for(program))
            db.session.add(match)
            db.session.flush()
            notify(mentee, Kind.PROPOSAL, proposal_text(mentor.name, "mentor"), match.id)
            notify(mentor, Kind.PROPOSAL, proposal_text(mentee.name, "mentee"), match.id)
            audit.record(coordinator, "override" if warnings else "manual_pair",
                         f"Paired {mentee.name} with {mentor.name} by hand" + (" despite warnings" if warnings else ""),
                         target=match, program=program,
                         after={"mentee_id": mentee.id, "mentor_id": mentor.id,
                                "score": float(score) if score is not None else None, "warnings": warnings})
    except IntegrityError as error:
        raise PairingError(f"{mentee.name} and {mentor.name} already have an open match.") from error
    return match


def pair_by_email(program: Program, mentee_email: str, mentor_email: str, coordinator: User,
                  confirmed: bool = False) -> Match:
    """``pair_by_hand`` for the coordinator's form, which names the two people by email."""
    mentee, mentor = find_pair(program, mentee_email, mentor_email)
    return pair_by_hand(program, mentee.id, mentor.id, coordinator, confirmed=confirmed)
