"""Read the program's people into the matching engine's plain records.

A handful of column queries whatever the pool size: profiles, their tags,
and match counts, joined in Python. No ORM objects are built, so a pool of
12,500 people loads in a fraction of a second.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func

from mentormatch.extensions import db
from mentormatch.matching import MenteeFeatures, MentorFeatures
from mentormatch.models import (
    PENDING, Match, MatchStatus, Membership, MembershipStatus, MembershipTag, Profile, ProfileTag, TagKind, User,
)
from mentormatch.models import ProgramRole
from mentormatch.services.accounts import matchable_accounts


@dataclass
class Pool:
    """Who can be matched now, as engine records, plus pairs never to propose."""

    mentees: list[MenteeFeatures]
    mentors: list[MentorFeatures]
    declined: set[tuple[int, int]] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)


def declined_pairs(program_id: int, mentee_id: int | None = None) -> set[tuple[int, int]]:
    """(mentee, mentor) pairs declined before in this program; never proposed again there."""
    query = db.select(Match.mentee_id, Match.mentor_id).where(
        Match.program_id == program_id, Match.status == MatchStatus.DECLINED)
    if mentee_id is not None:
        query = query.where(Match.mentee_id == mentee_id)
    return {tuple(row) for row in db.session.execute(query)}


def _tags(profile_ids: list[int] | None, program_id: int | None = None) -> dict[int, dict[str, set[str]]]:
    """Person-level tags (specialties, credentials, goals a mentor helps with) by profile id:
    of ``profile_ids``, or of every member of ``program_id``."""
    query = db.select(ProfileTag.profile_id, ProfileTag.kind, ProfileTag.code)
    if profile_ids is not None:
        query = query.where(ProfileTag.profile_id.in_(profile_ids))
    if program_id is not None:
        query = (query.join(Profile, Profile.id == ProfileTag.profile_id)
                 .join(Membership, Membership.user_id == Profile.user_id)
                 .where(Membership.program_id == program_id))
    tags: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for profile_id, kind, code in db.session.execute(query):
        tags[profile_id][kind].add(code)
    return tags


def _membership_tags(program_id: int, membership_ids: list[int] | None = None) -> dict[int, dict[str, set[str]]]:
    query = (db.select(MembershipTag.membership_id, MembershipTag.kind, MembershipTag.code)
             .join(Membership, Membership.id == MembershipTag.membership_id)
             .where(Membership.program_id == program_id))
    if membership_ids is not None:
        query = query.where(MembershipTag.membership_id.in_(membership_ids))
    tags: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for membership_id, kind, code in db.session.execute(query):
        tags[membership_id][kind].add(code)
    return tags


def _counts(program_id: int, statuses, column) -> dict[int, int]:
    return dict(db.session.execute(
        db.select(column, func.count()).where(Match.program_id == program_id, Match.status.in_(statuses))
        .group_by(column)
    ).all())


# Named positions of the rows below.
_PROFILE_COLUMNS = (Profile.id, User.id, User.name, Membership.role, Profile.years_experience, Profile.time_zone,
                    Profile.shift, Profile.meeting_mode, Profile.meeting_frequency, Membership.capacity,
                    Membership.accepting_mentees, Membership.id)


def _mentee(row, tags, own) -> MenteeFeatures:
    return MenteeFeatures(
        id=row[1], specialties=frozenset(tags[TagKind.SPECIALTY]), goals=frozenset(own[TagKind.GOAL]),
        credentials=frozenset(tags[TagKind.CREDENTIAL]),
        credentials_sought=frozenset(own[TagKind.CREDENTIAL_SOUGHT]),
        years_experience=row[4], time_zone=row[5], shift=row[6], meeting_mode=row[7], frequency=row[8],
    )


def _mentor(row, tags, free: int) -> MentorFeatures:
    return MentorFeatures(
        id=row[1], specialties=frozenset(tags[TagKind.SPECIALTY]),
        goals_supported=frozenset(tags[TagKind.GOAL]), credentials=frozenset(tags[TagKind.CREDENTIAL]),
        years_experience=row[4], time_zone=row[5], shift=row[6], meeting_mode=row[7], frequency=row[8],
        capacity=free,
    )


def _members(program_id: int):
    return (db.select(*_PROFILE_COLUMNS).join(User, User.id == Profile.user_id)
            .join(Membership, Membership.user_id == User.id).where(Membership.program_id == program_id))


def load_pool(program_id: int, *, pending_uses_capacity: bool = True) -> Pool:
    """Every unmatched mentee with a complete profile and every mentor with free places, in one program,
    each side in id order.

    Only active memberships count. A mentee is unmatched when they have no
    active and no pending match in the program. A mentor's free places are
    their membership's capacity minus active matches there, and minus pending
    ones too when ``pending_uses_capacity`` (a round must not over-propose).
    """
    rows = db.session.execute(  # in id order: ties (suggestions, rounds) break the same way on every database
        _members(program_id).where(matchable_accounts(), Membership.status == MembershipStatus.ACTIVE)
        .order_by(User.id)).all()
    tags = _tags(None, program_id)  # only this program's members: other programs' people are never read
    own = _membership_tags(program_id)
    busy_mentees = set(db.session.scalars(
        db.select(Match.mentee_id).where(Match.program_id == program_id,
                                         Match.status.in_((*PENDING, MatchStatus.ACTIVE)))))
    taken = _counts(program_id, (MatchStatus.ACTIVE, *PENDING) if pending_uses_capacity else (MatchStatus.ACTIVE,),
                    Match.mentor_id)
    pool = Pool(mentees=[], mentors=[], declined=declined_pairs(program_id))
    empty: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        profile_tags = tags.get(row[0], empty)
        if not profile_tags[TagKind.SPECIALTY]:
            continue
        membership_tags = own.get(row[11], empty)
        if row[3] == ProgramRole.MENTEE and row[1] not in busy_mentees and membership_tags[TagKind.GOAL]:
            pool.mentees.append(_mentee(row, profile_tags, membership_tags))
        elif row[3] == ProgramRole.MENTOR and row[10] and (row[9] or 0) - taken.get(row[1], 0) > 0:
            pool.mentors.append(_mentor(row, profile_tags, (row[9] or 0) - taken.get(row[1], 0)))
        else:
            continue
        pool.names[row[1]] = row[2]
    return pool


def features_of(program_id: int, user_ids: list[int]) -> dict[int, MenteeFeatures | MentorFeatures]:
    """Engine records for a few named members of one program, whatever their state (for explanations)."""
    rows = db.session.execute(_members(program_id).where(User.id.in_(user_ids))).all()
    tags = _tags([row[0] for row in rows])
    own = _membership_tags(program_id, [row[11] for row in rows])
    empty: dict[str, set[str]] = defaultdict(set)
    found: dict[int, MenteeFeatures | MentorFeatures] = {}
    for row in rows:
        profile_tags = tags.get(row[0], empty)
        found[row[1]] = (_mentee(row, profile_tags, own.get(row[11], empty)) if row[3] == ProgramRole.MENTEE
                         else _mentor(row, profile_tags, max(row[9] or 0, 1)))
    return found
