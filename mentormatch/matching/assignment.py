"""Assignment of mentees to mentors with capacities: optimal and stable modes.

``optimal``: match as many mentees as possible, then maximise the total
score; exact. The dense N x M problem is solved on a sparse candidate graph
(each mentee's best mentors plus each mentor's best mentees). The solver
returns dual potentials ``(u, v)``; every allowed pair of the dense matrix is
then checked in numpy chunks for a negative reduced cost. Pairs that could
improve the result are added and the graph re-solved until none is left:
the duals then certify optimality over all pairs, not just the candidates.

``stable``: mentee-proposing deferred acceptance where both sides rank by
the pair score, ties broken by the lower index; ``blocking_pairs`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CHUNK_ROWS = 1024
TOP_PER_MENTEE = 8  # candidate mentors per mentee in the first sparse graph
TOP_PER_SLOT = 3  # candidate mentees per free place of a mentor
MAX_ROUNDS = 50
VIOLATIONS_PER_ROW = 4  # pairs added per mentee and round by the certificate check


@dataclass
class AssignmentStats:
    """What the last optimal solve did (read by the benchmark)."""

    rounds: int = 0
    edges: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)


last_stats = AssignmentStats()


def _kernels():
    # numba is imported on first use only, so importing the engine stays light.
    from mentormatch.matching import _kernels

    return _kernels


def _validate(scores, capacities) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError("scores must be a 2-D array (mentees x mentors)")
    if not np.issubdtype(scores.dtype, np.floating):
        scores = scores.astype(np.float64)
    capacities = np.asarray(capacities).astype(np.int64).reshape(-1)
    if capacities.shape[0] != scores.shape[1]:
        raise ValueError("capacities must have one entry per mentor (column)")
    if np.isposinf(scores).any():
        raise ValueError("scores may not be +inf")
    return scores, capacities


def _allowed(block: np.ndarray, full: np.ndarray) -> np.ndarray:
    ok = np.isfinite(block)
    ok[:, full] = False
    return ok


def _candidates(scores: np.ndarray, capacities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, cols) of each mentee's top mentors and each mentor's top mentees."""
    n, m = scores.shape
    full = capacities <= 0
    k = min(TOP_PER_MENTEE, m)
    rows_out, cols_out = [], []
    col_best = np.minimum(capacities * TOP_PER_SLOT, n)
    kc = int(col_best.max(initial=0))
    for start in range(0, n, CHUNK_ROWS):
        block = np.array(scores[start : start + CHUNK_ROWS], dtype=np.float32)
        block[~_allowed(block, full)] = -np.inf
        top = np.argpartition(block, m - k, axis=1)[:, m - k :]
        r = np.repeat(np.arange(start, start + block.shape[0]), k)
        c = top.reshape(-1)
        keep = np.isfinite(block[r - start, c])
        rows_out.append(r[keep])
        cols_out.append(c[keep])
    if kc > 0:
        # Column-wise best rows, by chunks of columns to bound memory.
        for cstart in range(0, m, 256):
            sub = np.array(scores[:, cstart : cstart + 256], dtype=np.float32)
            sub[~_allowed(sub, full[cstart : cstart + 256])] = -np.inf
            kk = min(kc, n)
            top = np.argpartition(sub, n - kk, axis=0)[n - kk :, :]
            c = np.broadcast_to(np.arange(sub.shape[1]), top.shape)
            # Keep only each column's own quota, best first.
            order = np.argsort(-sub[top, c], axis=0, kind="stable")
            top = np.take_along_axis(top, order, axis=0)
            quota = col_best[cstart : cstart + sub.shape[1]]
            keep = (np.arange(kk)[:, None] < quota[None, :]) & np.isfinite(sub[top, c])
            rows_out.append(top[keep])
            cols_out.append(c[keep] + cstart)
    return np.concatenate(rows_out), np.concatenate(cols_out)


def _graph(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, n: int, m: int):
    keys = np.unique(rows.astype(np.int64) * m + cols)
    r, c = keys // m, keys % m
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    costs = -np.asarray(scores[r, c], dtype=np.float64)
    return keys, indptr, c.astype(np.int64), costs


def _violations(scores, full, u_a, u_b, v_a, v_b, tol, per_row) -> tuple[np.ndarray, np.ndarray]:
    """Return, per mentee, up to ``per_row`` allowed pairs of most negative reduced cost.

    A pair's reduced cost is the pair ``(-(u_a + v_a), -score - u_b - v_b)``,
    compared lexicographically; it is negative (beyond float noise ``tol``)
    exactly when adding the pair could improve the sparse solution.
    """
    n, m = scores.shape
    q = min(per_row, m)
    bad_r, bad_c = [], []
    for start in range(0, n, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n)
        block = np.asarray(scores[start:stop], dtype=np.float64)
        primary = u_a[start:stop, None] + v_a[None, :]
        secondary = -u_b[start:stop, None] - v_b[None, :] - block
        bad = (primary == 0) & (secondary < -tol)
        bad |= primary > 0  # such a pair could match one more mentee
        bad &= _allowed(block, full)
        rows = np.flatnonzero(bad.any(axis=1))
        if rows.size == 0:
            continue
        # Rank each violating row's pairs by reduced cost (primary part dominates).
        bad, secondary, primary = bad[rows], secondary[rows], primary[rows]
        big = 4.0 * (float(np.abs(secondary[bad]).max()) + 1.0)
        rank = np.where(bad, secondary - primary * big, np.inf)
        top = np.argpartition(rank, q - 1, axis=1)[:, :q]
        keep = np.take_along_axis(bad, top, axis=1)
        bad_r.append(np.broadcast_to(rows[:, None] + start, top.shape)[keep])
        bad_c.append(top[keep])
    if not bad_r:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(bad_r), np.concatenate(bad_c)


def _assign_optimal(scores: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    global last_stats
    n, m = scores.shape
    result = np.full(n, -1, dtype=np.int64)
    stats = AssignmentStats()
    last_stats = stats
    if n == 0 or m == 0 or capacities.max(initial=0) <= 0:
        return result
    kernels = _kernels()
    full = capacities <= 0
    caps = np.maximum(capacities, 0)
    finite = scores[np.isfinite(scores)]
    scale = float(np.abs(finite).max(initial=1.0)) if finite.size else 1.0
    tol = 1e-12 * max(scale, 1.0) * max(n, 1) ** 0.5
    rows, cols = _candidates(scores, capacities)
    keys = np.empty(0, dtype=np.int64)
    for _ in range(MAX_ROUNDS):
        keys, indptr, gcols, costs = _graph(rows, cols, scores, n, m)
        stats.rounds += 1
        stats.edges.append(int(keys.size))
        row_col, u_a, u_b, v_a, v_b = kernels.solve_transport(indptr, gcols, costs, caps)
        bad_r, bad_c = _violations(scores, full, u_a, u_b, v_a[:m], v_b[:m], tol, VIOLATIONS_PER_ROW)
        bad = bad_r.astype(np.int64) * m + bad_c
        new = bad[~np.isin(bad, keys)]
        stats.added.append(int(new.size))
        if bad.size == 0:
            break  # the duals are feasible for every allowed pair: optimal
        if new.size == 0:  # pragma: no cover - would mean the solver broke its invariants
            raise RuntimeError("optimality check failed on pairs already in the graph")
        rows = np.concatenate([keys // m, new // m])
        cols = np.concatenate([keys % m, new % m])
    else:  # pragma: no cover - the certificate loop adds pairs every round
        raise RuntimeError("optimal assignment did not converge")
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
    return _kernels().deferred_acceptance(prefs.astype(np.int64), pref_len, s, capacities)


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
