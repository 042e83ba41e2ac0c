"""What the reviewed vocabulary means to the engine: credentials and goals, shifts, wide vocabularies."""

import pytest

from mentormatch import domain
from mentormatch.matching import score_matrix, score_parts
from mentormatch.matching.scoring import CREDENTIAL_BITS, GOAL_BITS, SPECIALTY_BITS, mentor_help_codes
from tests.unit.test_matching_scoring import mentee, mentor, part, sentence


# Credentials and the goals they coach ---------------------------------------


def test_a_mentor_holding_only_ascp_qls_is_not_a_quality_coach():
    seeker = mentee(goals=frozenset({"quality"}))
    safety_only = mentor(credentials=frozenset({"ascp_qls"}))
    assert "quality" not in mentor_help_codes(safety_only)
    assert part("goals", seeker, safety_only) == 0.0
    assert sentence("goals", seeker, safety_only) == "Has not listed your goals"


def test_a_mentor_who_coaches_quality_scores_for_a_quality_goal_with_or_without_qls():
    seeker = mentee(goals=frozenset({"quality"}))
    for credentials in (frozenset(), frozenset({"ascp_qls"})):
        coach = mentor(goals_supported=frozenset({"quality"}), credentials=credentials)
        assert part("goals", seeker, coach) == 1.0
        assert sentence("goals", seeker, coach) == "Can help with quality control / quality assurance"


def test_quality_work_as_a_specialty_matches_a_mentee_in_quality_and_regulatory():
    e = mentee(specialties=frozenset({"quality_regulatory"}))
    assert part("specialty", e, mentor(specialties=frozenset({"quality_regulatory", "laboratory_safety"}))) == 1.0
    assert part("specialty", e, mentor(specialties=frozenset({"laboratory_safety"}))) == 0.0


def test_qls_still_counts_for_a_mentee_working_toward_qls():
    e = mentee(credentials_sought=frozenset({"ascp_qls"}))
    assert part("credentials", e, mentor(credentials=frozenset({"ascp_qls"}))) == 1.0
    assert sentence("credentials", e, mentor(credentials=frozenset({"ascp_qls"}))) == (
        "Holds ASCP QLS, which you are working toward")


@pytest.mark.parametrize("code", sorted(domain.ENTRY_CREDENTIALS))
def test_assistant_and_phlebotomy_credentials_coach_no_career_goal(code):
    assert mentor_help_codes(mentor(credentials=frozenset({code}))) == frozenset()


def test_the_director_goal_is_not_coached_by_a_manager_or_a_dlm():
    e = mentee(goals=frozenset({"director"}))
    assert part("goals", e, mentor(goals_supported=frozenset({"manager"}), credentials=frozenset({"ascp_dlm"}))) == 0.0
    assert part("goals", e, mentor(goals_supported=frozenset({"director"}))) == 1.0


def test_an_ascpi_credential_counts_as_its_ascp_form_both_ways():
    seeks_us, seeks_international = (mentee(credentials_sought=frozenset({c})) for c in ("ascp_sbb", "ascpi_sbb"))
    international, us = mentor(credentials=frozenset({"ascpi_sbb"})), mentor(credentials=frozenset({"ascp_sbb"}))
    for e in (seeks_us, seeks_international):
        for o in (international, us):
            assert part("credentials", e, o) == 1.0
    assert sentence("credentials", seeks_us, international) == "Holds ASCPi SBB, which you are working toward"
    # Another body's MLS is another credential.
    assert part("credentials", mentee(credentials_sought=frozenset({"ascp_mls"})),
                mentor(credentials=frozenset({"amt_mls"}))) == 0.0


# Shifts ---------------------------------------------------------------------


def shift_part(mine, theirs):
    """The schedule criterion with the time zone taken out (same zone: its half is 1)."""
    zone = "America/Chicago"
    return 2 * part("schedule", mentee(time_zone=zone, shift=mine), mentor(time_zone=zone, shift=theirs)) - 1


def test_twelve_hour_days_share_the_day_shift_window():
    assert shift_part("day_12h", "day") == pytest.approx(0.9)
    assert shift_part("day", "day_12h") == pytest.approx(0.9)
    assert shift_part("day_12h", "day_12h") == 1.0
    assert shift_part("night_12h", "night") == pytest.approx(0.9)


def test_day_and_night_share_the_changeover_and_no_longer_score_zero():
    assert shift_part("day", "night") == pytest.approx(0.5)
    assert shift_part("day_12h", "night_12h") == pytest.approx(0.5)
    assert shift_part("day", "evening") == shift_part("day", "night")


def test_per_diem_and_weekend_leave_a_window_with_every_shift():
    codes = domain.codes(domain.SHIFTS)
    for other in codes:
        assert shift_part("per_diem", other) >= 0.75
        assert shift_part(other, "weekend") >= 0.5
    assert shift_part("weekend", "weekend") == 1.0
    assert all(shift_part(a, b) > 0 for a in codes for b in codes)


def test_the_same_shift_still_beats_any_other():
    codes = domain.codes(domain.SHIFTS)
    for code in ("day", "evening", "night", "day_12h", "night_12h", "weekend"):
        assert all(shift_part(code, code) > shift_part(code, other) for other in codes if other != code)


def test_shift_sentences_read_for_the_new_shifts():
    e, o = mentee(shift="day"), mentor(shift="night_12h")
    assert sentence("schedule", e, o) == "Time zone not given; works 12-hour nights, you work day shifts"
    assert sentence("schedule", mentee(shift="per_diem"), mentor(shift="per_diem")) == (
        "Time zone not given; you both work per diem (PRN)")
    assert sentence("schedule", mentee(shift="weekend"), mentor(shift="evening")) == (
        "Time zone not given; works evening shifts, you work weekends")


# Wide vocabularies ----------------------------------------------------------


def test_every_vocabulary_fits_the_engines_bit_masks_and_no_two_codes_share_a_bit():
    for bits in (SPECIALTY_BITS, GOAL_BITS, CREDENTIAL_BITS):
        assert len(bits) <= 64 and len(set(bits.values())) == len(bits)
    assert set(SPECIALTY_BITS) == set(domain.codes(domain.SPECIALTIES))
    assert set(GOAL_BITS) == set(domain.codes(domain.CAREER_GOALS))


def test_the_last_codes_of_each_vocabulary_score_like_the_first():
    last_specialty, last_goal = domain.codes(domain.SPECIALTIES)[-1], domain.codes(domain.CAREER_GOALS)[-1]
    last_credential = domain.codes(domain.CREDENTIALS)[-1]
    e = mentee(specialties=frozenset({last_specialty}), goals=frozenset({last_goal}),
               credentials_sought=frozenset({last_credential}))
    o = mentor(specialties=frozenset({last_specialty}), goals_supported=frozenset({last_goal}),
               credentials=frozenset({last_credential}))
    for criterion in ("specialty", "goals", "credentials"):
        assert part(criterion, e, o) == 1.0, criterion
    parts = score_parts([e], [o])[:, 0, 0]
    assert score_matrix([e], [o])[0, 0] == pytest.approx(float(parts @ _normalised()), abs=1e-6)


def _normalised():
    import numpy as np

    from mentormatch.matching import Weights

    return np.array(Weights().normalised(), dtype=np.float32)
