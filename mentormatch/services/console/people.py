"""People of one program: search, one member's page and match history there, deactivation and review flags.

A program's people are its memberships: each shows the person's side in this
program and the membership's status. Deactivating an account is account-wide
(it blocks the login and frees the person's places in every program), but a
coordinator may do it only to members of a program they run. Coordinators are
appointed per program by a site administrator, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import (
    PENDING, AuditEntry, Match, MatchStatus, Membership, MembershipStatus, Profile, ProfileTag, Program, ReviewFlag,
    TagKind, User,
)
from mentormatch.services import sessions
from mentormatch.services.console import audit
from mentormatch.services.matches import withdraw_pending_of
from mentormatch.services.paging import Page, bounds
from mentormatch.services.transactions import lock, transaction

STATES = ("active", "inactive")  # of the account
MEMBERSHIP_STATES = tuple(s.value for s in MembershipStatus)


class PeopleError(ValueError):
    """The change is not allowed for this person; the message says why."""


def search(program: Program, page: int, per_page: int, *, text: str = "", role: str = "", specialty: str = "",
           state: str = "", status: str = "") -> Page:
    """``program``'s members whose name or email contains ``text``, filtered by their role there, specialty,
    account state and membership status; the items are memberships with their people (three queries)."""
    conditions = [Membership.program_id == program.id, User.deleted_at.is_(None)]
    if text:
        needle = text.strip().lower()
        conditions.append(or_(func.lower(User.name).contains(needle, autoescape=True),
                              User.email.contains(needle, autoescape=True)))
    if role:
        conditions.append(Membership.role == role)
    if status in MEMBERSHIP_STATES:
        conditions.append(Membership.status == status)
    if state in STATES:
        conditions.append(User.active.is_(state == "active"))
    if specialty:
        conditions.append(User.id.in_(db.select(Profile.user_id).join(ProfileTag).where(
            ProfileTag.kind == TagKind.SPECIALTY, ProfileTag.code == specialty)))
    base = db.select(Membership).join(User, User.id == Membership.user_id).where(*conditions)
    total = db.session.scalar(db.select(func.count()).select_from(base.subquery()))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        base.options(selectinload(Membership.user).selectinload(User.profile))
        .order_by(func.lower(User.name), User.id).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total,
                {"q": text, "role": role, "specialty": specialty, "state": state, "status": status})


@dataclass(frozen=True)
class PersonView:
    user: User
    membership: Membership  # in the program the page is about
    matches: list[Match]  # in that program only
    flag: ReviewFlag | None
    history: list[AuditEntry]  # that program's audit entries about this person, newest first


def get_member(program: Program, user_id: int) -> User | None:
    """The person ``user_id`` if they hold (or held) a membership in ``program``; None otherwise."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.membership_in(program.id) is not None else None


def person(program: Program, user_id: int, history_limit: int = 20) -> PersonView | None:
    """A member of ``program`` with their profile, matches there, their flag and audit history there."""
    user = db.session.scalar(db.select(User).where(User.id == user_id)
                             .options(selectinload(User.profile).selectinload(Profile.tags)))
    membership = user.membership_in(program.id) if user is not None else None
    if membership is None:
        return None
    found = db.session.scalars(
        db.select(Match).where(Match.program_id == program.id,
                               or_(Match.mentee_id == user.id, Match.mentor_id == user.id))
        .options(selectinload(Match.mentee), selectinload(Match.mentor))
        .order_by(Match.created_at.desc(), Match.id.desc())).all()
    flag = db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == user.id))
    history = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.program_id == program.id, AuditEntry.target_type == "user",
                                    AuditEntry.target_id == user.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(history_limit)).all()
    return PersonView(user, membership, list(found), flag, list(history))


def _member(program: Program, user: User) -> Membership:
    membership = user.membership_in(program.id)
    if membership is None:
        raise PeopleError(f"{user.name} is not a member of {program.name}.")
    return membership


