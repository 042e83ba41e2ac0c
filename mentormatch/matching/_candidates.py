"""Compiled scans of the dense score matrix: candidate pairs and the optimality check.

Each kernel works on a range of rows and releases the GIL, so the caller can
split rows across a few threads.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_JIT = dict(cache=True, nogil=True)


# A local copy, not an import: numba's disk cache does not notice edits in
# other modules, so cached kernels here must not depend on them.
@nb.njit(**_JIT)
def _less(a1, b1, a2, b2):
    return a1 < a2 or (a1 == a2 and b1 < b2)


@nb.njit(**_JIT)
def _row_top(scores, i, allowed_col, k, out):
    m = scores.shape[1]
    best = np.full(k, -np.inf)
    cnt = 0
    for j in range(m):
        s = scores[i, j]
        if not allowed_col[j] or not (s > -np.inf) or s != s:
            continue
        if cnt < k or s > best[cnt - 1]:
            pos = cnt if cnt < k else k - 1
            while pos > 0 and best[pos - 1] < s:
                if pos < k:
                    best[pos] = best[pos - 1]
                    out[i, pos] = out[i, pos - 1]
                pos -= 1
            best[pos] = s
            out[i, pos] = j
            if cnt < k:
                cnt += 1
    for t in range(cnt, k):
        out[i, t] = -1


@nb.njit(**_JIT)
def top_per_row(scores, allowed_col, k, out, start, stop):
    """Fill out[i] for rows start..stop with their k best allowed columns (-1: fewer)."""
    for i in range(start, stop):
        _row_top(scores, i, allowed_col, k, out)


@nb.njit(cache=True, nogil=True)
def top_per_col(scores, offset, quota, out):
    """Fill out[j, :quota[j]] with the allowed rows of highest ``score - offset[row]``."""
    n, m = scores.shape
    q = out.shape[1]
    best = np.full((m, q), -np.inf)
    cnt = np.zeros(m, np.int64)
    for i in range(n):
        for j in range(m):
            s = scores[i, j]
            kq = quota[j]
            if kq == 0 or not (s > -np.inf) or s != s:
                continue
            s = s - offset[i]
            c = cnt[j]
            if c < kq or s > best[j, c - 1]:
                pos = c if c < kq else kq - 1
                while pos > 0 and best[j, pos - 1] < s:
                    if pos < kq:
                        best[j, pos] = best[j, pos - 1]
                        out[j, pos] = out[j, pos - 1]
                    pos -= 1
                best[j, pos] = s
                out[j, pos] = i
                if c < kq:
                    cnt[j] = c + 1
    for j in range(m):
        for t in range(cnt[j], q):
            out[j, t] = -1


@nb.njit(**_JIT)
def _row_violations(scores, i, allowed_col, u_a, u_b, v_a, v_b, tol, out):
    m = scores.shape[1]
    q = out.shape[1]
    ra_best = np.zeros(q, np.int64)
    rb_best = np.zeros(q)
    cnt = 0
    found = 0
    for j in range(m):
        s = scores[i, j]
        if not allowed_col[j] or not (s > -np.inf) or s != s:
            continue
        ra = -(u_a[i] + v_a[j])
        if ra > 0:
            continue
        rb = -s - u_b[i] - v_b[j]
        if ra == 0 and rb >= -tol:
            continue
        found += 1
        if cnt < q or _less(ra, rb, ra_best[cnt - 1], rb_best[cnt - 1]):
            pos = cnt if cnt < q else q - 1
            while pos > 0 and _less(ra, rb, ra_best[pos - 1], rb_best[pos - 1]):
                if pos < q:
                    ra_best[pos] = ra_best[pos - 1]
                    rb_best[pos] = rb_best[pos - 1]
                    out[i, pos] = out[i, pos - 1]
                pos -= 1
            ra_best[pos] = ra
            rb_best[pos] = rb
            out[i, pos] = j
            if cnt < q:
                cnt += 1
    for t in range(cnt, q):
        out[i, t] = -1
    return found


@nb.njit(**_JIT)
def violations(scores, allowed_col, u_a, u_b, v_a, v_b, tol, out, start, stop):
    """Fill out[i] with row i's most negative reduced-cost allowed columns (-1 = none).

    Reduced cost of (i, j) is the pair (-(u_a + v_a), -s - u_b - v_b); a pair
    violates dual feasibility when it is lexicographically below (0, -tol).
    Works on rows start..stop (callers split rows across threads: the
    kernels release the GIL). Returns the number of violating pairs found.
    """
    total = 0
    for i in range(start, stop):
        total += _row_violations(scores, i, allowed_col, u_a, u_b, v_a, v_b, tol, out)
    return total
