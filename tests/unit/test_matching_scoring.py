"""Scoring: each criterion, each hard constraint, sentences and suggestions."""

import math

import numpy as np
import pytest

from mentormatch.matching import (
    CRITERIA,
    MenteeFeatures,
    MentorFeatures,
    Weights,
    explain,
    score_matrix,
    score_parts,
    suggest,
)


def mentee(**kw):
    return MenteeFeatures(id=kw.pop("id", 1), **kw)


def mentor(**kw):
    return MentorFeatures(id=kw.pop("id", 100), **kw)


def part(criterion, e, o):
    return float(score_parts([e], [o])[CRITERIA.index(criterion), 0, 0])


def sentence(criterion, e, o):
    return next(r.sentence for r in explain(e, o).reasons if r.criterion == criterion)


# Criteria -----------------------------------------------------------------


def test_specialty_overlap_is_the_share_of_the_mentees_specialties_the_mentor_has():
    e = mentee(specialties=frozenset({"microbiology", "hematology"}))
    assert part("specialty", e, mentor(specialties=frozenset({"microbiology"}))) == 0.5
    assert part("specialty", e, mentor(specialties=frozenset({"microbiology", "hematology"}))) == 1.0
    assert part("specialty", e, mentor(specialties=frozenset({"phlebotomy"}))) == 0.0


def test_a_mentee_without_specialties_scores_every_mentor_neutrally():
    assert part("specialty", mentee(), mentor(specialties=frozenset({"phlebotomy"}))) == 0.5


def test_goal_fit_counts_goals_the_mentor_supports():
    e = mentee(goals=frozenset({"educator", "researcher"}))
    assert part("goals", e, mentor(goals_supported=frozenset({"educator"}))) == 0.5
    assert part("goals", e, mentor(goals_supported=frozenset({"manager"}))) == 0.0


@pytest.mark.parametrize(
    "credential, goal",
    [
        ("ascp_mls", "mlt_to_mls"),
        ("ascp_mls", "certification"),
        ("amt_mls", "mlt_to_mls"),
        ("ascpi_mls", "mlt_to_mls"),
        ("aab_mt", "certification"),
        ("ascp_sm", "specialist_certification"),
        ("ascp_qli", "informatics"),
        ("ascp_dlm", "manager"),
        ("ascp_dlm", "supervisor"),
    ],
)
def test_a_credential_held_implies_the_mentor_can_coach_the_matching_goal(credential, goal):
    e = mentee(goals=frozenset({goal}))
    assert part("goals", e, mentor(credentials=frozenset({credential}))) == 1.0


def test_credential_fit_rewards_a_mentor_holding_what_the_mentee_seeks():
    e = mentee(credentials_sought=frozenset({"ascp_sm", "ascp_mls"}))
    assert part("credentials", e, mentor(credentials=frozenset({"ascp_sm"}))) == 0.5
    assert part("credentials", e, mentor(credentials=frozenset({"ascp_sh"}))) == 0.0


def test_experience_scores_best_for_a_mentor_ahead_by_a_useful_margin_and_zero_when_behind():
    e = mentee(years_experience=4)
    gap = Weights().useful_experience_gap
    assert part("experience", e, mentor(years_experience=4 + gap)) == 1.0
    assert part("experience", e, mentor(years_experience=4 + gap * 3)) == 1.0
    assert 0 < part("experience", e, mentor(years_experience=4 + gap / 2)) < 1
    assert part("experience", e, mentor(years_experience=4)) == 0.0
    assert part("experience", e, mentor(years_experience=2)) == 0.0
    assert part("experience", e, mentor()) == 0.5


def test_schedule_prefers_close_time_zones_and_the_same_shift():
    e = mentee(time_zone="America/New_York", shift="day")
    near = part("schedule", e, mentor(time_zone="America/New_York", shift="day"))
    west = part("schedule", e, mentor(time_zone="America/Los_Angeles", shift="day"))
    night = part("schedule", e, mentor(time_zone="America/New_York", shift="night"))
    far = part("schedule", e, mentor(time_zone="Asia/Manila", shift="night"))
    assert near == 1.0
    assert near > west > far
    assert near > night > far


def test_an_unknown_time_zone_is_neutral_not_an_error():
    e = mentee(time_zone="Mars/Olympus_Mons", shift="day")
    assert part("schedule", e, mentor(time_zone="America/Chicago", shift="day")) == pytest.approx(0.75)


def test_meeting_mode_prefers_the_same_mode_and_accepts_either():
    e = mentee(meeting_mode="virtual")
    same = part("meeting_mode", e, mentor(meeting_mode="virtual"))
    either = part("meeting_mode", e, mentor(meeting_mode="either"))
    clash = part("meeting_mode", e, mentor(meeting_mode="in_person"))
    assert same == 1.0 and 0 < either < 1 and clash == 0.0


