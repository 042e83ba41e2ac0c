"""Why unmatched: the reasons agree with the assignment and with the rule the round preview used."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentormatch.matching import (
    CRITERIA,
    UNMATCHED_REASONS,
    MenteeFeatures,
    MentorFeatures,
    Weights,
    assign,
    explain_unmatched,
    pair_conditions,
    score_matrix,
    score_parts,
    why_unmatched,
)
from mentormatch.matching.scoring import MODE_CLASH, MODE_INDEX


@st.composite
def instances(draw, max_n=7, max_m=4):
    """Scores with forbidden pairs (-inf or NaN), capacities 1-3, and pair conditions that agree with the
    scores as the engine's do: a strict meeting-mode clash or an exclusion makes the pair forbidden."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))

    def matrix(elements):
        return np.array(draw(st.lists(elements, min_size=n * m, max_size=n * m)), dtype=object).reshape(n, m)

    levels = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1, allow_nan=False, width=32)
    scores = matrix(levels | st.just(float("nan")) | st.just(-np.inf)).astype(np.float64)
    shares = matrix(st.booleans()).astype(bool)
    clash = matrix(st.booleans()).astype(bool) & draw(st.booleans())  # all False: modes not strict
    excluded = matrix(st.booleans()).astype(bool)
    far = matrix(st.booleans()).astype(bool)
    scores[clash | excluded] = -np.inf
    capacities = np.array(draw(st.lists(st.integers(1, 3), min_size=m, max_size=m)), dtype=np.int64)
    return scores, capacities, shares, clash, far


def today(allowed, shares, clash, far):
    """The preview's rule before this module, mentee by mentee (services.rounds.running._reasons)."""
    out = []
    for k in range(shares.shape[0]):
        fits = shares[k]
        if not fits.any():
            out.append("no_specialty")
        elif clash[k, fits].all():
            out.append("meeting_mode")
        elif not allowed[k, fits].any():
            out.append("excluded")
        elif far[k][fits & allowed[k]].all():
            out.append("no_time_window")
        else:
            out.append("all_full")
    return out


@settings(max_examples=300, deadline=None)
@given(instances(), st.sampled_from(["optimal", "stable"]), st.sampled_from([1, 2, 1024]))
def test_why_unmatched_agrees_with_the_assignment_on_random_instances(instance, method, block):
    scores, capacities, shares, clash, far = instance
    assignment = assign(scores, capacities, method=method)
    found = why_unmatched(scores, assignment, capacities, shares, clash, far, block=block)
    rows = found.rows

    # Exactly the unmatched mentees are reported, in row order.
    assert rows.tolist() == np.flatnonzero(assignment < 0).tolist()
    assert len(found) == rows.size == found.reason.size
    assert set(found.reason.tolist()) <= set(UNMATCHED_REASONS)

    allowed = np.isfinite(scores)
    load = np.bincount(assignment[assignment >= 0], minlength=scores.shape[1])
    full = load >= capacities
    # The counts add up, and count what they say.
    assert (found.sharing == shares[rows].sum(axis=1)).all()
    assert (found.sharing == found.clashing + found.excluded + found.allowed).all()
    assert (found.allowed == (shares & allowed)[rows].sum(axis=1)).all()
    assert (found.far <= found.allowed).all() and (found.full <= found.allowed).all()
    assert (found.full == (shares & allowed & full[None, :])[rows].sum(axis=1)).all()

    for k, row in enumerate(rows.tolist()):
        fits, ok = shares[row], shares[row] & allowed[row]
        # Neither method leaves a mentee out while a mentor they may have has room: nobody could be added
        # without exceeding some capacity (for optimal: the assignment is maximal).
        assert (load[allowed[row]] == capacities[allowed[row]]).all()
        reason = found.reason[k]
        if reason == "no_specialty":
            assert not fits.any()
        elif reason == "meeting_mode":
            assert fits.any() and clash[row, fits].all() and found.clashing[k] == found.sharing[k]
        elif reason == "excluded":
            assert fits.any() and not ok.any() and not clash[row, fits].all()
            assert found.excluded[k] > 0
        elif reason == "no_time_window":
            assert ok.any() and far[row, ok].all()
        else:
            # Every allowed mentor sharing a specialty is at capacity, and the count is the assignment's use.
            assert ok.any() and (load[ok] == capacities[ok]).all()
            assert found.full[k] == found.allowed[k] == ok.sum()
            assert not far[row, ok].all()
    assert found.reason.tolist() == today(allowed[rows], shares[rows], clash[rows], far[rows])


