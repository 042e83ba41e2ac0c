"""One roster row checked against the program's vocabularies and limits (see services.console.roster)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email

from mentormatch import domain
from mentormatch.models import Role
from mentormatch.plain_text import line_problem
from mentormatch.services.accounts import normalise_email
from mentormatch.services.profiles import ProfileInput

REQUIRED = ("email", "name", "role")
OPTIONAL = ("specialties", "goals", "credentials", "credentials_sought", "time_zone", "capacity", "job_title",
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


def check_row(values: dict[str, str], problems: list[str]) -> tuple[str, str, str, ProfileInput | None]:
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
    if role not in (Role.MENTEE, Role.MENTOR):
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
    if capacity is not None and role == Role.MENTEE:
        problems.append("capacity is for mentors only")
    if problems or not tags["specialties"]:
        return email, values["name"], role, None
    profile = ProfileInput(
        job_title=values.get("job_title", ""), organisation=values.get("organisation", ""),
        years_experience=years or 0, time_zone=zone, meeting_mode=choice["meeting_mode"],
        meeting_frequency=choice["meeting_frequency"], shift=choice["shift"], specialties=tags["specialties"],
        credentials=tags["credentials"], goals=tags["goals"], credentials_sought=tags["credentials_sought"],
        capacity=capacity if role == Role.MENTOR else None, accepting_mentees=role == Role.MENTOR and bool(capacity))
    return email, values["name"], role, profile