def test_frequency_decreases_with_the_distance_between_preferred_cadences():
    e = mentee(frequency="weekly")
    values = [part("frequency", e, mentor(frequency=f)) for f in ("weekly", "biweekly", "monthly", "every_two_months")]
    assert values == sorted(values, reverse=True) and values[0] == 1.0 and values[-1] == 0.0


def test_the_score_is_the_normalised_weighted_sum_of_the_criteria():
    e = mentee(specialties=frozenset({"hematology"}), years_experience=1, meeting_mode="virtual")
    o = mentor(specialties=frozenset({"hematology"}), years_experience=9, meeting_mode="either")
    w = Weights(specialty=2, goals=0, credentials=0, experience=1, schedule=0, meeting_mode=1, frequency=0)
    parts = score_parts([e], [o], w)[:, 0, 0]
    expected = (2 * parts[0] + 1 * parts[3] + 1 * parts[5]) / 4
    assert score_matrix([e], [o], w)[0, 0] == pytest.approx(expected, abs=1e-6)
    assert explain(e, o, w).score == pytest.approx(expected, abs=1e-6)


def test_scores_stay_between_zero_and_one():
    e = mentee(specialties=frozenset({"hematology"}), goals=frozenset({"quality"}), years_experience=0)
    o = mentor(specialties=frozenset({"hematology"}), credentials=frozenset({"ascp_qls"}), years_experience=30)
    s = score_matrix([e, mentee(id=2)], [o, mentor(id=101)])
    assert ((s >= 0) & (s <= 1)).all()


def test_weights_must_not_be_negative_or_all_zero():
    with pytest.raises(ValueError):
        Weights(specialty=-1)
    with pytest.raises(ValueError):
        Weights(**{name: 0 for name in CRITERIA})


# Hard constraints ---------------------------------------------------------


def test_a_person_cannot_mentor_themselves():
    assert score_matrix([mentee(id=7)], [mentor(id=7)])[0, 0] == -np.inf


def test_declined_and_excluded_pairs_are_forbidden():
    s = score_matrix(
        [mentee(id=1), mentee(id=2)],
        [mentor(id=10), mentor(id=11)],
        declined={(1, 10)},
        excluded={(2, 11)},
    )
    assert s[0, 0] == -np.inf and s[1, 1] == -np.inf
    assert np.isfinite(s[0, 1]) and np.isfinite(s[1, 0])


def test_a_mentor_without_free_places_is_forbidden():
    assert score_matrix([mentee()], [mentor(capacity=0)])[0, 0] == -np.inf


def test_in_person_and_virtual_clash_only_when_the_program_says_so():
    e, o = mentee(meeting_mode="in_person"), mentor(meeting_mode="virtual")
    assert score_matrix([e], [o])[0, 0] == -np.inf
    assert np.isfinite(score_matrix([e], [o], Weights(strict_meeting_mode=False))[0, 0])
    assert np.isfinite(score_matrix([e], [mentor(meeting_mode="either")])[0, 0])


def test_explain_says_why_a_pair_is_forbidden():
    e, o = mentee(id=1), mentor(id=10)
    assert explain(e, o, declined={(1, 10)}).forbidden == "Declined before"
    assert explain(e, o, excluded={(1, 10)}).score is None
    assert explain(e, o).forbidden is None


# Sentences ----------------------------------------------------------------


def test_the_breakdown_reads_as_sentences():
    e = mentee(
        specialties=frozenset({"microbiology"}),
        credentials_sought=frozenset({"ascp_sm"}),
        goals=frozenset({"specialist_certification"}),
        years_experience=3,
        time_zone="America/New_York",
        shift="day",
        meeting_mode="virtual",
        frequency="monthly",
    )
    o = mentor(
        specialties=frozenset({"microbiology", "molecular"}),
        credentials=frozenset({"ascp_mls", "ascp_sm"}),
        years_experience=15,
        time_zone="America/Los_Angeles",
        shift="day",
        meeting_mode="virtual",
        frequency="monthly",
    )
    assert sentence("specialty", e, o) == "You both work in microbiology"
    assert sentence("credentials", e, o) == "Holds ASCP SM, which you are working toward"
    assert sentence("goals", e, o) == "Can help with specialist certification"
    assert sentence("experience", e, o) == "12 more years in the lab"
    assert sentence("schedule", e, o) == "3 hours apart; you both work day shifts"
    assert sentence("meeting_mode", e, o) == "You both prefer virtual meetings"
    assert sentence("frequency", e, o) == "You both prefer meeting monthly"