def test_each_reason_is_given_where_it_belongs_in_the_order_of_precedence():
    inf = -np.inf
    scores = np.array([
        [1.0, 1.0, 1.0],  # matched
        [0.5, inf, 0.5],  # shares only mentor 1, which clashes: meeting_mode
        [0.5, inf, inf],  # shares mentors 1 (clash) and 2 (excluded): excluded
        [0.5, 0.5, 0.5],  # shares only mentor 2, too far: no_time_window
        [0.5, 0.5, 0.5],  # shares mentor 0, which is full: all_full
        [0.5, 0.5, 0.5],  # shares none: no_specialty
    ])
    shares = np.array([[1, 1, 1], [0, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 0], [0, 0, 0]], dtype=bool)
    clash = np.zeros_like(shares)
    clash[1:3, 1] = True
    far = np.zeros_like(shares)
    far[3, 2] = True
    assignment = np.array([0, -1, -1, -1, -1, -1])
    found = why_unmatched(scores, assignment, [1, 1, 1], shares, clash, far)
    assert found.rows.tolist() == [1, 2, 3, 4, 5]
    assert found.reason.tolist() == ["meeting_mode", "excluded", "no_time_window", "all_full", "no_specialty"]
    assert found.sharing.tolist() == [1, 2, 1, 1, 0]
    assert found.clashing.tolist() == [1, 1, 0, 0, 0]
    assert found.excluded.tolist() == [0, 1, 0, 0, 0]
    assert found.allowed.tolist() == [0, 0, 1, 1, 0]
    assert found.far.tolist() == [0, 0, 1, 0, 0]
    assert found.full.tolist() == [0, 0, 0, 1, 0]
    assert found.counts() == {"no_specialty": 1, "meeting_mode": 1, "excluded": 1, "no_time_window": 1,
                              "all_full": 1}


def test_without_clash_or_time_arrays_only_specialty_exclusion_and_fullness_remain():
    scores = np.array([[1.0], [-np.inf], [0.2]])
    found = why_unmatched(scores, [0, -1, -1], [1], np.ones((3, 1), dtype=bool))
    assert found.reason.tolist() == ["excluded", "all_full"]


def test_nobody_unmatched_and_no_mentors_at_all_are_answered_plainly():
    empty = why_unmatched(np.ones((2, 2)), [0, 1], [1, 1], np.ones((2, 2), dtype=bool))
    assert len(empty) == 0 and empty.reason.tolist() == [] and empty.counts()["all_full"] == 0
    alone = why_unmatched(np.zeros((2, 0)), [-1, -1], np.zeros(0), np.zeros((2, 0), dtype=bool))
    assert alone.reason.tolist() == ["no_specialty", "no_specialty"]


@pytest.mark.parametrize("args", [
    (np.ones((2, 2)), [0], [1, 1], np.ones((2, 2), dtype=bool)),  # assignment too short
    (np.ones((2, 2)), [0, 1], [1], np.ones((2, 2), dtype=bool)),  # capacities too short
    (np.ones((2, 2)), [0, 2], [1, 1], np.ones((2, 2), dtype=bool)),  # no mentor 2
    (np.ones((2, 2)), [0, 1], [1, 1], np.ones((2, 1), dtype=bool)),  # shares of another shape
])
def test_why_unmatched_rejects_arrays_that_do_not_fit_together(args):
    with pytest.raises(ValueError):
        why_unmatched(*args)


# Records -----------------------------------------------------------------

SPECIALTIES = ["hematology", "microbiology", "blood_bank", "molecular", "phlebotomy", "cytogenetics", "hla"]
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "America/Halifax", "Asia/Manila", None]
SHIFTS = ["day", "evening", "night", "day_12h", "night_12h", "rotating", None]
MODES = ["virtual", "either", "in_person", None]


