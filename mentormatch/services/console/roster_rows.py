"""One roster row checked against the program's vocabularies and limits (see services.console.roster).

People write a roster by hand or export it from another system, so a value
is matched loosely: by code or label, in any case, with punctuation and
spacing ignored ("Blood bank", "blood-bank", "IMMUNOHEMATOLOGY"), or by one
of the common names in ``SYNONYMS`` ("chemistry", "heme", "MLS(ASCP)"). This
table is the only place synonyms are kept. A value that matches nothing is
reported with the values the column accepts and, when one is close, a guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
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
COLUMN_HELP = {
    "email": "Required. The person's email address: their login and where the invitation goes.",
    "name": "Required. The name shown to others.",
    "role": "Required. mentee or mentor.",
    "program": "Optional. The short name of another program you run; empty means this one.",
    "specialties": "Specialties, separated by semicolons. Without one, the person fills in their profile later.",
    "goals": "Career goals, separated by semicolons: a mentee's goals, or what a mentor can help with.",
    "credentials": "Credentials held, separated by semicolons.",
    "credentials_sought": "Mentees: credentials they work toward, separated by semicolons.",
    "time_zone": "A time zone such as America/Chicago (UTC when empty).",
    "capacity": f"Mentors: how many mentees at once, {domain.MIN_CAPACITY} to {domain.MAX_CAPACITY}.",
    "job_title": "Up to 120 characters.",
    "organisation": "Up to 160 characters.",
    "years_experience": "A whole number from 0 to 60.",
    "meeting_mode": "How they like to meet (Either when empty).",
    "meeting_frequency": "How often (Monthly when empty).",
    "shift": "Their usual shift (Day when empty).",
}
LISTS = {"specialties": domain.SPECIALTIES, "goals": domain.CAREER_GOALS, "credentials": domain.CREDENTIALS,
         "credentials_sought": domain.CREDENTIALS}
CHOICES = {"meeting_mode": domain.MEETING_MODES, "meeting_frequency": domain.MEETING_FREQUENCIES,
           "shift": domain.SHIFTS}
DEFAULTS = {"time_zone": "UTC", "meeting_mode": "either", "meeting_frequency": "monthly", "shift": "day"}
LIMITS = {"name": 120, "job_title": 120, "organisation": 160}
LIST_SEPARATORS = re.compile(r"[;,|]")  # no label holds one of these, so a cell may use any of them



def _credential_synonyms(extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each credential as written after a name ("MLS(ASCP)", "MLS(ASCPi)", "MT(AAB)") and as its label
    without the gloss ("ASCP SBB"), then ``extra``."""
    found = {}
    for code, label in domain.CREDENTIALS:
        body, _, name = code.partition("_")
        written = (f"{name} {body}", f"{name} ascp i") if body == "ascpi" else (f"{name} {body}",)
        found[code] = tuple(dict.fromkeys((*written, label.split(" (")[0].lower(), *extra.get(code, ()))))
    return found


