"""A realistic, deterministic demo installation (same seed, same people): three programs.

- "New graduate onboarding", "MLT to MLS pathway" and "Supervisor and leadership
  track", each with its own coordinator; a site administrator runs them all.
- 40 mentors and 120 mentees. A mentee is in the program their goals point to
  (some in two); a mentor mentors in one or two programs. Mentors 001-006 are
  mid-career scientists who mentor in one program and are mentored toward
  supervisor in the leadership track.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import Membership, MembershipTag, OutboxEmail, Program, ProgramRole, TagKind, User
from mentormatch.models.user import utcnow
from mentormatch.services import programs
from mentormatch.services.accounts import find_user_by_email, hash_password
from mentormatch.services.demo_history import seed_history
from mentormatch.services.demo_personas import MENTEE_PERSONAS, MENTOR_PERSONAS, Persona, specialist_for
from mentormatch.services.profiles import ProfileInput, apply_profile
from mentormatch.services.programs import ProgramInput
from mentormatch.services.transactions import transaction

DEFAULT_SEED = 2026
DEMO_PASSWORD = "mentormatch-demo"
ADMIN_EMAIL = "admin@example.org"
COORDINATOR_EMAIL = "coordinator@example.org"
MLS_COORDINATOR_EMAIL = "coordinator.mls@example.org"
LEADERSHIP_COORDINATOR_EMAIL = "coordinator.leadership@example.org"
MENTOR_EMAIL = "mentor@example.org"
MENTEE_EMAIL = "mentee@example.org"
BOTH_ROLES_EMAIL = "mentor001@example.org"  # mentors in one program, is mentored in the leadership track
MENTOR_COUNT = 40
MENTEE_COUNT = 120
BOTH_ROLES = 6  # mentors 001-006 are also mentees in the leadership track

NEW_GRADUATE, MLT_TO_MLS, LEADERSHIP = "new-graduate", "mlt-to-mls", "leadership"


@dataclass(frozen=True)
class DemoProgram:
    slug: str
    name: str
    track: str
    description: str
    coordinator_email: str
    coordinator_name: str
    agreement_months: int


PROGRAMS = (
    DemoProgram(NEW_GRADUATE, "New graduate onboarding", "new_graduate",
                "Your first year on the bench: a seasoned scientist helps you settle into the lab, the "
                "shifts and the instruments.", COORDINATOR_EMAIL, "Dana Whitfield", 6),
    DemoProgram(MLT_TO_MLS, "MLT to MLS pathway", "mlt_to_mls",
                "For technicians working toward the bachelor's degree and the MLS exam, mentored by "
                "scientists who made the same move.", MLS_COORDINATOR_EMAIL, "Marcus Bell", 12),
    DemoProgram(LEADERSHIP, "Supervisor and leadership track", "leadership",
                "For scientists preparing to lead a bench, a shift or a laboratory, mentored by "
                "supervisors and managers.", LEADERSHIP_COORDINATOR_EMAIL, "Priya Raman", 9),
)
LEADERSHIP_GOALS = ("supervisor", "manager", "director", "quality")
PATHWAY_GOALS = ("mlt_to_mls", "certification", "specialist_certification")

TIME_ZONES = (
    "America/New_York", "America/New_York", "America/Chicago", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Halifax",
    "Europe/London", "Asia/Manila", "Asia/Kolkata",
)
ORGANISATION_KINDS = (
    "General Hospital", "Medical Center", "Regional Reference Laboratory",
    "Children's Hospital", "University Hospital", "Community Hospital",
)
MENTOR_LINES = (
    "I enjoy helping new technologists find their footing on the bench.",
    "I have trained students from three MLS programs and still love it.",
    "I moved from the bench into leadership and can share what that takes.",
    "I led our last CAP inspection and like talking quality and compliance.",
    "I studied for my specialist exam while working nights, so I know the juggle.",
)
MENTEE_LINES = (
    "I work in the core lab and want a plan for my next step.",
    "I am studying for my certification exam and would value a study partner's view.",
    "I am new to the lab and want to learn how others built their careers.",
    "I would like to move toward a lead role in the next few years.",
    "I am curious about specialising and want to hear from someone who did.",
)


def _sentence_list(labels) -> str:
    """'A', 'A and B', 'A, B and C', keeping acronyms such as MLT and ASCP."""
    words = [w[0].lower() + w[1:] if w[1:2].islower() else w for w in labels]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class DemoCounts:
    mentors: int
    mentees: int
    programs: int = len(PROGRAMS)
    both_roles: int = BOTH_ROLES


def is_loaded() -> bool:
    """Whether the demo coordinator exists already."""
    return find_user_by_email(COORDINATOR_EMAIL) is not None


def demo_logins() -> list[tuple[str, str]]:
    """(who, email) of the accounts the README lists."""
    return [
        ("administrator", ADMIN_EMAIL),
        *((f"coordinator of {p.name}", p.coordinator_email) for p in PROGRAMS),
        ("mentor in two programs", MENTOR_EMAIL),
        ("mentee", MENTEE_EMAIL),
        ("mentor and mentee", BOTH_ROLES_EMAIL),
    ]


def seed_demo(seed: int = DEFAULT_SEED, with_history: bool = True) -> DemoCounts:
    """Create three programs, their coordinators, the administrator, 40 mentors and 120 mentees,
    then a few months of pairs and meetings in each program."""
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    # One hash for every demo account: scrypt is slow on purpose, and these
    # accounts share a published password anyway.
    password_hash = hash_password(DEMO_PASSWORD)
    confirmed = utcnow()
    goals = domain.codes(domain.CAREER_GOALS)

    def account(email: str, name: str, **extra) -> User:
        user = User(email=email, name=name, password_hash=password_hash, email_confirmed_at=confirmed, **extra)
        db.session.add(user)
        db.session.flush()
        return user

    account(ADMIN_EMAIL, "Jordan Alvarez", is_admin=True)
    by_slug: dict[str, Program] = {}
    for spec in PROGRAMS:
        program = programs.create_program(ProgramInput(
            name=spec.name, slug=spec.slug, description=spec.description, track=spec.track,
            agreement_months=spec.agreement_months))
        programs.appoint_coordinator(program, account(spec.coordinator_email, spec.coordinator_name))
        by_slug[spec.slug] = program

    for i in range(MENTOR_COUNT):
        email = MENTOR_EMAIL if i == 0 else f"mentor{i:03d}@example.org"
        user = account(email, fake.name())
        apply_profile(user, _mentor_input(rng, fake, i))
        for slug in _mentor_programs(i):
            _member(user, by_slug[slug], ProgramRole.MENTOR, capacity=rng.choice([1, 2, 2, 3, 3, 4, 5]),
                    accepting=i == 0 or rng.random() < 0.9)
        if 1 <= i <= BOTH_ROLES:  # mid-career: mentored toward supervisor in the leadership track
            wanted = sorted({"supervisor"} | set(rng.sample(("supervisor", "manager", "quality"), 1)))
            _member(user, by_slug[LEADERSHIP], ProgramRole.MENTEE, goals=wanted)
    taken: dict[str, int] = {}  # how many mentees took each persona so far
    for i in range(MENTEE_COUNT):
        email = MENTEE_EMAIL if i == 0 else f"mentee{i:03d}@example.org"
        user = account(email, fake.name())
        profile, wanted, sought = _mentee_input(rng, fake, goals[i % len(goals)], i, taken)
        apply_profile(user, profile)
        home = _mentee_program(goals[i % len(goals)])
        _member(user, by_slug[home], ProgramRole.MENTEE, goals=wanted, sought=sought)
        if home != NEW_GRADUATE and i % 12 == 5:  # a few newcomers are also in onboarding
            _member(user, by_slug[NEW_GRADUATE], ProgramRole.MENTEE, goals=sorted({"networking", wanted[0]}))
    db.session.commit()
    if with_history:
        before = db.session.scalar(db.select(db.func.max(OutboxEmail.id))) or 0
        seed_history(rng, [by_slug[p.slug] for p in PROGRAMS])
        # The history is made up: nobody is emailed about it, and the demo mailbox starts empty.
        with transaction():
            db.session.execute(db.delete(OutboxEmail).where(OutboxEmail.id > before))
    return DemoCounts(mentors=MENTOR_COUNT, mentees=MENTEE_COUNT)


def _mentor_programs(i: int) -> list[str]:
    """Where mentor ``i`` mentors: the demo mentor in two programs, mentors 1-6 outside leadership."""
    if i == 0:
        return [NEW_GRADUATE, MLT_TO_MLS]
    if i <= BOTH_ROLES:
        return [(NEW_GRADUATE, MLT_TO_MLS)[i % 2]]
    order = [p.slug for p in PROGRAMS]
    first = order[i % 3]
    return [first, order[(i + 1) % 3]] if i % 5 == 0 else [first]


def _mentee_program(primary_goal: str) -> str:
    """The program a mentee's main goal points to."""
    if primary_goal in LEADERSHIP_GOALS:
        return LEADERSHIP
    if primary_goal in PATHWAY_GOALS:
        return MLT_TO_MLS
    return NEW_GRADUATE


