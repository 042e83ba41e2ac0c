"""One roster row checked against the program's vocabularies and limits (see services.console.roster)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email

from mentormatch import domain
from mentormatch.models import ProgramRole
from mentormatch.plain_text import line_problem
from mentormatch.services.accounts import normalise_email
from mentormatch.services.profiles import ProfileInput
from mentormatch.services.programs import MembershipInput

REQUIRED = ("email", "name", "role")
OPTIONAL = ("program", "specialties", "goals", "credentials", "credentials_sought", "time_zone", "capacity", "job_title",
            "organisation", "years_experience", "meeting_mode", "meeting_frequency", "shift")
LISTS = {"specialties": domain.SPECIALTIES, "goals": domain.CAREER_GOALS, "credentials": domain.CREDENTIALS,
         "credentials_sought": domain.CREDENTIALS}
CHOICES = {"meeting_mode": domain.MEETING_MODES, "meeting_frequency": domain.MEETING_FREQUENCIES,
           "shift": domain.SHIFTS}
DEFAULTS = {"time_zone": "UTC", "meeting_mode": "either", "meeting_frequency": "monthly", "shift": "day"}
LIMITS = {"name": 120, "job_title": 120, "organisation": 160}


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _lookup(choices: domain.Choices) -> dict[str, str]:
    return {key.lower(): code for code, label in choices for key in (code, label)}


def _codes(raw: str, name: str, problems: list[str]) -> list[str]:
    known = _lookup(LISTS[name])
    found = []
    for part in (p.strip() for p in raw.split(";")):
        if not part:
            continue
        if part.lower() not in known:
            problems.append(f"unknown {name.replace('_', ' ')} {part[:40]!r}")
        else:
            found.append(known[part.lower()])
    return sorted(set(found))


def _int(raw: str, name: str, low: int, high: int, problems: list[str]) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        problems.append(f"{name.replace('_', ' ')} must be a whole number from {low} to {high}")
        return None
    return int(raw)


@dataclass(frozen=True)
class CheckedRow:
    """One roster row that passed the checks (the program is still a slug: the caller resolves it)."""

    email: str
    name: str
    role: str
    profile: ProfileInput | None  # None when the row names no specialty: the person fills it in later
    membership: MembershipInput
    program_slug: str  # "" means the program the import is for


def check_row(values: dict[str, str], problems: list[str]) -> CheckedRow:
    email = values["email"]
    try:
        email = normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError:
        problems.append(f"{email[:60]!r} is not an email address" if email else "email is missing")
    if not values["name"]:
        problems.append("name is missing")
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            problems.append(f"{name.replace('_', ' ')} is longer than {limit} characters")
        elif (problem := line_problem(values.get(name, ""))) is not None:  # the same rule as the forms
            problems.append(f"{name.replace('_', ' ')}: {problem[0].lower()}{problem[1:]}")
    role = values["role"].lower()
    if role not in (ProgramRole.MENTEE, ProgramRole.MENTOR):
        problems.append("role must be mentee or mentor")
    tags = {name: _codes(values.get(name, ""), name, problems) for name in LISTS}
    choice = {}
    for name, choices in CHOICES.items():
        raw = values.get(name, "") or DEFAULTS[name]
        choice[name] = _lookup(choices).get(raw.lower())
        if choice[name] is None:
            problems.append(f"unknown {name.replace('_', ' ')} {raw[:40]!r}")
    zone = values.get("time_zone", "") or DEFAULTS["time_zone"]
    if zone not in _zones():
        problems.append(f"unknown time zone {zone[:64]!r}")
    years = _int(values.get("years_experience", ""), "years_experience", 0, 60, problems)
    capacity = _int(values.get("capacity", ""), "capacity", domain.MIN_CAPACITY, domain.MAX_CAPACITY, problems)
    if capacity is not None and role == ProgramRole.MENTEE:
        problems.append("capacity is for mentors only")
    slug = values.get("program", "").strip().lower()[:60]
    mentor = role == ProgramRole.MENTOR
    # A mentee's goals and credentials sought belong to the membership; a mentor's goals (what they can help
    # with) to the profile.
    membership = MembershipInput(
        role=role if role in (ProgramRole.MENTEE, ProgramRole.MENTOR) else ProgramRole.MENTEE,
        goals=[] if mentor else tags["goals"], credentials_sought=[] if mentor else tags["credentials_sought"],
        capacity=capacity if mentor else None, accepting_mentees=mentor and bool(capacity))
    profile = None
    if not problems and tags["specialties"]:
        profile = ProfileInput(
            job_title=values.get("job_title", ""), organisation=values.get("organisation", ""),
            years_experience=years or 0, time_zone=zone, meeting_mode=choice["meeting_mode"],
            meeting_frequency=choice["meeting_frequency"], shift=choice["shift"], specialties=tags["specialties"],
            credentials=tags["credentials"], goals=tags["goals"] if mentor else [])
    return CheckedRow(email, values["name"], role, profile, membership, slug)
