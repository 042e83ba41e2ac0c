"""A realistic, deterministic demo program (same seed, same people)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import OutboxEmail, Role, User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import find_user_by_email, hash_password
from mentormatch.services.demo_history import seed_history
from mentormatch.services.profiles import ProfileInput, apply_profile
from mentormatch.services.transactions import transaction

DEFAULT_SEED = 2026
DEMO_PASSWORD = "mentormatch-demo"
COORDINATOR_EMAIL = "coordinator@example.org"
MENTOR_EMAIL = "mentor@example.org"
MENTEE_EMAIL = "mentee@example.org"
MENTOR_COUNT = 40
MENTEE_COUNT = 120

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
MENTOR_TITLES = (
    "Medical Laboratory Scientist", "Senior Medical Laboratory Scientist", "Technical Specialist",
    "Laboratory Supervisor", "Laboratory Manager", "Quality Assurance Coordinator",
    "MLS Program Director", "Molecular Technologist", "Laboratory Informatics Analyst",
    "Blood Bank Lead Technologist",
)
MENTEE_TITLES = (
    "Medical Laboratory Technician", "MLT student", "Phlebotomist", "Laboratory Assistant",
    "Medical Laboratory Scientist (new graduate)", "Histotechnician", "Specimen Processor",
)
# The specialist credential a specialty leads to.
SPECIALIST_CREDENTIAL = {
    "blood_bank": "ascp_sbb", "hematology": "ascp_sh", "coagulation": "ascp_sh",
    "microbiology": "ascp_sm", "clinical_chemistry": "ascp_sc", "molecular": "ascp_smb",
    "cytotechnology": "ascp_sct", "histotechnology": "ascp_htl",
}


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


def is_loaded() -> bool:
    """Whether the demo coordinator exists already."""
    return find_user_by_email(COORDINATOR_EMAIL) is not None


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of the accounts the README lists."""
    return [("coordinator", COORDINATOR_EMAIL), ("mentor", MENTOR_EMAIL), ("mentee", MENTEE_EMAIL)]


def seed_demo(seed: int = DEFAULT_SEED, with_history: bool = True) -> DemoCounts:
    """Create 40 mentors, 120 mentees and a coordinator, then a few months of pairs and meetings."""
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    # One hash for every demo account: scrypt is slow on purpose, and these
    # accounts share a published password anyway.
    password_hash = hash_password(DEMO_PASSWORD)
    confirmed = utcnow()
    specialties = domain.codes(domain.SPECIALTIES)
    goals = domain.codes(domain.CAREER_GOALS)

    db.session.add(User(email=COORDINATOR_EMAIL, name="Dana Whitfield", role=Role.COORDINATOR,
                        password_hash=password_hash, email_confirmed_at=confirmed))
    for i in range(MENTOR_COUNT):
        email = MENTOR_EMAIL if i == 0 else f"mentor{i:03d}@example.org"
        user = User(email=email, name=fake.name(), role=Role.MENTOR, password_hash=password_hash, email_confirmed_at=confirmed)
        # Round-robin the first specialty so every specialty has mentors.
        chosen = [specialties[i % len(specialties)]] + rng.sample(specialties, rng.randint(0, 2))
        apply_profile(user, _mentor_input(rng, fake, sorted(set(chosen)), goals, i))
    for i in range(MENTEE_COUNT):
        email = MENTEE_EMAIL if i == 0 else f"mentee{i:03d}@example.org"
        user = User(email=email, name=fake.name(), role=Role.MENTEE, password_hash=password_hash, email_confirmed_at=confirmed)
        chosen = [specialties[i % len(specialties)]] + rng.sample(specialties, rng.randint(0, 1))
        apply_profile(user, _mentee_input(rng, fake, sorted(set(chosen)), goals, i))
    db.session.commit()
    if with_history:
        before = db.session.scalar(db.select(db.func.max(OutboxEmail.id))) or 0
        seed_history(rng)
        # The history is made up: nobody is emailed about it, and the demo mailbox starts empty.
        with transaction():
            db.session.execute(db.delete(OutboxEmail).where(OutboxEmail.id > before))
    return DemoCounts(mentors=MENTOR_COUNT, mentees=MENTEE_COUNT)


def _shared(rng: random.Random, fake: Faker, specialties: list[str], i: int) -> dict:
    return {
        "organisation": f"{fake.city()} {rng.choice(ORGANISATION_KINDS)}",
        "time_zone": TIME_ZONES[i % len(TIME_ZONES)],
        "meeting_mode": rng.choice(domain.codes(domain.MEETING_MODES)),
        "meeting_frequency": rng.choice(domain.codes(domain.MEETING_FREQUENCIES)),
        "shift": domain.codes(domain.SHIFTS)[i % len(domain.SHIFTS)],
        "specialties": specialties,
    }


def _mentor_input(rng, fake, specialties, goals, i) -> ProfileInput:
    years = rng.randint(6, 35)
    credentials = {rng.choice(["ascp_mls", "ascp_mls", "amt_mt"])}
    credentials |= {SPECIALIST_CREDENTIAL[s] for s in specialties if s in SPECIALIST_CREDENTIAL and rng.random() < 0.6}
    if rng.random() < 0.15:
        credentials.add(rng.choice(["ascp_qls", "ascp_dlm"]))
    helped = {goals[i % len(goals)], "networking"} | set(rng.sample(goals, rng.randint(1, 3)))
    specialty_names = _sentence_list(domain.label(domain.SPECIALTIES, s) for s in specialties)
    return ProfileInput(
        job_title=rng.choice(MENTOR_TITLES), years_experience=years,
        credentials=sorted(credentials), goals=sorted(helped),
        bio=f"{years} years at the bench and beyond, mostly in {specialty_names}. {rng.choice(MENTOR_LINES)}",
        capacity=rng.choice([1, 2, 2, 3, 3, 4, 5]), accepting_mentees=rng.random() < 0.9,
        **_shared(rng, fake, specialties, i),
    )


def _mentee_input(rng, fake, specialties, goals, i) -> ProfileInput:
    wanted = sorted({goals[i % len(goals)]} | set(rng.sample(goals, rng.randint(0, 2))))
    credentials = [rng.choice(["ascp_mlt", "ascp_mlt", "amt_mlt"])] if rng.random() < 0.5 else []
    sought = []
    if "mlt_to_mls" in wanted or "certification" in wanted:
        sought.append("ascp_mls")
    if "specialist_certification" in wanted:
        sought += [SPECIALIST_CREDENTIAL[s] for s in specialties if s in SPECIALIST_CREDENTIAL][:1] or ["ascp_qls"]
    goal_names = _sentence_list(domain.label(domain.CAREER_GOALS, g) for g in wanted)
    return ProfileInput(
        job_title=rng.choice(MENTEE_TITLES), years_experience=rng.randint(0, 12),
        credentials=credentials, goals=wanted, credentials_sought=sorted(set(sought)),
        bio=rng.choice(MENTEE_LINES),
        hopes=f"I would like help with {goal_names}.",
        **_shared(rng, fake, specialties, i + 7),
    )