WITHDRAWN_NOTICE = "The match between {mentee} and {mentor} was withdrawn."


@dataclass(frozen=True)
class DeactivationPreview:
    """What deactivating ``user`` would do, for the page that asks first."""

    user: User
    pending: int  # open proposals and requests in every program, withdrawn (the other side is told)
    active: int  # active pairs in every program: they stay, but the person can no longer log in to them
    problem: str = ""  # why it cannot be done ("" when it can)


def deactivation_preview(program: Program, user: User, coordinator: User) -> DeactivationPreview:
    """Count what deactivating a member of ``program`` would touch; writes nothing."""
    _member(program, user)
    counts = dict(db.session.execute(
        db.select(Match.status, func.count()).where(or_(Match.mentee_id == user.id, Match.mentor_id == user.id),
                                                    Match.status.in_((*PENDING, MatchStatus.ACTIVE)))
        .group_by(Match.status)).all())
    problem = ("You cannot deactivate your own account." if user.id == coordinator.id
               else f"{user.name}'s account is already deactivated." if not user.active else "")
    return DeactivationPreview(user, sum(counts.get(s, 0) for s in PENDING), counts.get(MatchStatus.ACTIVE, 0),
                               problem)


def deactivate(program: Program, user: User, coordinator: User) -> list[int]:
    """Block the account of a member of ``program`` and take it out of matching everywhere.

    Withdraws their pending matches in every program (returned), so their places are free again.
    """
    _member(program, user)
    if user.id == coordinator.id:
        raise PeopleError("You cannot deactivate your own account.")
    if not user.active:
        raise PeopleError(f"{user.name}'s account is already deactivated.")
    return deactivate_account(user, coordinator, [program])


def deactivate_account(user: User, by: User | None, programs: list[Program | int | None],
                       actor_name: str | None = None) -> list[int]:
    """Block ``user``'s login at once and withdraw their pending matches everywhere; returns those withdrawn.

    One transaction, audited once for each of ``programs`` (None: no program). ``by`` is the coordinator,
    or None for an identity provider (SCIM), named ``actor_name`` in the log; None closes the matches in
    the person's own name, as leaving does.
    """
    with transaction():
        withdrawn = withdraw_pending_of(user, by or user, notice=WITHDRAWN_NOTICE)
        user.active = False
        sessions.end_other_sessions(user)  # logged out on their next request
        for program in programs:
            audit.record(by, "deactivated", f"Deactivated {user.name} ({user.email})", target=user,
                         program=program, before={"active": True},
                         after={"active": False, "withdrawn_matches": withdrawn}, actor_name=actor_name)
    return withdrawn


# What a coordinator may do to a membership: from status -> to status.
MEMBERSHIP_CHANGES = {
    MembershipStatus.APPLIED: (MembershipStatus.ACTIVE, MembershipStatus.LEFT),
    MembershipStatus.ACTIVE: (MembershipStatus.PAUSED, MembershipStatus.LEFT),
    MembershipStatus.PAUSED: (MembershipStatus.ACTIVE, MembershipStatus.LEFT),
    MembershipStatus.LEFT: (),
}


