"""Assignment of mentees to mentors with capacities: optimal and stable modes.

``optimal``: match as many mentees as possible, then maximise the total
score; exact. The dense N x M problem is solved on a sparse candidate graph
(each mentee's best mentors, each mentor's best mentees, a few random pairs
so that the first graph admits a full matching). The solver (``_transport``)
keeps dual potentials ``(u, v)``; every allowed pair of the dense matrix is
then checked for a negative reduced cost. The most negative pairs of each
mentee are added and the graph re-solved from the previous state (warm
start) until no pair is left: the duals then certify optimality over all
pairs, not just the candidates. Exactness does not depend on the tuning
constants below; they only change how many rounds that takes.

``stable``: mentee-proposing deferred acceptance where both sides rank by
the pair score, ties broken by the lower index; ``blocking_pairs`` checks it.
"""

from __future__ import annotations

import importlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

CHUNK_ROWS = 1024
THREADS = min(4, os.cpu_count() or 1)  # plain threads: fork-safe, unlike OpenMP
TOP_PER_MENTEE = 8  # candidate mentors per mentee in the first sparse graph
TOP_PER_SLOT = 3  # candidate mentees per free place of a mentor
RANDOM_PER_MENTEE = 3  # random allowed mentors per mentee in the first sparse graph
VIOLATIONS_PER_ROW = 4  # pairs added per mentee and round by the certificate check
GREEDY_ROUNDS = 12  # after this many rounds, add every violated pair
PRUNE_ROUNDS = 3  # rounds after which far-from-tight pairs are dropped
PRUNE_SLACK = 0.2  # "far": reduced cost above this share of the score spread


@dataclass
class AssignmentStats:
    """What the last optimal solve did (read by the benchmark)."""

    rounds: int = 0
    edges: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    searches: int = 0
    edges_scanned: int = 0


last_stats = AssignmentStats()


