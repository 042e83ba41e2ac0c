"""Program-health figures for one program's dashboard, in a fixed number of queries.

Everything here reads one program's rows: its memberships, its matches and
the agreements, meetings and feedback of those matches.

Every figure is an aggregate the database computes (counts, sums, group-bys),
except cadence, whose rule lives in services.agreements.cadence: for that the
active pairs' current terms and last meeting dates are read as plain columns
(one query) and the rule applied in Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Integer, and_, case, cast, func
from sqlalchemy.orm import aliased

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import (
    PENDING, Agreement, AgreementFeedback, AgreementStatus, AgreementVersion, Match, MatchOrigin, MatchStatus,
    Meeting, Membership, MembershipStatus, Profile, ProfileTag, Program, ProgramCoordinator, ProgramRole, TagKind,
    User, VersionStatus,
)
from mentormatch.services.agreements.access import today
from mentormatch.services.agreements.cadence import DUE_SOON, ON_TRACK, OVERDUE, Cadence, cadence_of
from mentormatch.services.console.outcomes import Outcomes, outcomes

WEEKS = 12  # weeks shown in "matches per week"
WEEK_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class PairCadence:
    agreement_id: int
    match_id: int
    mentee_id: int
    mentor_id: int
    frequency: str
    cadence: Cadence


def pair_cadences(program: Program, on: date | None = None) -> tuple[list[PairCadence], int]:
    """Every active pair of ``program`` with confirmed terms and its cadence, plus how many have no terms yet."""
    latest = (db.select(AgreementVersion.agreement_id, func.max(AgreementVersion.number).label("number"))
              .where(AgreementVersion.status == VersionStatus.CONFIRMED)
              .group_by(AgreementVersion.agreement_id).subquery())
    last = (db.select(Meeting.agreement_id, func.max(Meeting.held_on).label("held_on"))
            .group_by(Meeting.agreement_id).subquery())
    terms = aliased(AgreementVersion)
    rows = db.session.execute(
        db.select(Agreement.id, Match.id, Match.mentee_id, Match.mentor_id, terms.frequency, terms.start_date,
                  last.c.held_on)
        .join(Match, Match.id == Agreement.match_id)
        .outerjoin(latest, latest.c.agreement_id == Agreement.id)
        .outerjoin(terms, and_(terms.agreement_id == Agreement.id, terms.number == latest.c.number))
        .outerjoin(last, last.c.agreement_id == Agreement.id)
        .where(Match.program_id == program.id, Match.status == MatchStatus.ACTIVE,
               Agreement.status != AgreementStatus.ENDED)).all()
    found, without_terms, on = [], 0, on or today()
    for agreement_id, match_id, mentee_id, mentor_id, frequency, start, held_on in rows:
        if frequency is None:
            without_terms += 1
            continue
        found.append(PairCadence(agreement_id, match_id, mentee_id, mentor_id, frequency,
                                 cadence_of(frequency, start, held_on, on)))
    return found, without_terms


def unmatched_mentee_ids(program: Program):
    """A select of ``program``'s active mentees with neither an active nor a pending match in it."""
    busy = db.select(Match.mentee_id).where(Match.program_id == program.id,
                                            Match.status.in_((*PENDING, MatchStatus.ACTIVE)))
    return (db.select(User.id).join(Membership, Membership.user_id == User.id)
            .where(Membership.program_id == program.id, Membership.role == ProgramRole.MENTEE,
                   Membership.status == MembershipStatus.ACTIVE, User.active.is_(True), User.deleted_at.is_(None),
                   User.id.not_in(busy)))


def _mentors(program: Program):
    """Conditions for ``program``'s active mentor memberships of active accounts (join Membership and User)."""
    return (Membership.program_id == program.id, Membership.role == ProgramRole.MENTOR,
            Membership.status == MembershipStatus.ACTIVE, User.active.is_(True), User.deleted_at.is_(None))


def _used(program: Program):
    """Places taken per mentor in ``program``: their active matches there."""
    return (db.select(Match.mentor_id, func.count().label("used"))
            .where(Match.program_id == program.id, Match.status == MatchStatus.ACTIVE)
            .group_by(Match.mentor_id).subquery())


@dataclass(frozen=True)
class SpecialtyBalance:
    code: str
    label: str
    free_places: int  # mentors' free places in this specialty
    mentees_waiting: int  # unmatched mentees who want it


@dataclass
class Dashboard:
    program: Program
    people: dict[str, int]  # mentor / mentee members (not those who left), coordinator appointments
    capacity: int
    places_used: int
    places_free: int
    unmatched: int
    open_requests: int
    open_proposals: int
    active_pairs: int
    cadence: dict[str, int]  # on_track / due_soon / overdue / no_terms
    ended_pairs: int
    average_rating: float | None
    ratings: int
    specialties: list[SpecialtyBalance] = field(default_factory=list)
    weeks: list[tuple[date, int, int]] = field(default_factory=list)  # week start, proposed, became active
    outcomes: Outcomes | None = None  # credentials earned, exam goals reached, expiries soon (console.outcomes)


def free_places_by_specialty(program: Program) -> dict[str, int]:
    """Free places of ``program``'s accepting mentors, per specialty on their profiles."""
    used = _used(program)
    free = func.coalesce(Membership.capacity, 0) - func.coalesce(used.c.used, 0)
    rows = db.session.execute(
        db.select(ProfileTag.code, func.sum(free))
        .join(Profile, Profile.id == ProfileTag.profile_id).join(User, User.id == Profile.user_id)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(used, used.c.mentor_id == User.id)
        .where(ProfileTag.kind == TagKind.SPECIALTY, *_mentors(program),
               Membership.accepting_mentees.is_(True), free > 0)
        .group_by(ProfileTag.code))
    return {code: int(n or 0) for code, n in rows}


