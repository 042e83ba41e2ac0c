"""Assignment: optimal against brute force and scipy, stable without blocking pairs."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from mentormatch.matching import assign, blocking_pairs


@st.composite
def instances(draw, max_n=6, max_m=4):
    """Small score matrices with forbidden pairs (NaN or -inf), zero capacities and ties."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    levels = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1, allow_nan=False, width=32)
    cell = levels | st.just(float("nan")) | st.just(-np.inf)
    scores = np.array(draw(st.lists(cell, min_size=n * m, max_size=n * m)), dtype=np.float64).reshape(n, m)
    capacities = np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)), dtype=np.int64)
    return scores, capacities


def brute_force(scores, capacities):
    """Return the best (matched count, total score) over every feasible assignment."""
    n, m = scores.shape
    options = [[-1] + [j for j in range(m) if np.isfinite(scores[i, j]) and capacities[j] > 0] for i in range(n)]
    best = (0, 0.0)
    for choice in itertools.product(*options):
        used = np.bincount([j for j in choice if j >= 0], minlength=m)
        if (used[:m] <= capacities).all():
            value = (sum(j >= 0 for j in choice), sum(scores[i, j] for i, j in enumerate(choice) if j >= 0))
            if value[0] > best[0] or (value[0] == best[0] and value[1] > best[1]):
                best = value
    return best


def objective(scores, assignment):
    rows = np.flatnonzero(assignment >= 0)
    return len(rows), float(scores[rows, assignment[rows]].sum())


def assert_feasible(scores, capacities, assignment):
    n, m = scores.shape
    assert assignment.shape == (n,)
    assert ((assignment >= -1) & (assignment < max(m, 1))).all()
    rows = np.flatnonzero(assignment >= 0)
    assert np.isfinite(scores[rows, assignment[rows]]).all(), "a forbidden pair was matched"
    assert (np.bincount(assignment[rows], minlength=m) <= capacities).all(), "a capacity was exceeded"


def naive_blocking_pairs(scores, capacities, assignment):
    """The definition, pair by pair: both sides strictly prefer each other (ties by lower index)."""
    n, m = scores.shape
    s = np.where(np.isfinite(scores), scores, -np.inf)
    out = []
    for i, j in itertools.product(range(n), range(m)):
        if not np.isfinite(s[i, j]) or capacities[j] <= 0 or assignment[i] == j:
            continue
        own = assignment[i]
        mentee_wants = own < 0 or (s[i, j], -j) > (s[i, own], -own)
        held = [k for k in range(n) if assignment[k] == j]
        mentor_wants = len(held) < capacities[j] or any((s[i, j], -i) > (s[k, j], -k) for k in held)
        if mentee_wants and mentor_wants:
            out.append((i, j))
    return out