def pool(seed, n=400, m=60):
    """A program's pool: skewed specialties (some no mentor has), far time zones, every meeting mode,
    declined and excluded pairs, and fewer places than mentees."""
    rng = np.random.default_rng(seed)
    p = np.array([30, 20, 15, 10, 8, 4, 2], dtype=float)

    def some(k):
        return frozenset(rng.choice(SPECIALTIES, size=k, replace=False, p=p / p.sum()).tolist())

    def pick(codes, weights=None):
        return codes[rng.choice(len(codes), p=weights)]

    mentees = [
        MenteeFeatures(id=k + 1, specialties=some(int(rng.integers(0, 3))), time_zone=pick(ZONES),
                       shift=pick(SHIFTS), meeting_mode=pick(MODES), years_experience=float(rng.integers(0, 10)))
        for k in range(n)
    ]
    mentors = [
        MentorFeatures(id=1000 + k, specialties=frozenset(s for s in some(int(rng.integers(1, 3)))
                                                          if s not in ("cytogenetics", "hla")),
                       time_zone=pick(ZONES), shift=pick(SHIFTS), meeting_mode=pick(MODES),
                       years_experience=float(rng.integers(5, 30)), capacity=int(rng.integers(0, 4)))
        for k in range(m)
    ]
    pairs = [(e.id, o.id) for e in mentees for o in mentors]
    chosen = rng.choice(len(pairs), size=len(pairs) // 8, replace=False)
    declined = {pairs[k] for k in chosen[: len(chosen) // 2].tolist()}
    excluded = {pairs[k] for k in chosen[len(chosen) // 2:].tolist()}
    # A mentee whose only specialty match is half a world and a shift away, one excluded from hers, and
    # one who meets in person only while the one mentor in her specialty meets virtually.
    mentees.append(MenteeFeatures(id=9001, specialties=frozenset({"molecular"}), time_zone="Asia/Manila",
                                  shift="night", meeting_mode="either"))
    mentees.append(MenteeFeatures(id=9002, specialties=frozenset({"molecular"}), meeting_mode="either"))
    mentors = [o for o in mentors if "molecular" not in o.specialties]
    mentors.append(MentorFeatures(id=9100, specialties=frozenset({"molecular"}), time_zone="America/Halifax",
                                  shift="day", capacity=1))
    mentees.append(MenteeFeatures(id=9003, specialties=frozenset({"hla"}), meeting_mode="in_person"))
    mentors.append(MentorFeatures(id=9101, specialties=frozenset({"hla"}), meeting_mode="virtual", capacity=1))
    excluded.add((9002, 9100))
    return mentees, mentors, declined, excluded


def reasons_as_the_preview_gave_them(mentees, mentors, weights, scores, assignment):
    """services.rounds.running._reasons as it stood before this module (blocks of 256, one loop per mentee)."""
    rows = np.flatnonzero(assignment < 0)
    out = []
    schedule = CRITERIA.index("schedule")
    unknown = len(MODE_INDEX)
    for start in range(0, len(rows), 256):
        block = rows[start:start + 256]
        people = [mentees[r] for r in block.tolist()]
        parts = score_parts(people, mentors, weights)
        shares = parts[0] > 0
        if weights.strict_meeting_mode:
            e = np.array([MODE_INDEX.get(x.meeting_mode, unknown) for x in people], dtype=np.intp)
            o = np.array([MODE_INDEX.get(x.meeting_mode, unknown) for x in mentors], dtype=np.intp)
            clash = MODE_CLASH[e[:, None], o[None, :]]
        else:
            clash = np.zeros(shares.shape, dtype=bool)
        allowed = np.isfinite(scores[block])
        for k in range(len(people)):
            fits = shares[k]
            if not mentors or not fits.any():
                reason = "no_specialty" if mentors else "all_full"
            elif clash[k, fits].all():
                reason = "meeting_mode"
            elif not allowed[k, fits].any():
                reason = "excluded"
            elif (parts[schedule, k][fits & allowed[k]] <= 0.25).all():
                reason = "no_time_window"
            else:
                reason = "all_full"
            out.append(reason)
    return rows.tolist(), out


@pytest.mark.parametrize("method", ["optimal", "stable"])
@pytest.mark.parametrize("strict", [True, False])
def test_on_a_realistic_pool_the_reasons_are_the_ones_the_round_preview_gave(method, strict):
    mentees, mentors, declined, excluded = pool(seed=15)
    weights = Weights(strict_meeting_mode=strict)
    scores = score_matrix(mentees, mentors, weights, declined=declined, excluded=excluded)
    assignment = assign(scores, [o.capacity for o in mentors], method=method)
    found = explain_unmatched(mentees, mentors, weights, scores, assignment, block=50)
    rows, expected = reasons_as_the_preview_gave_them(mentees, mentors, weights, scores, assignment)
    assert found.rows.tolist() == rows and found.reason.tolist() == expected
    everyone = UNMATCHED_REASONS if strict else tuple(r for r in UNMATCHED_REASONS if r != "meeting_mode")
    assert all(found.counts()[r] > 0 for r in everyone), found.counts()  # the pool exercises every reason
    by_id = dict(zip((mentees[r].id for r in rows), expected))
    assert by_id[9001] == "no_time_window" and by_id[9002] == "excluded"
    assert (by_id.get(9003) == "meeting_mode") == strict  # the mode rule names a reason only where it holds


def test_explain_unmatched_equals_why_unmatched_over_the_conditions_of_every_pair():
    mentees, mentors, declined, excluded = pool(seed=4, n=150, m=30)
    weights = Weights()
    scores = score_matrix(mentees, mentors, weights, declined=declined, excluded=excluded)
    capacities = [o.capacity for o in mentors]
    assignment = assign(scores, capacities, method="optimal")
    every = pair_conditions(mentees, mentors, weights)
    assert every.shares.shape == every.clash.shape == every.far.shape == scores.shape
    # Conditions agree with the scores: a strict clash is a forbidden pair.
    assert not np.isfinite(scores[every.clash]).any()
    arrays = why_unmatched(scores, assignment, capacities, every.shares, every.clash, every.far, block=7)
    records = explain_unmatched(mentees, mentors, weights, scores, assignment, block=7)
    assert len(records) > 0
    for name in ("rows", "reason", "sharing", "clashing", "excluded", "allowed", "far", "full"):
        assert getattr(records, name).tolist() == getattr(arrays, name).tolist(), name