def _waiting_by_specialty(program: Program) -> dict[str, int]:
    rows = db.session.execute(
        db.select(ProfileTag.code, func.count())
        .join(Profile, Profile.id == ProfileTag.profile_id)
        .where(ProfileTag.kind == TagKind.SPECIALTY, Profile.user_id.in_(unmatched_mentee_ids(program)))
        .group_by(ProfileTag.code))
    return dict(rows.all())


def _week_of(column, since: datetime):
    """SQL for the number of whole weeks between ``since`` and ``column`` (rows on or after ``since``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor((func.extract("epoch", column) - since.timestamp()) / WEEK_SECONDS), Integer)
    return (cast(func.strftime("%s", column), Integer) - int(since.timestamp())) // WEEK_SECONDS


def _weeks(program: Program, now: datetime) -> list[tuple[date, int, int]]:
    """Matches started, and pairs made active, in each of the last WEEKS weeks (two grouped queries)."""
    start = (now - timedelta(days=now.weekday())).date() - timedelta(weeks=WEEKS - 1)
    since = datetime.combine(start, datetime.min.time(), timezone.utc)
    started_week, active_week = _week_of(Match.created_at, since), _week_of(Match.decided_at, since)
    proposed = dict(db.session.execute(db.select(started_week, func.count())
                                       .where(Match.program_id == program.id, Match.created_at >= since)
                                       .group_by(started_week)).all())
    active = dict(db.session.execute(
        db.select(active_week, func.count())
        .where(Match.program_id == program.id, Match.decided_at >= since,
               Match.status.in_((MatchStatus.ACTIVE, MatchStatus.ENDED)))
        .group_by(active_week)).all())
    return [(start + timedelta(weeks=k), proposed.get(k, 0), active.get(k, 0)) for k in range(WEEKS)]


def dashboard(program: Program, on: date | None = None) -> Dashboard:
    """Everything ``program``'s dashboard shows (about fourteen queries, whatever the program size)."""
    people = dict(db.session.execute(
        db.select(Membership.role, func.count()).join(User, User.id == Membership.user_id)
        .where(Membership.program_id == program.id, Membership.status != MembershipStatus.LEFT,
               User.active.is_(True), User.deleted_at.is_(None))
        .group_by(Membership.role)).all())
    coordinators = db.session.scalar(db.select(func.count()).select_from(ProgramCoordinator)
                                     .where(ProgramCoordinator.program_id == program.id))
    used = _used(program)
    left = func.coalesce(Membership.capacity, 0) - func.coalesce(used.c.used, 0)
    capacity, places_used, places_free = db.session.execute(
        db.select(func.coalesce(func.sum(Membership.capacity), 0), func.coalesce(func.sum(used.c.used), 0),
                  func.coalesce(func.sum(case((and_(left > 0, Membership.accepting_mentees.is_(True)), left),
                                              else_=0)), 0))
        .select_from(Membership).join(User, User.id == Membership.user_id)
        .outerjoin(used, used.c.mentor_id == User.id)
        .where(*_mentors(program))).one()
    by_status = Counter()
    for status, origin, n in db.session.execute(
            db.select(Match.status, Match.origin, func.count())
            .where(Match.program_id == program.id, Match.status.in_((*PENDING, MatchStatus.ACTIVE)))
            .group_by(Match.status, Match.origin)):
        by_status[("request" if origin == MatchOrigin.REQUEST else "proposal") if status in PENDING else status] += n
    unmatched = db.session.scalar(db.select(func.count()).select_from(unmatched_mentee_ids(program).subquery()))
    cadences, no_terms = pair_cadences(program, on)
    states = Counter(p.cadence.state for p in cadences)
    ended = db.session.scalar(db.select(func.count()).select_from(Agreement)
                              .join(Match, Match.id == Agreement.match_id)
                              .where(Match.program_id == program.id, Agreement.status == AgreementStatus.ENDED))
    average, ratings = db.session.execute(
        db.select(func.avg(AgreementFeedback.rating), func.count(AgreementFeedback.id))
        .join(Agreement, Agreement.id == AgreementFeedback.agreement_id)
        .join(Match, Match.id == Agreement.match_id).where(Match.program_id == program.id)).one()
    free, waiting = free_places_by_specialty(program), _waiting_by_specialty(program)
    return Dashboard(
        program=program,
        people={ProgramRole.MENTOR.value: people.get(ProgramRole.MENTOR, 0),
                ProgramRole.MENTEE.value: people.get(ProgramRole.MENTEE, 0), "coordinator": coordinators or 0},
        capacity=int(capacity), places_used=int(places_used), places_free=max(0, int(places_free)),
        unmatched=unmatched, open_requests=by_status["request"], open_proposals=by_status["proposal"],
        active_pairs=by_status[MatchStatus.ACTIVE],
        cadence={ON_TRACK: states[ON_TRACK], DUE_SOON: states[DUE_SOON], OVERDUE: states[OVERDUE],
                 "no_terms": no_terms},
        ended_pairs=ended, average_rating=float(average) if average is not None else None, ratings=ratings,
        specialties=[SpecialtyBalance(code, label, free.get(code, 0), waiting.get(code, 0))
                     for code, label in domain.SPECIALTIES],
        weeks=_weeks(program, datetime.now(timezone.utc)),
        outcomes=outcomes(program, on),
    )