# Common names people use for a vocabulary's values, beyond its codes and labels (matched as ``simplify`` does).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "specialties": {
        "clinical_chemistry": ("chemistry", "chem", "clinical chem", "biochemistry", "core lab"),
        "hematology": ("heme", "hem", "haematology"),
        "microbiology": ("micro", "bacteriology"),
        "immunology": ("serology",),
        "blood_bank": ("blood bank", "blood banking", "bb", "immunohematology", "immunohaematology", "transfusion",
                       "transfusion medicine"),
        "histotechnology": ("histology", "histo", "histopathology"),
        "cytotechnology": ("cytology", "cyto"),
        "molecular": ("molecular", "molecular biology", "mdx"),
        "urinalysis": ("urinalysis", "ua", "body fluids"),
        "coagulation": ("coag", "hemostasis", "haemostasis"),
        "point_of_care": ("point of care", "poc", "poct"),
        "informatics": ("informatics", "lis", "laboratory information systems"),
        "phlebotomy": ("phleb", "specimen collection"),
        "cytogenetics": ("cytogenetic", "cyto genetics", "karyotyping"),
        "flow_cytometry": ("flow", "flow cytometry", "cytometry"),
        "immunohistochemistry": ("ihc", "immunohistochemistry"),
        "hla": ("hla", "histocompatibility", "tissue typing", "transplant immunology"),
        "toxicology": ("tox", "drug testing"),
        "quality_regulatory": ("quality", "regulatory", "compliance", "quality assurance", "qa"),
        "laboratory_safety": ("safety", "lab safety"),
        "specimen_processing": ("processing", "specimen receiving", "accessioning", "central processing"),
        "donor_apheresis": ("donor center", "donor centre", "apheresis", "donor services", "blood donor center"),
    },
    "goals": {
        "mlt_to_mls": ("mlt to mls", "bachelor", "bachelors", "bachelor s degree"),
        "graduate_degree": ("masters", "master s", "master", "doctorate", "phd", "graduate degree"),
        "certification": ("certification", "ascp certification", "amt certification", "aab certification",
                          "board certification", "ascp or amt certification"),
        "specialist_certification": ("specialist", "specialist certification"),
        "supervisor": ("supervisor", "lead", "lead tech", "supervision"),
        "manager": ("manager", "management", "laboratory manager", "lab manager"),
        "director": ("director", "laboratory director", "lab director"),
        "quality": ("quality", "qa", "qc", "quality assurance", "quality control"),
        "educator": ("educator", "education", "teaching", "instructor"),
        "researcher": ("research",),
        "informatics": ("informatics", "lis"),
        "networking": ("networking", "professional development"),
    },
    "credentials": _credential_synonyms({
        "ascp_mlt": ("mlt",),
        "ascp_mls": ("mls", "mt ascp", "cls ascp"),
        "ascp_pbt": ("pbt",),
        "ascp_sbb": ("sbb", "ascp sbb blood banking"),  # the labels before migration 0016
        "ascp_sh": ("sh", "ascp sh hematology"),
        "ascp_sm": ("sm", "ascp sm microbiology"),
        "ascp_sc": ("sc", "ascp sc chemistry"),
        "ascp_smb": ("smb", "ascp smb molecular biology"),
        "ascp_sct": ("sct", "ascp sct cytotechnology"),
        "ascp_htl": ("htl", "ascp htl histotechnology"),
        "ascp_qls": ("qls", "ascp qls quality"),
        "ascp_dlm": ("dlm", "ascp dlm laboratory management"),
        "amt_mls": ("mt amt", "amt mt"),
        "amt_mdt": ("mdt",),
        "amt_cmla": ("cmla",),
        "amt_rpt": ("rpt",),
        "aab_mdxt": ("mdxt",),
    }),
    "meeting_mode": {
        "in_person": ("in person", "face to face", "on site", "onsite"),
        "virtual": ("online", "video", "remote", "zoom", "teams"),
        "either": ("any", "both", "hybrid", "no preference"),
    },
    "meeting_frequency": {
        "weekly": ("every week", "once a week"),
        "biweekly": ("every two weeks", "every 2 weeks", "fortnightly", "bi weekly", "twice a month"),
        "monthly": ("every month", "once a month"),
        "every_two_months": ("every 2 months", "every other month"),
    },
    "shift": {
        "day": ("days", "day shift", "first shift", "1st shift"),
        "evening": ("evenings", "evening shift", "swing", "second shift", "2nd shift"),
        "night": ("nights", "night shift", "third shift", "3rd shift", "graveyard", "noc"),
        "rotating": ("rotation", "rotating shifts", "varies"),
        "weekend": ("weekends", "weekend shift", "weekend option", "baylor"),
        "day_12h": ("12 hour days", "12 hr days", "12s days", "days 12 hours", "12 hour day shift"),
        "night_12h": ("12 hour nights", "12 hr nights", "12s nights", "nights 12 hours", "12 hour night shift"),
        "per_diem": ("prn", "per diem", "as needed", "casual"),
    },
}
# Words that could mean two values: refused with what to write instead, never guessed.
AMBIGUOUS = {"meeting_frequency": {"bimonthly": "Every two weeks or Every two months",
                                   "bi monthly": "Every two weeks or Every two months"}}
# Column names people write for ours (matched as ``simplify`` does, spaces as underscores).
HEADER_SYNONYMS = {
    "e_mail": "email", "email_address": "email", "full_name": "name", "programme": "program",
    "specialty": "specialties", "speciality": "specialties", "specialities": "specialties",
    "goal": "goals", "career_goals": "goals", "credential": "credentials", "certifications": "credentials",
    "working_toward": "credentials_sought", "timezone": "time_zone", "zone": "time_zone",
    "max_mentees": "capacity", "title": "job_title", "organization": "organisation", "employer": "organisation",
    "years": "years_experience", "years_of_experience": "years_experience", "mode": "meeting_mode",
    "frequency": "meeting_frequency",
}