@settings(max_examples=150, deadline=None)
@given(instances())
def test_optimal_matches_the_most_mentees_then_the_best_total_like_brute_force(instance):
    scores, capacities = instance
    result = assign(scores, capacities, method="optimal")
    assert_feasible(scores, capacities, result)
    count, total = objective(scores, result)
    best_count, best_total = brute_force(scores, capacities)
    assert count == best_count
    assert total == pytest.approx(best_total, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(instances(max_n=7, max_m=4))
def test_stable_respects_capacities_and_leaves_no_blocking_pair(instance):
    scores, capacities = instance
    result = assign(scores, capacities, method="stable")
    assert_feasible(scores, capacities, result)
    assert blocking_pairs(scores, capacities, result) == []
    assert naive_blocking_pairs(scores, capacities, result) == []


@settings(max_examples=80, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_blocking_pairs_follows_the_definition_for_any_feasible_assignment(instance, rnd):
    scores, capacities = instance
    n, m = scores.shape
    left = capacities.copy()
    assignment = np.full(n, -1)
    for i in range(n):
        allowed = [j for j in range(m) if np.isfinite(scores[i, j]) and left[j] > 0]
        if allowed and rnd.random() < 0.7:
            assignment[i] = rnd.choice(allowed)
            left[assignment[i]] -= 1
    assert blocking_pairs(scores, capacities, assignment) == naive_blocking_pairs(scores, capacities, assignment)


def expanded_optimum(scores, capacities):
    """The reference: scipy's assignment on the capacity-expanded matrix, cardinality first."""
    columns = np.repeat(np.arange(scores.shape[1]), capacities)
    expanded = scores[:, columns]
    allowed = np.isfinite(expanded)
    big = 2.0 * (scores.shape[0] + 1)
    rows, cols = linear_sum_assignment(np.where(allowed, expanded + big, 0.0), maximize=True)
    ok = allowed[rows, cols]
    return int(ok.sum()), float(expanded[rows[ok], cols[ok]].sum())


@pytest.mark.parametrize("seed", range(6))
def test_optimal_equals_scipy_on_the_expanded_matrix_for_medium_instances(seed):
    rng = np.random.default_rng(seed)
    n, m = 120 + 20 * seed, 30 + 5 * seed
    # Clustered, tied scores with popular mentors: the hard kind, not uniform noise.
    appeal = rng.gamma(1.0, 1.0, m)
    scores = np.round(rng.random((n, m)) * 0.5 + 0.5 * appeal / appeal.max(), 2)
    scores[rng.random((n, m)) < 0.3] = -np.inf
    scores[rng.random((n, m)) < 0.05] = np.nan
    capacities = rng.integers(0, 5, m)
    result = assign(scores, capacities)
    assert_feasible(scores, capacities, result)
    count, total = objective(scores, result)
    ref_count, ref_total = expanded_optimum(scores, capacities)
    assert count == ref_count
    assert total == pytest.approx(ref_total, abs=1e-9)


def test_stable_is_mentee_optimal_deferred_acceptance_on_a_known_case():
    # Mentee 0 and 1 both prefer mentor 0; mentor 0 prefers mentee 1.
    scores = np.array([[0.9, 0.5], [0.95, 0.1]])
    assert assign(scores, [1, 1], method="stable").tolist() == [1, 0]


def test_stable_breaks_ties_by_the_lower_index():
    scores = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert assign(scores, [1, 1], method="stable").tolist() == [0, 1]


def test_optimal_prefers_matching_more_mentees_over_a_higher_total():
    scores = np.array([[1.0, 0.1], [1.0, -np.inf]])
    assert assign(scores, [1, 1]).tolist() == [1, 0]


@pytest.mark.parametrize("method", ["optimal", "stable"])
@pytest.mark.parametrize(
    "scores, capacities, expected",
    [
        (np.zeros((0, 3)), [1, 1, 1], []),
        (np.zeros((3, 0)), [], [-1, -1, -1]),
        (np.full((2, 2), -np.inf), [1, 1], [-1, -1]),
        (np.full((2, 2), np.nan), [1, 1], [-1, -1]),
        (np.ones((2, 2)), [0, 0], [-1, -1]),
        (np.array([[0.5, -np.inf], [0.7, 0.2]]), [5, 5], [0, 0]),
        (np.array([[0.5], [0.6], [0.7]]), [2], [-1, 0, 0]),
    ],
    ids=["no mentees", "no mentors", "all forbidden", "all nan", "zero capacity", "spare capacity", "too few places"],
)
def test_edge_cases_give_a_sensible_assignment(method, scores, capacities, expected):
    result = assign(scores, np.array(capacities, dtype=int), method=method)
    assert result.dtype.kind == "i"
    assert result.tolist() == expected


def test_assign_accepts_float32_matrices_and_lists():
    scores = np.array([[0.2, 0.9], [0.8, 0.1]], dtype=np.float32)
    assert assign(scores, [1, 1]).tolist() == [1, 0]
    assert assign(scores.tolist(), [1, 1]).tolist() == [1, 0]


def test_assign_rejects_bad_input():
    with pytest.raises(ValueError):
        assign(np.zeros((2, 2)), [1])
    with pytest.raises(ValueError):
        assign(np.zeros((2, 2)), [1, 1], method="greedy")
    with pytest.raises(ValueError):
        assign(np.full((1, 1), np.inf), [1])


@pytest.mark.parametrize("seed", range(4))
def test_optimal_stays_exact_when_the_first_sparse_graph_is_poor(seed, monkeypatch):
    # Tiny candidate lists force many certificate rounds, warm starts and re-pricing.
    from mentormatch.matching import assignment as engine

    monkeypatch.setattr(engine, "TOP_PER_MENTEE", 1)
    monkeypatch.setattr(engine, "TOP_PER_SLOT", 0)
    monkeypatch.setattr(engine, "RANDOM_PER_MENTEE", 0)
    monkeypatch.setattr(engine, "VIOLATIONS_PER_ROW", 1)
    rng = np.random.default_rng(100 + seed)
    n, m = 90, 20
    scores = np.round(rng.random((n, m)) * 0.6 + 0.4 * rng.random(m), 1 + seed % 3)
    scores[rng.random((n, m)) < 0.35] = -np.inf
    capacities = rng.integers(0, 6, m)
    result = assign(scores, capacities)
    assert engine.last_stats.rounds > 2
    assert_feasible(scores, capacities, result)
    count, total = objective(scores, result)
    ref_count, ref_total = expanded_optimum(scores, capacities)
    assert count == ref_count
    assert total == pytest.approx(ref_total, abs=1e-9)
