"""Factories for programs, people and profiles; call them inside an app context.

Every person a test makes belongs to one program: ``default_program()`` (made on
first use in each test's database) unless ``program=`` names another.
"""

from __future__ import annotations

import itertools

from mentormatch.extensions import db
from mentormatch.models import Membership, Program, User
from mentormatch.models.user import utcnow
from mentormatch.services import accounts, programs
from mentormatch.services.profiles import ProfileInput, save_profile
from mentormatch.services.programs import MembershipInput, ProgramInput

PASSWORD = "correct horse battery staple"
DEFAULT_SLUG = "test-program"
_numbers = itertools.count(1)
_PROFILE_FIELDS = set(ProfileInput.__dataclass_fields__)
_MEMBERSHIP_FIELDS = set(MembershipInput.__dataclass_fields__) - {"role"}


def make_program(name: str | None = None, **fields) -> Program:
    """Create and commit a program (open to both sides unless told otherwise)."""
    n = next(_numbers)
    return programs.create_program(ProgramInput(name=name or f"Test program {n}", **fields))


def default_program() -> Program:
    """The program people join when a test names none."""
    found = db.session.scalar(db.select(Program).where(Program.slug == DEFAULT_SLUG))
    return found or make_program("Test program", slug=DEFAULT_SLUG)


def profile_input(role: str = "mentee", **overrides) -> ProfileInput:
    """A complete, valid person-level profile for someone on ``role``'s side; override any field."""
    values = dict(
        job_title="Medical Laboratory Technician" if role == "mentee" else "Hematology Lead",
        organisation="Riverside General Hospital",
        years_experience=3 if role == "mentee" else 15,
        time_zone="America/Chicago",
        meeting_mode="virtual",
        meeting_frequency="monthly",
        shift="day",
        bio="I work the day shift in the core lab.",
        specialties=["hematology", "microbiology"],
        credentials=["ascp_mlt"] if role == "mentee" else ["ascp_mls", "ascp_sh"],
        goals=[] if role == "mentee" else ["mlt_to_mls", "supervisor"],
    )
    if role == "mentee":
        values.update(hopes="Help planning the MLS route.")
    values.update(overrides)
    return ProfileInput(**values)


def membership_input(role: str = "mentee", **overrides) -> MembershipInput:
    """Complete, valid answers to a program's membership questions for ``role``."""
    if role == "mentee":
        values = dict(goals=["mlt_to_mls", "certification"], credentials_sought=["ascp_mls"])
    else:
        values = dict(capacity=3, accepting_mentees=True)
    values.update(overrides)
    return MembershipInput(role=role, **values)


def join(user: User, role: str, program: Program | None = None, **overrides) -> Membership:
    """Enrol ``user`` in ``program`` (the default one) as ``role``, with complete answers."""
    return programs.enrol(user, program or default_program(), membership_input(role, **overrides))


def make_user(role: str = "mentee", *, email: str | None = None, name: str | None = None,
              password: str = PASSWORD, profile: bool = True, active: bool = True,
              confirmed: bool = True, program: Program | None = None, **overrides) -> User:
    """Create and commit a person: a mentee or mentor of ``program`` (the default one), its
    coordinator ("coordinator"), or a site administrator ("admin").

    ``overrides`` go to the profile or the membership, by field name (``capacity=1``,
    ``goals=[...]``: for a mentee goals are the membership's goals sought, for a mentor
    the profile's goals they can help with).
    """
    n = next(_numbers)
    email = email or f"{role}{n}@lab.example.org"
    name = name or f"Test {role.title()} {n}"
    if role == "admin":
        user = accounts.create_admin(email, name, password)
    elif role == "coordinator":
        user = accounts.create_coordinator(email, name, password, program or default_program())
    else:
        user = accounts.register(email, name, password)
        membership_overrides = {k: v for k, v in overrides.items()
                                if k in _MEMBERSHIP_FIELDS and not (k == "goals" and role == "mentor")}
        profile_overrides = {k: v for k, v in overrides.items()
                             if k in _PROFILE_FIELDS and not (k == "goals" and role == "mentee")}
        unknown = set(overrides) - _PROFILE_FIELDS - _MEMBERSHIP_FIELDS
        if unknown:
            raise TypeError(f"make_user: unknown fields {sorted(unknown)}")
        if profile:
            save_profile(user, profile_input(role, **profile_overrides))
            join(user, role, program, **membership_overrides)
        else:
            programs.enrol(user, program or default_program(), MembershipInput(role=role))
    if not active or confirmed:
        user.active = active
        user.email_confirmed_at = utcnow() if confirmed else None
        db.session.commit()
    return user


def membership(user: User, program: Program | None = None) -> Membership:
    """``user``'s membership in ``program`` (the default one)."""
    program = program or default_program()
    found = user.membership_in(program.id)
    assert found is not None, f"{user.name} is not in {program.name}"
    return found


def make_pair(mentee_name: str = "Dana Okafor", mentor_name: str = "Grace Ho", program: Program | None = None):
    """A mentee and a mentor whose match is active, with its draft agreement; returns the match."""
    from mentormatch.services import matches

    program = program or default_program()
    mentee = make_user("mentee", name=mentee_name, program=program)
    mentor = make_user("mentor", name=mentor_name, program=program)
    match = matches.request_mentor(mentee, program, mentor.id, "")
    matches.accept(match, mentor)
    return match