def _by_row_ranges(kernel, n: int, *args) -> None:
    """Run a row-range kernel over rows 0..n split across a few threads (it releases the GIL)."""
    parts = max(1, min(THREADS, n // 256))
    if parts == 1:
        kernel(*args, 0, n)
        return
    bounds = np.linspace(0, n, parts + 1).astype(np.int64).tolist()
    with ThreadPoolExecutor(max_workers=parts) as pool:
        for done in [pool.submit(kernel, *args, a, b) for a, b in zip(bounds[:-1], bounds[1:])]:
            done.result()  # re-raise any error from the kernel


def _compiled(name: str):
    """Import a numba module on first use, so importing the engine stays light."""
    return importlib.import_module(f"mentormatch.matching.{name}")


def _validate(scores, capacities) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError("scores must be a 2-D array (mentees x mentors)")
    if scores.dtype not in (np.float32, np.float64):
        scores = scores.astype(np.float64)
    capacities = np.asarray(capacities).astype(np.int64).reshape(-1)
    if capacities.shape[0] != scores.shape[1]:
        raise ValueError("capacities must have one entry per mentor (column)")
    if np.isposinf(scores).any():
        raise ValueError("scores may not be +inf")
    return scores, capacities


def _candidate_keys(scores: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    """Return the sorted pair keys of each mentee's top mentors and each mentor's top mentees."""
    kernels = _compiled("_candidates")
    n, m = scores.shape
    allowed_col = capacities > 0
    k = min(TOP_PER_MENTEE, m)
    per_row = np.empty((n, k), dtype=np.int64)
    _by_row_ranges(kernels.top_per_row, n, scores, allowed_col, k, per_row)
    quota = np.where(allowed_col, np.minimum(capacities * TOP_PER_SLOT, n), 0).astype(np.int64)
    per_col = np.empty((m, max(int(quota.max(initial=0)), 1)), dtype=np.int64)
    # Mentors pick mentees for whom they are close to the best choice, so
    # that mentees who score well everywhere do not fill every list.
    best = np.where(per_row[:, 0] >= 0, scores[np.arange(n), np.maximum(per_row[:, 0], 0)], 0.0)
    kernels.top_per_col(scores, best.astype(np.float64), quota, per_col)
    rows = np.concatenate([np.repeat(np.arange(n), k), per_col.reshape(-1)])
    cols = np.concatenate([per_row.reshape(-1), np.repeat(np.arange(m), per_col.shape[1])])
    if RANDOM_PER_MENTEE:
        # A few spread-out pairs per mentee make the first graph admit a
        # matching of full size, so the first duals price places, not cardinality.
        rng = np.random.default_rng(0)
        usable = np.flatnonzero(allowed_col)
        extra_r = np.repeat(np.arange(n), RANDOM_PER_MENTEE)
        extra_c = usable[rng.integers(0, usable.size, extra_r.size)] if usable.size else extra_r * 0 - 1
        if usable.size:
            ok = np.isfinite(scores[extra_r, extra_c])
            rows = np.concatenate([rows, extra_r[ok]])
            cols = np.concatenate([cols, extra_c[ok]])
    ok = (rows >= 0) & (cols >= 0)
    return np.unique(rows[ok] * m + cols[ok])


def _graph(keys: np.ndarray, scores: np.ndarray, n: int, m: int):
    """Return the sparse graph of sorted pair keys ``i * m + j`` as CSR and CSC arrays."""
    r, c = keys // m, keys % m
    costs = -np.asarray(scores[r, c], dtype=np.float64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    by_col = np.argsort(c, kind="stable")
    colptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(c, minlength=m), out=colptr[1:])
    return indptr, c, costs, colptr, r[by_col], costs[by_col]


def _violations(scores, capacities, u_a, u_b, v_a, v_b, tol, per_row) -> np.ndarray:
    """Return keys of up to ``per_row`` pairs per mentee whose reduced cost is negative.

    A pair's reduced cost is ``(-(u_a + v_a), -score - u_b - v_b)``, compared
    lexicographically; it is negative (beyond float noise ``tol``) exactly
    when adding the pair could improve the sparse solution. The most
    negative pairs of each mentee are returned first.
    """
    n, m = scores.shape
    out = np.empty((n, min(per_row, m)), dtype=np.int64)
    _by_row_ranges(_compiled("_candidates").violations, n, scores, capacities > 0, u_a, u_b, v_a, v_b, tol, out)
    rows = np.repeat(np.arange(n, dtype=np.int64), out.shape[1])
    cols = out.reshape(-1)
    found = cols >= 0
    return rows[found] * m + cols[found]


def _assign_optimal(scores: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    global last_stats
    n, m = scores.shape
    result = np.full(n, -1, dtype=np.int64)
    stats = AssignmentStats()
    last_stats = stats
    if n == 0 or m == 0 or capacities.max(initial=0) <= 0:
        return result
    kernels = _compiled("_transport")
    caps = np.maximum(capacities, 0)
    finite = scores[np.isfinite(scores)]
    scale = float(np.abs(finite).max(initial=1.0)) if finite.size else 1.0
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    tol = 1e-12 * max(scale, 1.0) * max(n, 1) ** 0.5
    scores = np.ascontiguousarray(scores)
    keys = _candidate_keys(scores, capacities)
    # Solver state carried from round to round (warm start).
    row_col = np.full(n, -1, dtype=np.int64)
    u_a, u_b = np.zeros(n, np.int64), np.zeros(n, np.float64)
    v_a, v_b = np.zeros(m + 1, np.int64), np.zeros(m + 1, np.float64)
    while True:
        stats.rounds += 1
        stats.edges.append(int(keys.size))
        graph = _graph(keys, scores, n, m)
        work = kernels.solve_transport(*graph, caps, row_col, u_a, u_b, v_a, v_b)
        stats.searches += int(work[0] + work[1])
        stats.edges_scanned += int(work[2])
        # Late rounds take every violated pair, so the loop always ends.
        per_row = VIOLATIONS_PER_ROW if stats.rounds < GREEDY_ROUNDS else m
        bad = _violations(scores, capacities, u_a, u_b, v_a[:m], v_b[:m], tol, per_row)
        new = bad[~np.isin(bad, keys)]
        stats.added.append(int(new.size))
        if bad.size == 0:
            break  # the duals are feasible for every allowed pair: optimal
        if new.size == 0:  # pragma: no cover - would mean the solver broke its invariants
            raise RuntimeError("optimality check failed on pairs already in the graph")
        if stats.rounds <= PRUNE_ROUNDS:
            # Drop pairs far from tight under the current duals: they slow every
            # search and the check above brings back any that turns out useful.
            r, c = keys // m, keys % m
            slack = -np.asarray(scores[r, c], dtype=np.float64) - u_b[r] - v_b[c]
            keys = keys[(slack <= PRUNE_SLACK * spread) | (row_col[r] == c) | (u_a[r] + v_a[c] != 0)]
        keys = np.union1d(keys, new)
        row_col[np.unique(new // m)] = -1  # these mentees are re-routed with their new pairs
    matched = row_col < m
    result[matched] = row_col[matched]
    return result


def _assign_stable(scores: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    n, m = scores.shape
    if n == 0 or m == 0:
        return np.full(n, -1, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64).copy()
    s[:, capacities <= 0] = -np.inf
    s[~np.isfinite(s)] = -np.inf
    prefs = np.argsort(-s, axis=1, kind="stable")  # best first, ties by lower index
    pref_len = np.isfinite(s).sum(axis=1).astype(np.int64)
    return _compiled("_stable").deferred_acceptance(prefs.astype(np.int64), pref_len, s, capacities)


def assign(scores, capacities, method: str = "optimal") -> np.ndarray:
    """Return each mentee's mentor index (-1 = none); NaN or -inf scores are forbidden."""
    scores, capacities = _validate(scores, capacities)
    if method == "optimal":
        return _assign_optimal(scores, capacities)
    if method == "stable":
        return _assign_stable(scores, capacities)
    raise ValueError(f"unknown method {method!r}; use 'optimal' or 'stable'")


def blocking_pairs(scores, capacities, assignment) -> list[tuple[int, int]]:
    """Return the (mentee, mentor) pairs that both prefer each other to their match."""
    scores, capacities = _validate(scores, capacities)
    n, m = scores.shape
    assignment = np.asarray(assignment, dtype=np.int64).reshape(-1)
    if n == 0 or m == 0:
        return []
    s = np.where(np.isfinite(scores), scores, -np.inf).astype(np.float64)
    s[:, capacities <= 0] = -np.inf
    rows = np.arange(n)
    matched = assignment >= 0
    own = np.full(n, -np.inf)
    own[matched] = s[rows[matched], assignment[matched]]
    own_col = np.where(matched, assignment, m)  # unmatched: any allowed mentor is better
    load = np.bincount(assignment[matched], minlength=m)
    # Each mentor's worst held mentee (lowest score, then highest index).
    worst_score = np.full(m, np.inf)
    worst_row = np.full(m, -1)
    for i in np.flatnonzero(matched)[np.lexsort((-rows[matched], s[rows[matched], assignment[matched]]))][::-1]:
        worst_score[assignment[i]] = s[i, assignment[i]]
        worst_row[assignment[i]] = i
    room = load < capacities
    out: list[tuple[int, int]] = []
    cols = np.arange(m)
    for start in range(0, n, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n)
        block = s[start:stop]
        r = rows[start:stop, None]
        mentee_wants = (block > own[start:stop, None]) | (
            (block == own[start:stop, None]) & (cols[None, :] < own_col[start:stop, None])
        )
        mentor_wants = room[None, :] | (block > worst_score[None, :]) | (
            (block == worst_score[None, :]) & (r < worst_row[None, :])
        )
        bad = np.isfinite(block) & mentee_wants & mentor_wants & (assignment[start:stop, None] != cols[None, :])
        br, bc = np.nonzero(bad)
        out.extend(zip((br + start).tolist(), bc.tolist()))
    return out