def test_sentences_cover_the_unhappy_cases_too():
    e = mentee(specialties=frozenset({"hematology"}), years_experience=10, meeting_mode="virtual")
    o = mentor(specialties=frozenset({"phlebotomy"}), years_experience=9, meeting_mode="either")
    assert sentence("specialty", e, o) == "No specialty in common"
    assert sentence("experience", e, o) == "Fewer years in the lab than you"
    assert sentence("experience", mentee(years_experience=2), mentor(years_experience=3)) == "1 more year in the lab"
    assert sentence("meeting_mode", e, o) == "Happy to meet in person or virtually"
    assert sentence("schedule", mentee(), mentor()) == "Time zone not given; shift not given"


def test_reasons_come_strongest_first_and_add_up_to_the_score():
    e = mentee(specialties=frozenset({"hematology"}), meeting_mode="virtual")
    o = mentor(specialties=frozenset({"hematology"}), meeting_mode="virtual")
    result = explain(e, o)
    contributions = [r.contribution for r in result.reasons]
    assert contributions == sorted(contributions, reverse=True)
    assert math.isclose(sum(contributions), result.score, abs_tol=1e-6)
    assert str(result.reasons[0]) == result.reasons[0].sentence


# Suggestions --------------------------------------------------------------


def test_suggest_ranks_allowed_mentors_best_first_and_keeps_k():
    e = mentee(specialties=frozenset({"hematology", "microbiology"}), meeting_mode="virtual")
    mentors = [
        mentor(id=10, specialties=frozenset({"phlebotomy"})),
        mentor(id=11, specialties=frozenset({"hematology", "microbiology"})),
        mentor(id=12, specialties=frozenset({"hematology"})),
        mentor(id=13, specialties=frozenset({"hematology", "microbiology"}), meeting_mode="in_person"),
        mentor(id=14, specialties=frozenset({"hematology", "microbiology"}), capacity=0),
    ]
    ranked = suggest(e, mentors, k=10)
    assert [s.mentor_id for s in ranked] == [11, 12, 10]
    assert [s.mentor_id for s in suggest(e, mentors, k=2)] == [11, 12]
    assert ranked[0].reasons[0].sentence == "You both work in hematology and microbiology"
    assert ranked[0].score == pytest.approx(score_matrix([e], mentors)[0, 1])


def test_suggest_breaks_ties_by_the_order_of_the_mentor_list_and_honours_exclusions():
    e = mentee(id=1)
    mentors = [mentor(id=20), mentor(id=21), mentor(id=22)]
    assert [s.mentor_id for s in suggest(e, mentors)] == [20, 21, 22]
    assert [s.mentor_id for s in suggest(e, mentors, excluded={(1, 20)}, declined={(1, 22)})] == [21]
    assert suggest(e, []) == []


def test_the_score_matrix_equals_the_weighted_sum_of_the_parts_for_varied_people():
    rng = np.random.default_rng(3)
    zones = ["America/New_York", "Europe/London", "Asia/Kolkata", "Nowhere/Unknown", None]
    specialties = ["hematology", "microbiology", "blood_bank", "molecular", "donor_apheresis"]  # bit 21: past 16
    goals = ["mlt_to_mls", "quality", "manager", "director", "researcher"]
    creds = ["ascp_mls", "ascp_sbb", "ascp_qls", "ascp_dlm", "ascpi_mls", "aab_mdxt"]

    def some(codes):
        return frozenset(c for c in codes if rng.random() < 0.4)

    def pick(codes):
        return codes[rng.integers(len(codes))]

    mentees = [
        MenteeFeatures(
            id=k, specialties=some(specialties), goals=some(goals), credentials_sought=some(creds),
            years_experience=None if k % 7 == 0 else float(rng.integers(0, 15)), time_zone=pick(zones),
            shift=pick(["day", "night", "rotating", "day_12h", None]), meeting_mode=pick(["virtual", "either", None]),
            frequency=pick(["weekly", "monthly", None]),
        )
        for k in range(40)
    ]
    mentors = [
        MentorFeatures(
            id=100 + k, specialties=some(specialties), goals_supported=some(goals), credentials=some(creds),
            years_experience=None if k % 5 == 0 else float(rng.integers(0, 30)), time_zone=pick(zones),
            shift=pick(["day", "evening", "per_diem", "night_12h", None]),
            meeting_mode=pick(["virtual", "either", "in_person", None]),
            frequency=pick(["biweekly", "every_two_months", None]),
        )
        for k in range(30)
    ]
    weights = Weights(specialty=1, goals=2, credentials=3, experience=4, schedule=5, meeting_mode=6, frequency=7)
    scores = score_matrix(mentees, mentors, weights)
    expected = np.tensordot(np.array(weights.normalised()), score_parts(mentees, mentors, weights), axes=1)
    allowed = np.isfinite(scores)
    assert allowed.sum() > 500
    np.testing.assert_allclose(scores[allowed], expected[allowed], atol=2e-6)