def _member(user: User, program: Program, role: ProgramRole, *, capacity: int | None = None,
            accepting: bool = False, goals: list[str] = (), sought: list[str] = ()) -> Membership:
    """A membership added to the session (the demo commits once, like services.programs.enrol would)."""
    membership = Membership(user=user, program=program, role=role, capacity=capacity,
                            accepting_mentees=accepting if role == ProgramRole.MENTOR else False)
    membership.tags = [MembershipTag(kind=TagKind.GOAL, code=c) for c in sorted(set(goals))] + [
        MembershipTag(kind=TagKind.CREDENTIAL_SOUGHT, code=c) for c in sorted(set(sought))]
    db.session.add(membership)
    return membership


def _shared(rng: random.Random, fake: Faker, specialties: list[str], i: int, shifts: tuple[str, ...] = ()) -> dict:
    shifts = shifts or domain.codes(domain.SHIFTS)
    return {
        "organisation": f"{fake.city()} {rng.choice(ORGANISATION_KINDS)}",
        "time_zone": TIME_ZONES[i % len(TIME_ZONES)],
        "meeting_mode": rng.choice(domain.codes(domain.MEETING_MODES)),
        "meeting_frequency": rng.choice(domain.codes(domain.MEETING_FREQUENCIES)),
        "shift": shifts[i % len(shifts)],
        "specialties": specialties,
    }


