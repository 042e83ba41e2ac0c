"""A coordinator pairs two people by hand.

The pair becomes a ``manual`` proposal that both must still accept. Rules
the program may bend (capacity, meeting modes, incomplete profiles) give
warnings the coordinator must confirm; impossible pairs raise ``MatchError``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from mentormatch.extensions import db
from mentormatch.matching import explain
from mentormatch.matching.scoring import forbidden_reason
from mentormatch.models import PENDING, Match, MatchOrigin, MatchStatus, Role, User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import find_user_by_email, must_confirm
from mentormatch.services.console import audit
from mentormatch.services.matches import MatchError
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.pool import declined_pairs, features_of
from mentormatch.services.rounds import RoundError, proposal_text
from mentormatch.services.transactions import transaction


class PairNeedsConfirmation(RoundError):
    """The pair is allowed only if the coordinator confirms; ``warnings`` say why."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("Check the warnings below; tick “Pair them anyway” to go ahead.")
        self.warnings = warnings


def _participant(email: str, role: Role) -> User:
    user = find_user_by_email(email)
    if user is None or user.role != role:
        raise MatchError(f"No {role} has the email {email.strip()}.")
    if not user.active:
        raise MatchError(f"{user.name}'s account is deactivated.")
    return user


def pair_warnings(mentee: User, mentor: User) -> list[str]:
    """Why pairing these two goes against the program's rules (empty if it does not)."""
    warnings: list[str] = []
    found = features_of([mentee.id, mentor.id])
    if mentee.id not in found or mentee.profile is None or not mentee.profile.is_complete:
        warnings.append(f"{mentee.name}'s profile is incomplete.")
    if mentor.id not in found or mentor.profile is None or not mentor.profile.is_complete:
        warnings.append(f"{mentor.name}'s profile is incomplete.")
    capacity = (mentor.profile.capacity or 0) if mentor.profile else 0
    taken = db.session.scalar(db.select(func.count()).select_from(Match).where(
        Match.mentor_id == mentor.id, Match.status.in_((MatchStatus.ACTIVE, *PENDING))))
    if taken >= capacity:
        warnings.append(f"{mentor.name} is full: {taken} of {capacity} places are taken or proposed.")
    if mentor.profile is not None and not mentor.profile.accepting_mentees:
        warnings.append(f"{mentor.name} is not accepting new mentees.")
    if mentee.id in found and mentor.id in found:
        reason = forbidden_reason(found[mentee.id], replace(found[mentor.id], capacity=max(1, capacity - taken)),
                                  declined=declined_pairs(mentee.id))
        if reason:
            warnings.append(f"The matching rules forbid this pair: {reason.lower()}.")
    return warnings


def find_pair(mentee_email: str, mentor_email: str) -> tuple[User, User]:
    """The mentee and the mentor named by email; ``MatchError`` if either is not one."""
    return _participant(mentee_email, Role.MENTEE), _participant(mentor_email, Role.MENTOR)


def pair_by_hand(coordinator: User, mentee_email: str, mentor_email: str, confirmed: bool = False) -> Match:
    """Propose a pair chosen by the coordinator; both must still accept.

    Raises ``MatchError`` when the pair cannot exist (wrong people, already
    paired) and ``PairNeedsConfirmation`` when it breaks a rule the
    coordinator may override.
    """
    mentee, mentor = find_pair(mentee_email, mentor_email)
    for someone in (mentee, mentor):
        if must_confirm(someone):
            raise MatchError(f"{someone.name} has not confirmed their email address yet.")
    if db.session.scalar(db.select(Match.id).where(Match.mentee_id == mentee.id, Match.status == MatchStatus.ACTIVE)):
        raise MatchError(f"{mentee.name} already has an active mentor.")
    if db.session.scalar(db.select(Match.id).where(Match.mentee_id == mentee.id, Match.mentor_id == mentor.id,
                                                   Match.status.in_(PENDING))):
        raise MatchError(f"{mentee.name} and {mentor.name} already have an open match.")
    warnings = pair_warnings(mentee, mentor)
    if warnings and not confirmed:
        raise PairNeedsConfirmation(warnings)
    found = features_of([mentee.id, mentor.id])
    score = (explain(found[mentee.id], found[mentor.id]).score
             if mentee.id in found and mentor.id in found else None)
    try:
        with transaction():
            match = Match(mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.MANUAL,
                          status=MatchStatus.PROPOSED, score=score, closed_by_id=None,
                          expires_at=utcnow() + timedelta(days=current_app.config["MATCH_EXPIRY_DAYS"]))
            db.session.add(match)
            db.session.flush()
            notify(mentee, Kind.PROPOSAL, proposal_text(mentor.name, "mentor"), match.id)
            notify(mentor, Kind.PROPOSAL, proposal_text(mentee.name, "mentee"), match.id)
            audit.record(coordinator, "override" if warnings else "manual_pair",
                         f"Paired {mentee.name} with {mentor.name} by hand" + (" despite warnings" if warnings else ""),
                         target=match, after={"mentee_id": mentee.id, "mentor_id": mentor.id,
                                              "score": float(score) if score is not None else None,
                                              "warnings": warnings})
    except IntegrityError as error:
        raise MatchError(f"{mentee.name} and {mentor.name} already have an open match.") from error
    return match
