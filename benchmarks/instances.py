"""Realistic matching instances for the benchmark, built from the engine's records.

Skewed specialties and goals, US-heavy time zones, mostly day shifts, and a
tenth of mentors who are "popular" (many specialties, credentials and goals
they coach, long careers): the scores that result have the structure that
makes assignment solvers work hard, unlike uniform random matrices.
"""

from __future__ import annotations

import numpy as np

from mentormatch import domain
from mentormatch.matching import MenteeFeatures, MentorFeatures

SPECIALTY_WEIGHTS = {
    "clinical_chemistry": 10, "hematology": 9, "microbiology": 8, "blood_bank": 7,
    "immunology": 3, "histotechnology": 3, "cytotechnology": 2, "molecular": 5,
    "urinalysis": 3, "coagulation": 3, "point_of_care": 2, "informatics": 2, "phlebotomy": 2,
    "cytogenetics": 1, "flow_cytometry": 2, "immunohistochemistry": 1, "hla": 1, "toxicology": 2,
    "quality_regulatory": 2, "laboratory_safety": 1, "specimen_processing": 3, "donor_apheresis": 1,
}
GOAL_WEIGHTS = {
    "mlt_to_mls": 9, "graduate_degree": 3, "certification": 8, "specialist_certification": 6,
    "supervisor": 5, "manager": 3, "director": 1, "quality": 3, "educator": 2, "researcher": 2,
    "informatics": 2, "networking": 4,
}
ZONES = {
    "America/New_York": 30, "America/Chicago": 22, "America/Denver": 8,
    "America/Los_Angeles": 18, "America/Phoenix": 3, "America/Anchorage": 1,
    "Pacific/Honolulu": 1, "America/Toronto": 4, "Europe/London": 3,
    "Asia/Manila": 5, "Asia/Kolkata": 3, "Australia/Sydney": 2,
}
SHIFT_WEIGHTS = {"day": 50, "evening": 15, "night": 10, "rotating": 6, "weekend": 4, "day_12h": 8, "night_12h": 5,
                 "per_diem": 2}
MODE_WEIGHTS = {"virtual": 45, "either": 40, "in_person": 15}
FREQUENCY_WEIGHTS = {"weekly": 10, "biweekly": 35, "monthly": 45, "every_two_months": 10}
SPECIALIST_FOR = {
    "blood_bank": "ascp_sbb", "hematology": "ascp_sh", "microbiology": "ascp_sm",
    "clinical_chemistry": "ascp_sc", "molecular": "ascp_smb", "cytotechnology": "ascp_sct",
    "histotechnology": "ascp_htl",
}


def _pick(rng: np.random.Generator, weights: dict[str, int], size: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    size = min(size, len(keys))
    return list(rng.choice(keys, size=size, replace=False, p=p / p.sum()))


def _one(rng: np.random.Generator, weights: dict[str, int]) -> str:
    return _pick(rng, weights, 1)[0]


def make_mentees(n: int, rng: np.random.Generator, first_id: int = 1) -> list[MenteeFeatures]:
    """Return n mentees with realistic, overlapping interests."""
    out = []
    for k in range(n):
        specialties = _pick(rng, SPECIALTY_WEIGHTS, int(rng.integers(1, 4)))
        goals = _pick(rng, GOAL_WEIGHTS, int(rng.integers(1, 4)))
        held = ["ascp_mlt"] if rng.random() < 0.5 else (["ascp_mls"] if rng.random() < 0.5 else [])
        sought = []
        if "mlt_to_mls" in goals or ("certification" in goals and not held):
            sought.append("ascp_mls")
        if "specialist_certification" in goals:
            sought.extend(SPECIALIST_FOR[s] for s in specialties if s in SPECIALIST_FOR)
        if "manager" in goals and rng.random() < 0.5:
            sought.append("ascp_dlm")
        out.append(
            MenteeFeatures(
                id=first_id + k,
                specialties=frozenset(specialties),
                goals=frozenset(goals),
                credentials=frozenset(held),
                credentials_sought=frozenset(sought),
                years_experience=float(np.round(rng.gamma(2.0, 2.5), 1)),
                time_zone=_one(rng, ZONES),
                shift=_one(rng, SHIFT_WEIGHTS),
                meeting_mode=_one(rng, MODE_WEIGHTS),
                frequency=_one(rng, FREQUENCY_WEIGHTS),
            )
        )
    return out


def make_mentors(
    m: int, rng: np.random.Generator, capacity: int = 4, first_id: int = 1_000_000
) -> list[MentorFeatures]:
    """Return m mentors; about one in ten is broadly qualified and popular."""
    out = []
    for k in range(m):
        popular = rng.random() < 0.1
        specialties = _pick(rng, SPECIALTY_WEIGHTS, int(rng.integers(3, 6) if popular else rng.integers(1, 3)))
        creds = {"ascp_mls"} if rng.random() < 0.8 else {"amt_mls"}
        for s in specialties:
            if s in SPECIALIST_FOR and rng.random() < (0.8 if popular else 0.25):
                creds.add(SPECIALIST_FOR[s])
        if rng.random() < (0.4 if popular else 0.05):
            creds.add("ascp_dlm")
        goals = _pick(rng, GOAL_WEIGHTS, int(rng.integers(4, 9) if popular else rng.integers(0, 4)))
        years = rng.uniform(15, 35) if popular else rng.uniform(3, 25)
        out.append(
            MentorFeatures(
                id=first_id + k,
                specialties=frozenset(specialties),
                goals_supported=frozenset(goals),
                credentials=frozenset(creds),
                years_experience=float(np.round(years, 1)),
                time_zone=_one(rng, ZONES),
                shift=_one(rng, SHIFT_WEIGHTS),
                meeting_mode=_one(rng, MODE_WEIGHTS),
                frequency=_one(rng, FREQUENCY_WEIGHTS),
                capacity=capacity,
            )
        )
    return out


def check_vocabulary() -> None:
    """Fail loudly if the generator drifts from the domain's codes."""
    assert set(SPECIALTY_WEIGHTS) == set(domain.codes(domain.SPECIALTIES))
    assert set(GOAL_WEIGHTS) == set(domain.codes(domain.CAREER_GOALS))
    assert set(SHIFT_WEIGHTS) == set(domain.codes(domain.SHIFTS))
    assert set(MODE_WEIGHTS) == set(domain.codes(domain.MEETING_MODES))
    assert set(FREQUENCY_WEIGHTS) == set(domain.codes(domain.MEETING_FREQUENCIES))