def paired_in(program: Program, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` have an active pair in ``program``: their membership cannot end until it does."""
    found: set[int] = set()
    for start in range(0, len(user_ids), 500):
        ids = set(user_ids[start:start + 500])
        for mentee_id, mentor_id in db.session.execute(db.select(Match.mentee_id, Match.mentor_id).where(
                Match.program_id == program.id, Match.status == MatchStatus.ACTIVE,
                or_(Match.mentee_id.in_(ids), Match.mentor_id.in_(ids)))):
            found.update({mentee_id, mentor_id} & ids)
    return found


def end_membership(program: Program, user: User, membership: Membership, by: User | None) -> list[int]:
    """Make ``membership`` (of ``program``) left inside the caller's transaction; returns the matches withdrawn.

    Their pending matches here are withdrawn (the other side is told), so a mentor's places are free, and a
    mentor stops taking mentees. The caller checks ``paired_in`` first and records the audit entry; ``by``
    None (the command line) closes the matches in the leaver's name.
    """
    withdrawn = withdraw_pending_of(user, by or user, program.id, notice=WITHDRAWN_NOTICE)
    membership.status = MembershipStatus.LEFT
    membership.accepting_mentees = False
    return withdrawn


def change_membership(program: Program, user: User, status: str, coordinator: User) -> list[int]:
    """Admit, pause, resume or end ``user``'s membership of ``program``; returns the matches withdrawn.

    Pausing or ending withdraws their pending matches in this program (a paused member is not
    matched, so nothing should wait on them); ending is refused while they have an active pair
    there (end the pair first, so the other person is told). Their other programs are untouched.
    """
    membership = _member(program, user)
    wanted = MembershipStatus(status)
    with transaction():
        lock(membership)  # two coordinators at once: the second sees the first one's change
        db.session.refresh(membership)
        before = membership.status
        if wanted not in MEMBERSHIP_CHANGES[MembershipStatus(before)]:
            raise PeopleError(f"{user.name}'s membership is {before}: it cannot become {wanted} now.")
        if wanted == MembershipStatus.LEFT and paired_in(program, [user.id]):
            raise PeopleError(f"{user.name} has an active pair in {program.name}: end the pair first.")
        if wanted == MembershipStatus.LEFT:
            withdrawn = end_membership(program, user, membership, coordinator)
        else:
            withdrawn = (withdraw_pending_of(user, coordinator, program.id, notice=WITHDRAWN_NOTICE)
                         if wanted == MembershipStatus.PAUSED else [])
            membership.status = wanted
        audit.record(coordinator, "membership_changed",
                     f"{user.name}'s membership of {program.name}: {before} -> {wanted}", target=user,
                     program=program, before={"status": before},
                     after={"status": str(wanted), "withdrawn_matches": withdrawn})
    return withdrawn


def reactivate(program: Program, user: User, coordinator: User) -> None:
    """Let a member of ``program`` log in and be matched again."""
    _member(program, user)
    if user.active:
        raise PeopleError(f"{user.name}'s account is active already.")
    if user.deleted_at is not None:
        raise PeopleError("This account was deleted by its owner and cannot be reactivated.")
    with transaction():
        user.active = True
        audit.record(coordinator, "reactivated", f"Reactivated {user.name} ({user.email})", target=user,
                     program=program, before={"active": False}, after={"active": True})


def flag(program: Program, user: User, reason: str, coordinator: User) -> ReviewFlag:
    """Mark a member's profile for review, or change the reason of an existing flag."""
    _member(program, user)
    reason = reason.strip()
    if not reason:
        raise PeopleError("Say why the profile needs a look.")
    with transaction():
        lock(user)  # two coordinators flagging at once: the second changes the first one's flag
        existing = db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == user.id))
        before = {"reason": existing.reason} if existing else {}
        found = existing or ReviewFlag(user_id=user.id)
        found.reason, found.flagged_by_id = reason[:300], coordinator.id
        db.session.add(found)
        audit.record(coordinator, "flagged", f"Flagged {user.name}'s profile for review", target=user,
                     program=program, before=before, after={"reason": found.reason})
    return found


def clear_flag(program: Program, user: User, coordinator: User) -> None:
    """Remove the review flag on a member's profile (the audit log keeps its history)."""
    _member(program, user)
    existing = db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == user.id))
    if existing is None:
        raise PeopleError(f"{user.name}'s profile is not flagged.")
    with transaction():
        audit.record(coordinator, "flag_cleared", f"Cleared the review flag on {user.name}'s profile",
                     target=user, program=program, before={"reason": existing.reason}, after={})
        db.session.delete(existing)
