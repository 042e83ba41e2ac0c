"""Compiled inner loops of the assignment (numba, cached on disk after first use).

Optimal mode: a transportation problem. Rows (mentees) each send one unit
to a column (mentor, with a capacity) or to a dummy column ``M`` meaning
"unmatched". Costs are lexicographic pairs ``(a, b)``: a real pair costs
``(0, -score)``, the dummy costs ``(1, 0)``. Minimising pairs
lexicographically matches as many mentees as possible first and maximises
the total score second, with no big-M constant to eat float precision.

The solver is successive shortest paths with potentials (the Hungarian
method, Jonker-Volgenant style): rows are added one at a time; Dijkstra over
reduced costs ``c_ij - u_i - v_j >= 0`` finds the cheapest augmenting path to
a column with room. Invariants: every edge has non-negative reduced cost,
matched edges have zero, and only full columns have ``v_j < 0``. Those are
exactly the LP optimality conditions, so the final ``(u, v)`` is a dual
certificate that the caller can check against pairs outside the sparse graph.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_JIT = dict(cache=True, nogil=True)


@nb.njit(**_JIT)
def _less(a1, b1, a2, b2):
    return a1 < a2 or (a1 == a2 and b1 < b2)


@nb.njit(**_JIT)
def _heap_push(ha, hb, hc, size, a, b, c):
    k = size
    ha[k] = a
    hb[k] = b
    hc[k] = c
    while k > 0:
        p = (k - 1) >> 1
        if _less(ha[k], hb[k], ha[p], hb[p]):
            ha[k], ha[p] = ha[p], ha[k]
            hb[k], hb[p] = hb[p], hb[k]
            hc[k], hc[p] = hc[p], hc[k]
            k = p
        else:
            break
    return size + 1


@nb.njit(**_JIT)
def _heap_pop(ha, hb, hc, size):
    size -= 1
    ha[0] = ha[size]
    hb[0] = hb[size]
    hc[0] = hc[size]
    k = 0
    while True:
        left = 2 * k + 1
        if left >= size:
            break
        child = left
        right = left + 1
        if right < size and _less(ha[right], hb[right], ha[left], hb[left]):
            child = right
        if _less(ha[child], hb[child], ha[k], hb[k]):
            ha[k], ha[child] = ha[child], ha[k]
            hb[k], hb[child] = hb[child], hb[k]
            hc[k], hc[child] = hc[child], hc[k]
            k = child
        else:
            break
    return size


@nb.njit(**_JIT)
def solve_transport(indptr, cols, costs, capacity):
    """Return (row_col, u_a, u_b, v_a, v_b); row_col[i] == M means unmatched."""
    n = indptr.shape[0] - 1
    m = capacity.shape[0]
    dummy = m
    big = n + 1  # dummy capacity: never full

    u_a = np.zeros(n, np.int64)
    u_b = np.zeros(n, np.float64)
    v_a = np.zeros(m + 1, np.int64)
    v_b = np.zeros(m + 1, np.float64)
    row_col = np.full(n, -1, np.int64)
    row_pos = np.full(n, -1, np.int64)
    slot_start = np.zeros(m + 1, np.int64)
    for j in range(m):
        slot_start[j + 1] = slot_start[j] + capacity[j]
    slot_row = np.full(slot_start[m], -1, np.int64)
    load = np.zeros(m + 1, np.int64)

    # Greedy start: each row's cheapest edge is tight with v = 0.
    free = np.empty(n, np.int64)
    n_free = 0
    for i in range(n):
        lo, hi = indptr[i], indptr[i + 1]
        if lo == hi:
            u_a[i] = 1
            row_col[i] = dummy
            load[dummy] += 1
            continue
        best = lo
        for e in range(lo + 1, hi):
            if costs[e] < costs[best] or (
                costs[e] == costs[best] and load[cols[e]] < capacity[cols[e]] <= load[cols[best]]
            ):
                best = e
        u_b[i] = costs[best]
        j = cols[best]
        if load[j] < capacity[j]:
            row_col[i] = j
            row_pos[i] = slot_start[j] + load[j]
            slot_row[row_pos[i]] = i
            load[j] += 1
        else:
            free[n_free] = i
            n_free += 1

    # Dijkstra work arrays, reset through touched lists.
    d_a = np.zeros(m + 1, np.int64)
    d_b = np.zeros(m + 1, np.float64)
    seen = np.zeros(m + 1, np.bool_)
    done = np.zeros(m + 1, np.bool_)
    pred = np.full(m + 1, -1, np.int64)
    touched = np.empty(m + 1, np.int64)
    done_cols = np.empty(m + 1, np.int64)
    row_d_a = np.zeros(n, np.int64)
    row_d_b = np.zeros(n, np.float64)
    scanned = np.empty(n, np.int64)
    heap_cap = indptr[n] + 2 * n + m + 2
    ha = np.empty(heap_cap, np.int64)
    hb = np.empty(heap_cap, np.float64)
    hc = np.empty(heap_cap, np.int64)

    for f in range(n_free):
        root = free[f]
        n_touched = 0
        n_done = 0
        n_scanned = 0
        size = 0
        end = -1
        i = root
        ia = 0
        ib = 0.0
        while True:
            # Scan row i at distance (ia, ib).
            row_d_a[i] = ia
            row_d_b[i] = ib
            scanned[n_scanned] = i
            n_scanned += 1
            for e in range(indptr[i], indptr[i + 1]):
                j = cols[e]
                if done[j]:
                    continue
                ra = -u_a[i] - v_a[j]
                rb = costs[e] - u_b[i] - v_b[j]
                if ra == 0 and rb < 0.0:
                    rb = 0.0
                na = ia + ra
                nb_ = ib + rb
                if not seen[j]:
                    seen[j] = True
                    touched[n_touched] = j
                    n_touched += 1
                    d_a[j] = na
                    d_b[j] = nb_
                    pred[j] = i
                    size = _heap_push(ha, hb, hc, size, na, nb_, j)
                elif _less(na, nb_, d_a[j], d_b[j]):
                    d_a[j] = na
                    d_b[j] = nb_
                    pred[j] = i
                    size = _heap_push(ha, hb, hc, size, na, nb_, j)
            ra = 1 - u_a[i]
            rb = -u_b[i]
            if ra == 0 and rb < 0.0:
                rb = 0.0
            na = ia + ra
            nb_ = ib + rb
            if not seen[dummy]:
                seen[dummy] = True
                touched[n_touched] = dummy
                n_touched += 1
                d_a[dummy] = na
                d_b[dummy] = nb_
                pred[dummy] = i
                size = _heap_push(ha, hb, hc, size, na, nb_, dummy)
            elif _less(na, nb_, d_a[dummy], d_b[dummy]):
                d_a[dummy] = na
                d_b[dummy] = nb_
                pred[dummy] = i
                size = _heap_push(ha, hb, hc, size, na, nb_, dummy)

            # Pop the nearest unfinished column; stop at one with room.
            j = -1
            while size > 0:
                ca, cb, cj = ha[0], hb[0], hc[0]
                size = _heap_pop(ha, hb, hc, size)
                if done[cj] or ca != d_a[cj] or cb != d_b[cj]:
                    continue
                j = cj
                break
            done[j] = True
            done_cols[n_done] = j
            n_done += 1
            if j == dummy or load[j] < capacity[j]:
                end = j
                break
            # A full column: its rows are reached at the same distance.
            ia = d_a[j]
            ib = d_b[j]
            for s in range(slot_start[j], slot_start[j] + load[j] - 1):
                k = slot_row[s]
                row_d_a[k] = ia
                row_d_b[k] = ib
            # Scan the rows of column j one by one (the last via the loop head).
            for s in range(slot_start[j], slot_start[j] + load[j] - 1):
                k = slot_row[s]
                scanned[n_scanned] = k
                n_scanned += 1
                for e in range(indptr[k], indptr[k + 1]):
                    jj = cols[e]
                    if done[jj]:
                        continue
                    ra = -u_a[k] - v_a[jj]
                    rb = costs[e] - u_b[k] - v_b[jj]
                    if ra == 0 and rb < 0.0:
                        rb = 0.0
                    na = ia + ra
                    nb_ = ib + rb
                    if not seen[jj]:
                        seen[jj] = True
                        touched[n_touched] = jj
                        n_touched += 1
                        d_a[jj] = na
                        d_b[jj] = nb_
                        pred[jj] = k
                        size = _heap_push(ha, hb, hc, size, na, nb_, jj)
                    elif _less(na, nb_, d_a[jj], d_b[jj]):
                        d_a[jj] = na
                        d_b[jj] = nb_
                        pred[jj] = k
                        size = _heap_push(ha, hb, hc, size, na, nb_, jj)
                ra = 1 - u_a[k]
                rb = -u_b[k]
                if ra == 0 and rb < 0.0:
                    rb = 0.0
                na = ia + ra
                nb_ = ib + rb
                if not seen[dummy]:
                    seen[dummy] = True
                    touched[n_touched] = dummy
                    n_touched += 1
                    d_a[dummy] = na
                    d_b[dummy] = nb_
                    pred[dummy] = k
                    size = _heap_push(ha, hb, hc, size, na, nb_, dummy)
                elif _less(na, nb_, d_a[dummy], d_b[dummy]):
                    d_a[dummy] = na
                    d_b[dummy] = nb_
                    pred[dummy] = k
                    size = _heap_push(ha, hb, hc, size, na, nb_, dummy)
            i = slot_row[slot_start[j] + load[j] - 1]

        big_a = d_a[end]
        big_b = d_b[end]
        # Potentials: shift everything reached closer than the end.
        for t in range(n_done):
            j = done_cols[t]
            v_a[j] -= big_a - d_a[j]
            v_b[j] -= big_b - d_b[j]
        for t in range(n_scanned):
            k = scanned[t]
            u_a[k] += big_a - row_d_a[k]
            u_b[k] += big_b - row_d_b[k]
        # Augment along the predecessor chain back to the root.
        j = end
        while True:
            k = pred[j]
            prev = row_col[k]
            if prev >= 0:
                # Remove k from its old column by moving the last row into its slot.
                old = row_pos[k]
                last = slot_start[prev] + load[prev] - 1
                moved = slot_row[last]
                slot_row[old] = moved
                row_pos[moved] = old
                slot_row[last] = -1
                load[prev] -= 1
            row_col[k] = j
            if j == dummy:
                row_pos[k] = -1
            else:
                row_pos[k] = slot_start[j] + load[j]
                slot_row[row_pos[k]] = k
            load[j] += 1
            if prev < 0:
                break
            j = prev
        for t in range(n_touched):
            j = touched[t]
            seen[j] = False
            done[j] = False
    return row_col, u_a, u_b, v_a, v_b


@nb.njit(**_JIT)
def deferred_acceptance(prefs, pref_len, scores, capacity):
    """Mentee-proposing deferred acceptance; mentors rank by (score, lower index)."""
    n = prefs.shape[0]
    m = capacity.shape[0]
    slot_start = np.zeros(m + 1, np.int64)
    for j in range(m):
        slot_start[j + 1] = slot_start[j] + max(capacity[j], 0)
    held = np.empty(slot_start[m], np.int64)  # per mentor: min-heap of held rows, worst on top
    load = np.zeros(m, np.int64)
    nxt = np.zeros(n, np.int64)
    result = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    top = 0
    for i in range(n - 1, -1, -1):
        stack[top] = i
        top += 1
    while top > 0:
        top -= 1
        i = stack[top]
        while nxt[i] < pref_len[i]:
            j = prefs[i, nxt[i]]
            nxt[i] += 1
            base = slot_start[j]
            s = scores[i, j]
            if load[j] < capacity[j]:
                # Sift the new row up the mentor's heap.
                k = load[j]
                load[j] += 1
                held[base + k] = i
                while k > 0:
                    p = (k - 1) >> 1
                    a = held[base + k]
                    b = held[base + p]
                    if scores[a, j] < scores[b, j] or (scores[a, j] == scores[b, j] and a > b):
                        held[base + k] = b
                        held[base + p] = a
                        k = p
                    else:
                        break
                result[i] = j
                break
            w = held[base]
            sw = scores[w, j]
            if s > sw or (s == sw and i < w):
                # Replace the worst held row and sift down.
                held[base] = i
                result[i] = j
                result[w] = -1
                k = 0
                size = load[j]
                while True:
                    left = 2 * k + 1
                    if left >= size:
                        break
                    c = left
                    if left + 1 < size:
                        x = held[base + left]
                        y = held[base + left + 1]
                        if scores[y, j] < scores[x, j] or (scores[y, j] == scores[x, j] and y > x):
                            c = left + 1
                    a = held[base + c]
                    b = held[base + k]
                    if scores[a, j] < scores[b, j] or (scores[a, j] == scores[b, j] and a > b):
                        held[base + c] = b
                        held[base + k] = a
                        k = c
                    else:
                        break
                stack[top] = w
                top += 1
                break
    return result
