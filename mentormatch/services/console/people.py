"""People: search, one person's profile and match history, deactivation, roles and review flags."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import PENDING, AuditEntry, Match, MatchStatus, Profile, ProfileTag, ReviewFlag, Role, TagKind, User
from mentormatch.services import sessions
from mentormatch.services.console import audit
from mentormatch.services.paging import Page, bounds
from mentormatch.services.matches import MatchError, withdraw
from mentormatch.services.transactions import lock, transaction

STATES = ("active", "inactive")


class PeopleError(ValueError):
    """The change is not allowed for this person; the message says why."""


def search(page: int, per_page: int, *, text: str = "", role: str = "", specialty: str = "",
           state: str = "") -> Page:
    """People whose name or email contains ``text``, filtered by role, specialty and state (three queries)."""
    conditions = [User.deleted_at.is_(None)]
    if text:
        needle = text.strip().lower()
        conditions.append(or_(func.lower(User.name).contains(needle, autoescape=True),
                              User.email.contains(needle, autoescape=True)))
    if role:
        conditions.append(User.role == role)
    if state in STATES:
        conditions.append(User.active.is_(state == "active"))
    if specialty:
        conditions.append(User.id.in_(db.select(Profile.user_id).join(ProfileTag).where(
            ProfileTag.kind == TagKind.SPECIALTY, ProfileTag.code == specialty)))
    total = db.session.scalar(db.select(func.count()).select_from(User).where(*conditions))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        db.select(User).where(*conditions).options(selectinload(User.profile))
        .order_by(func.lower(User.name), User.id).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total,
                {"q": text, "role": role, "specialty": specialty, "state": state})


@dataclass(frozen=True)
class PersonView:
    user: User
    matches: list[Match]
    flag: ReviewFlag | None
    history: list[AuditEntry]  # audit entries about this person, newest first


def person(user_id: int, history_limit: int = 20) -> PersonView | None:
    """One person with their profile, every match they were part of, their flag and audit history."""
    user = db.session.scalar(db.select(User).where(User.id == user_id)
                             .options(selectinload(User.profile).selectinload(Profile.tags)))
    if user is None:
        return None
    found = db.session.scalars(
        db.select(Match).where(or_(Match.mentee_id == user.id, Match.mentor_id == user.id))
        .options(selectinload(Match.mentee), selectinload(Match.mentor))
        .order_by(Match.created_at.desc(), Match.id.desc())).all()
    flag = db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == user.id))
    history = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.target_type == "user", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(history_limit)).all()
    return PersonView(user, list(found), flag, list(history))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _withdraw_pending(user: User, coordinator: User) -> list[int]:
    pending = db.session.scalars(db.select(Match).where(
        or_(Match.mentee_id == user.id, Match.mentor_id == user.id), Match.status.in_(PENDING))).all()
    for match in pending:
        try:
            withdraw(match, coordinator)
        except MatchError:  # expired meanwhile: nothing to withdraw
            continue
    return [m.id for m in pending if m.status == MatchStatus.WITHDRAWN]


def deactivate(user: User, coordinator: User) -> list[int]:
    """Block the account's login and take it out of matching; withdraws its pending matches (returned)."""
    if user.id == coordinator.id:
        raise PeopleError("You cannot deactivate your own account.")
    if not user.active:
        raise PeopleError(f"{user.name}'s account is already deactivated.")
    with transaction():
        withdrawn = _withdraw_pending(user, coordinator)
        user.active = False
        sessions.end_other_sessions(user)  # logged out on their next request
        audit.record(coordinator, "deactivated", f"Deactivated {user.name} ({user.email})", target=user,
                     before={"active": True}, after={"active": False, "withdrawn_matches": withdrawn})
    return withdrawn


def reactivate(user: User, coordinator: User) -> None:
    """Let the person log in and be matched again."""
    if user.active:
        raise PeopleError(f"{user.name}'s account is active already.")
    if user.deleted_at is not None:
        raise PeopleError("This account was deleted by its owner and cannot be reactivated.")
    with transaction():
        user.active = True
        audit.record(coordinator, "reactivated", f"Reactivated {user.name} ({user.email})", target=user,
                     before={"active": False}, after={"active": True})


def make_coordinator(user: User, coordinator: User) -> None:
    """Give another person the coordinator role; their pending matches are withdrawn."""
    if user.is_coordinator:
        raise PeopleError(f"{user.name} is a coordinator already.")
    if not user.active:
        raise PeopleError("Reactivate the account first.")
    if db.session.scalar(db.select(Match.id).where(
            or_(Match.mentee_id == user.id, Match.mentor_id == user.id), Match.status == MatchStatus.ACTIVE)):
        raise PeopleError(f"{user.name} is in an active pair; end it before making them a coordinator.")
    with transaction():
        before = user.role
        withdrawn = _withdraw_pending(user, coordinator)
        user.role = Role.COORDINATOR
        audit.record(coordinator, "role_changed", f"Made {user.name} a coordinator", target=user,
                     before={"role": before}, after={"role": Role.COORDINATOR.value, "withdrawn_matches": withdrawn})


def flag(user: User, reason: str, coordinator: User) -> ReviewFlag:
    """Mark the person's profile for review, or change the reason of an existing flag."""
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
                     before=before, after={"reason": found.reason})
    return found


def clear_flag(user: User, coordinator: User) -> None:
    """Remove the review flag (the audit log keeps its history)."""
    existing = db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == user.id))
    if existing is None:
        raise PeopleError(f"{user.name}'s profile is not flagged.")
    with transaction():
        audit.record(coordinator, "flag_cleared", f"Cleared the review flag on {user.name}'s profile",
                     target=user, before={"reason": existing.reason}, after={})
        db.session.delete(existing)
