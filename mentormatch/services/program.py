"""Program-wide figures for coordinators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from mentormatch.extensions import db
from mentormatch.models import Profile, Role, User


@dataclass(frozen=True)
class ProgramSummary:
    mentors: int
    mentees: int
    coordinators: int
    profiles_missing: int
    mentor_capacity: int
    mentors_accepting: int


def program_summary() -> ProgramSummary:
    """Head counts and mentor capacity, in two queries whatever the program size."""
    by_role = dict(
        db.session.execute(
            db.select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
        ).all()
    )
    with_profile, capacity, accepting = db.session.execute(
        db.select(
            func.count(Profile.id),
            func.coalesce(func.sum(Profile.capacity), 0),
            func.count(Profile.id).filter(Profile.accepting_mentees.is_(True)),
        ).join(User).where(User.active.is_(True))
    ).one()
    participants = by_role.get(Role.MENTOR, 0) + by_role.get(Role.MENTEE, 0)
    return ProgramSummary(
        mentors=by_role.get(Role.MENTOR, 0),
        mentees=by_role.get(Role.MENTEE, 0),
        coordinators=by_role.get(Role.COORDINATOR, 0),
        profiles_missing=participants - with_profile,
        mentor_capacity=int(capacity),
        mentors_accepting=accepting,
    )
