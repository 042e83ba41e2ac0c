"""Programs and memberships: creating programs, appointing coordinators, joining.

The rules: one membership per person and program (so never both roles in
the same program); a person enrols themselves only where the program is
open to their side today; coordinators and roster imports may enrol anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import (
    Membership, MembershipStatus, Program, ProgramCoordinator, ProgramRole, TagKind, User,
)
from mentormatch.models.user import utcnow
from mentormatch.services.transactions import transaction


class ProgramError(ValueError):
    """A program rule refused the change; the message is for the person."""


@dataclass
class ProgramInput:
    """Validated program settings, as the administrator's form hands them over."""

    name: str
    slug: str = ""  # made from the name when empty
    description: str = ""
    track: str = "general"
    enrolment: str = "open"
    enrol_opens_on: date | None = None
    enrol_closes_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    agreement_months: int = 6
    mentors_may_join: bool = True
    mentees_may_join: bool = True
    matching_method: str = "optimal"
    max_open_requests: int | None = None  # None: the installation's default (config)
    expiry_days: int | None = None
    suggestions: int | None = None
    direct_requests: bool = True


@dataclass
class MembershipInput:
    """What joining a program asks: goals for mentees, capacity for mentors."""

    role: str
    goals: list[str] = field(default_factory=list)  # mentees: career goals sought here
    credentials_sought: list[str] = field(default_factory=list)  # mentees
    capacity: int | None = None  # mentors
    accepting_mentees: bool = True  # mentors


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "program"


def create_program(data: ProgramInput, by: User | None = None) -> Program:
    """A new program; the installation's matching defaults fill what ``data`` leaves out."""
    defaults = matching_defaults()
    program = Program(
        slug=data.slug or slugify(data.name), name=data.name.strip(), description=data.description.strip(),
        track=data.track, enrolment=data.enrolment, enrol_opens_on=data.enrol_opens_on,
        enrol_closes_on=data.enrol_closes_on, starts_on=data.starts_on, ends_on=data.ends_on,
        agreement_months=data.agreement_months, mentors_may_join=data.mentors_may_join,
        mentees_may_join=data.mentees_may_join, matching_method=data.matching_method, weights={},
        max_open_requests=data.max_open_requests or defaults["max_open_requests"],
        expiry_days=data.expiry_days or defaults["expiry_days"],
        suggestions=data.suggestions or defaults["suggestions"], direct_requests=data.direct_requests)
    try:
        with transaction():
            db.session.add(program)
            db.session.flush()
            if by is not None:
                from mentormatch.services.console import audit
                audit.record(by, "program_created", f"Created program {program.name}", target=program,
                             program=program, after={"slug": program.slug, "track": program.track,
                                                     "enrolment": program.enrolment})
    except IntegrityError as error:
        raise ProgramError("Another program already uses that short name (slug); choose another.") from error
    return program


SETTINGS = ("name", "description", "track", "enrolment", "enrol_opens_on", "enrol_closes_on", "starts_on",
            "ends_on", "agreement_months", "mentors_may_join", "mentees_may_join", "matching_method",
            "max_open_requests", "expiry_days", "suggestions", "direct_requests")


def update_program(program: Program, data: ProgramInput, by: User | None = None) -> Program:
    """Change a program's settings (its short name too); the audit log keeps what changed, before and after.

    New rules apply from now on: requests and proposals already open keep their expiry dates.
    """
    values = {name: getattr(data, name) for name in SETTINGS}
    values["name"], values["description"] = data.name.strip(), data.description.strip()
    values["slug"] = data.slug or program.slug
    for name in ("max_open_requests", "expiry_days", "suggestions"):
        if values[name] is None:
            values[name] = getattr(program, name)
    before = {k: _plain(getattr(program, k)) for k in values if getattr(program, k) != values[k]}
    try:
        with transaction():
            for key, value in values.items():
                setattr(program, key, value)
            db.session.flush()
            if before and by is not None:
                from mentormatch.services.console import audit
                audit.record(by, "program_changed", f"Changed the settings of {program.name}", target=program,
                             program=program, before=before, after={k: _plain(values[k]) for k in before})
    except IntegrityError as error:
        db.session.expire(program)
        raise ProgramError("Another program already uses that short name (slug); choose another.") from error
    return program


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def appoint_coordinator(program: Program, user: User, by: User | None = None) -> None:
    """Make ``user`` a coordinator of ``program`` (nothing changes if they are one already)."""
    with transaction():
        if db.session.get(ProgramCoordinator, (program.id, user.id)) is None:
            db.session.add(ProgramCoordinator(program_id=program.id, user_id=user.id))
            if by is not None:
                from mentormatch.services.console import audit
                audit.record(by, "coordinator_appointed", f"Appointed {user.name} to coordinate {program.name}",
                             target=user, program=program)
    db.session.expire(user, ["coordinated_programs"])