def _mentor_input(rng: random.Random, fake: Faker, i: int) -> ProfileInput:
    """Mentor ``i``: persona ``i % 20``, its credential sets in turn; mentors 1-6 are in mid-career."""
    persona = MENTOR_PERSONAS[i % len(MENTOR_PERSONAS)]
    credentials = persona.credentials[(i // len(MENTOR_PERSONAS)) % len(persona.credentials)]
    low, high = persona.years
    years = rng.randint(6, 12) if 1 <= i <= BOTH_ROLES else rng.randint(low, high)
    specialties = list(persona.specialties)
    specialty_names = _sentence_list(domain.label(domain.SPECIALTIES, s) for s in specialties)
    hopes = "I would like help with the step from the bench to a supervisor role." if 1 <= i <= BOTH_ROLES else ""
    return ProfileInput(
        job_title=persona.title, years_experience=years,
        credentials=sorted(credentials), goals=sorted({"networking", *persona.goals}),
        bio=f"{years} years at the bench and beyond, mostly in {specialty_names}. {rng.choice(MENTOR_LINES)}",
        hopes=hopes, **_shared(rng, fake, sorted(specialties), i, persona.shifts),
    )


def _mentee_input(rng: random.Random, fake: Faker, primary: str, i: int,
                  taken: dict[str, int]) -> tuple[ProfileInput, list[str], list[str]]:
    """A mentee whose main goal is ``primary``: their profile, and the goals and credentials they seek
    (their membership's answers). ``taken`` counts each persona's mentees, to take its credential sets in turn."""
    choices = MENTEE_PERSONAS[primary]
    persona: Persona = choices[(i // len(domain.CAREER_GOALS)) % len(choices)]
    turn = taken.get(persona.title, 0)
    taken[persona.title] = turn + 1
    variant = turn % len(persona.credentials)
    held = persona.credentials[variant]
    first = persona.specialties[turn % len(persona.specialties)]
    specialties = sorted({first, rng.choice(persona.specialties)} if rng.random() < 0.5 else {first})
    others = [g for g in persona.goals if g != primary]
    wanted = sorted({primary, *rng.sample(others, rng.randint(0, min(2, len(others))))})
    if "director" in wanted:  # under CLIA a high-complexity director holds a doctorate
        wanted = sorted({*wanted, "graduate_degree"})
    sought: list[str] = []
    if {"mlt_to_mls", "certification"} & set(wanted) and persona.next_credential:
        sought.append(persona.next_credential[variant % len(persona.next_credential)])
    if "specialist_certification" in wanted:
        sought += specialist_for([first, *specialties], held)
    low, high = persona.years
    goal_names = _sentence_list(domain.label(domain.CAREER_GOALS, g).split(" (")[0] for g in wanted)
    profile = ProfileInput(
        job_title=persona.title, years_experience=rng.randint(low, high),
        credentials=sorted(held), bio=rng.choice(MENTEE_LINES),
        hopes=f"I would like help with {goal_names}.",
        **_shared(rng, fake, specialties, i + 7),
    )
    return profile, wanted, sorted(set(sought) - set(held))