def simplify(text: str) -> str:
    """'Immunohematology / Blood bank' -> 'immunohematology blood bank': case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def column_name(header: str) -> str:
    """A header cell as one of our column names when it is one ('E-mail' -> 'email'), else simplified."""
    name = simplify(header).replace(" ", "_")
    return HEADER_SYNONYMS.get(name, name)


def choices_of(column: str) -> domain.Choices:
    return LISTS.get(column) or CHOICES[column]


@cache
def _lookup(column: str) -> dict[str, str]:
    """Every accepted spelling of ``column``'s values (simplified) -> its code."""
    found = {simplify(key): code for code, label in choices_of(column) for key in (code, label)}
    base = "credentials" if column == "credentials_sought" else column
    for code, words in SYNONYMS.get(base, {}).items():
        found.update((simplify(word), code) for word in words)
    for word in AMBIGUOUS.get(column, {}):
        found.pop(simplify(word), None)
    return found


def accepted(column: str) -> str:
    """The labels a column accepts, for an error message or the import page."""
    return ", ".join(label for _, label in choices_of(column))


def _unknown(column: str, raw: str) -> str:
    """The problem with a value nobody's spelling of ``column`` matches: the value, a guess, what is accepted."""
    word = column.replace("_", " ")
    key = simplify(raw)
    if key in AMBIGUOUS.get(column, {}):
        return f"{word} {raw[:40]!r} is ambiguous: write {AMBIGUOUS[column][key]}"
    labels = dict(choices_of(column))
    close = difflib.get_close_matches(key, list(_lookup(column)), n=1, cutoff=0.85)
    guess = f" (did you mean {labels[_lookup(column)[close[0]]]!r}?)" if close else ""
    return f"unknown {word} {raw[:40]!r}{guess}; accepted: {accepted(column)}"


@dataclass(frozen=True)
class Vocabulary:
    """A column's accepted values, for the import page: each label with the other names it goes by."""

    columns: tuple[str, ...]
    title: str
    values: list[tuple[str, tuple[str, ...]]]  # (label, synonyms)


VOCABULARY_TITLES = (("specialties", ("specialties",), "Specialties"), ("goals", ("goals",), "Career goals"),
                     ("credentials", ("credentials", "credentials_sought"), "Credentials"),
                     ("meeting_mode", ("meeting_mode",), "Meeting mode"),
                     ("meeting_frequency", ("meeting_frequency",), "Meeting frequency"), ("shift", ("shift",), "Shift"))


def vocabularies() -> list[Vocabulary]:
    """Every vocabulary a roster column takes, with its labels and synonyms."""
    return [Vocabulary(columns, title, [(label, SYNONYMS.get(column, {}).get(code, ()))
                                        for code, label in choices_of(column)])
            for column, columns, title in VOCABULARY_TITLES]


def _codes(raw: str, column: str, problems: list[str]) -> list[str]:
    known = _lookup(column)
    found = []
    for part in (p.strip() for p in LIST_SEPARATORS.split(raw)):
        if not part:
            continue
        code = known.get(simplify(part))
        if code is None:
            problems.append(_unknown(column, part))
        else:
            found.append(code)
    return sorted(set(found))


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Every time zone name, by its lower-case spelling."""
    return {zone.casefold(): zone for zone in available_timezones()}


def _int(raw: str, name: str, low: int, high: int, problems: list[str]) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        problems.append(f"{name.replace('_', ' ')} must be a whole number from {low} to {high}, not {raw[:20]!r}")
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
    role = simplify(values["role"])
    if role not in (ProgramRole.MENTEE, ProgramRole.MENTOR):
        problems.append(f"role must be mentee or mentor, not {values['role'][:40]!r}" if values["role"]
                        else "role must be mentee or mentor")
    tags = {name: _codes(values.get(name, ""), name, problems) for name in LISTS}
    choice = {}
    for name in CHOICES:
        raw = values.get(name, "") or DEFAULTS[name]
        choice[name] = _lookup(name).get(simplify(raw))
        if choice[name] is None:
            problems.append(_unknown(name, raw))
    zone = _zones().get((values.get("time_zone", "") or DEFAULTS["time_zone"]).casefold())
    if zone is None:
        problems.append(f"unknown time zone {values.get('time_zone', '')[:64]!r}; write one such as America/Chicago "
                        f"or Europe/London")
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