def enrol(user: User, program: Program, data: MembershipInput,
          status: MembershipStatus = MembershipStatus.ACTIVE) -> Membership:
    """Add ``user`` to ``program`` without the self-enrolment rules (roster imports, coordinators, sign-up).

    Raises ``ProgramError`` when they are a member already (one membership per program).
    """
    role = ProgramRole(data.role)
    membership = Membership(user_id=user.id, program_id=program.id, role=role, status=status)
    _apply(membership, data)
    try:
        with transaction():
            db.session.add(membership)
            db.session.flush()
    except IntegrityError as error:
        raise ProgramError(f"{user.name} is already a member of {program.name}.") from error
    db.session.expire(user, ["memberships"])
    return membership


def join(user: User, program: Program, data: MembershipInput, on: date | None = None) -> Membership:
    """``user`` enrols themselves in ``program`` on the side ``data.role``, if the program lets them."""
    on = on or utcnow().date()
    earlier = user.membership_in(program.id)
    if earlier is not None and earlier.status != MembershipStatus.LEFT:
        raise ProgramError(f"You are already a member of {program.name}.")
    if not program.is_open_to(data.role, on):
        raise ProgramError(f"{program.name} is not open to new {data.role}s right now.")
    if earlier is None:
        return enrol(user, program, data)
    # Someone who left comes back (on either side: leaving needed their pairs there to have ended).
    with transaction():
        earlier.role, earlier.status = ProgramRole(data.role), MembershipStatus.ACTIVE
        _apply(earlier, data)
    return earlier


def update_membership(membership: Membership, data: MembershipInput) -> Membership:
    """Change a member's own answers (goals, capacity); the side stays."""
    with transaction():
        _apply(membership, data)
    return membership


def _apply(membership: Membership, data: MembershipInput) -> None:
    if membership.role == ProgramRole.MENTEE:
        membership.replace_codes(TagKind.GOAL, data.goals)
        membership.replace_codes(TagKind.CREDENTIAL_SOUGHT, data.credentials_sought)
        membership.capacity, membership.accepting_mentees = None, False
    else:
        membership.replace_codes(TagKind.GOAL, [])
        membership.replace_codes(TagKind.CREDENTIAL_SOUGHT, [])
        membership.capacity, membership.accepting_mentees = data.capacity, data.accepting_mentees


def find_appointee(program: Program, email: str) -> User:
    """The active account with this address, to appoint to ``program``; ``ProgramError`` when there is none
    or it coordinates the program already. Writes nothing (the administrator confirms first)."""
    from mentormatch.services.accounts import find_user_by_email

    user = find_user_by_email(email)
    if user is None or user.deleted_at is not None or not user.active:
        raise ProgramError("No active account uses that address; the person signs up first "
                           "(or run flask create-coordinator).")
    if db.session.get(ProgramCoordinator, (program.id, user.id)) is not None:
        raise ProgramError(f"{user.name} coordinates {program.name} already.")
    return user


def appoint_by_email(program: Program, email: str, by: User | None = None) -> User:
    """Appoint the active account with this address; ``ProgramError`` when there is none."""
    user = find_appointee(program, email)
    appoint_coordinator(program, user, by=by)
    return user


def coordinator_of(program: Program, user_id: int) -> User | None:
    """The coordinator of ``program`` with this id, or None when nobody with it coordinates the program."""
    return next((user for user in program.coordinators if user.id == user_id), None)


def programs_with_coordinators() -> list[Program]:
    """Every program with its coordinators loaded (the administrator's list, two queries)."""
    return list(db.session.scalars(db.select(Program).options(selectinload(Program.coordinators))
                                   .order_by(Program.name, Program.id)))


def member_counts(program: Program) -> dict[str, int]:
    """Members of ``program`` who have not left, by side."""
    return dict(db.session.execute(
        db.select(Membership.role, db.func.count())
        .where(Membership.program_id == program.id, Membership.status != MembershipStatus.LEFT)
        .group_by(Membership.role)).all())


def matching_defaults() -> dict[str, int]:
    """The installation's defaults for a new program's matching limits (config)."""
    config = current_app.config
    return {"max_open_requests": config["MAX_OPEN_REQUESTS"], "expiry_days": config["MATCH_EXPIRY_DAYS"],
            "suggestions": config["SUGGESTIONS"]}


def all_programs() -> list[Program]:
    return list(db.session.scalars(db.select(Program).order_by(Program.name, Program.id)))


def programs_run_by(user: User) -> list[Program]:
    """The programs ``user`` coordinates: every program for a site administrator."""
    return all_programs() if user.is_admin else list(user.coordinated_programs)


def open_programs(user: User | None, on: date | None = None) -> list[Program]:
    """Programs someone may join now on at least one side, leaving out those ``user`` is in."""
    on = on or utcnow().date()
    mine = {m.program_id for m in user.memberships if m.status != MembershipStatus.LEFT} if user else set()
    return [p for p in all_programs()
            if p.id not in mine and (p.is_open_to(ProgramRole.MENTEE, on) or p.is_open_to(ProgramRole.MENTOR, on))]


def only_open_program(on: date | None = None) -> Program | None:
    """The program a newcomer joins at sign-up when it is the only one open ("one program stays simple")."""
    found = open_programs(None, on)
    return found[0] if len(found) == 1 else None


# The navigation asks on most pages: built once, each request only runs it.
_PROGRAM_COUNT = db.select(db.func.count()).select_from(Program)


def several_programs() -> bool:
    """Whether programs should show at all: only once a second program exists."""
    return (db.session.scalar(_PROGRAM_COUNT) or 0) > 1


def remove_coordinator(program: Program, user: User, by: User | None = None) -> bool:
    """End ``user``'s appointment to ``program``; returns whether they were one of its coordinators."""
    with transaction():
        appointment = db.session.get(ProgramCoordinator, (program.id, user.id))
        if appointment is None:
            return False
        db.session.delete(appointment)
        if by is not None:
            from mentormatch.services.console import audit
            audit.record(by, "coordinator_removed", f"Removed {user.name} as coordinator of {program.name}",
                         target=user, program=program)
    db.session.expire(user, ["coordinated_programs"])
    return True


def programs_of(user: User) -> list[Program]:
    """The programs ``user`` works in: those they are a member of (not left) and those they coordinate.

    A fixed number of queries however many programs: the member ones are loaded together.
    """
    seen = {p.id: p for p in programs_run_by(user)} if user.is_coordinator else {}
    seen.update((m.program_id, m.program) for m in user.memberships if m.status != MembershipStatus.LEFT)
    return sorted(seen.values(), key=lambda p: (p.name, p.id))


def leave_all(user: User) -> None:
    """A deleted account leaves every program: memberships with matches become "left", others go.

    Call it inside the caller's transaction (account deletion); coordinator appointments end too.
    """
    from mentormatch.models import Match

    with_matches = set(db.session.scalars(
        db.select(Match.program_id).where((Match.mentee_id == user.id) | (Match.mentor_id == user.id)).distinct()))
    for membership in list(user.memberships):
        if membership.program_id in with_matches:
            membership.status = MembershipStatus.LEFT
            membership.accepting_mentees = False
            membership.tags = []
        else:
            db.session.delete(membership)
    db.session.execute(db.delete(ProgramCoordinator).where(ProgramCoordinator.user_id == user.id))
    db.session.flush()
    db.session.expire(user, ["memberships", "coordinated_programs"])
