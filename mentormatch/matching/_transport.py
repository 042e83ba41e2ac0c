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

Warm start: the caller may free rows (to give them new edges) and call again
with the previous potentials. A place freed in a column with ``v_j < 0``
would break the last invariant, so it is first refilled, or the column
re-priced to zero, by a reverse shortest path (from the column back to a
free row, an unmatched row, or a column whose price can rise to zero).
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
def _move(k, j, dummy, row_col, row_pos, slot_start, slot_row, load):
    """Move row k (assigned or not) into column j."""
    prev = row_col[k]
    if prev >= 0 and prev != dummy:
        old = row_pos[k]
        last = slot_start[prev] + load[prev] - 1
        moved = slot_row[last]
        slot_row[old] = moved
        row_pos[moved] = old
        slot_row[last] = -1
        load[prev] -= 1
    elif prev == dummy:
        load[dummy] -= 1
    row_col[k] = j
    if j == dummy:
        row_pos[k] = -1
    else:
        row_pos[k] = slot_start[j] + load[j]
        slot_row[row_pos[k]] = k
    load[j] += 1


@nb.njit(**_JIT)
def _cheapest(i, indptr, cols, costs, v_a, v_b, u_a, u_b):
    """Set row i's potential to its cheapest reduced edge; return that column (-1: unmatched)."""
    best_a = 1
    best_b = 0.0
    best = -1
    for e in range(indptr[i], indptr[i + 1]):
        j = cols[e]
        ra = -v_a[j]
        rb = costs[e] - v_b[j]
        if _less(ra, rb, best_a, best_b):
            best_a, best_b, best = ra, rb, j
    u_a[i] = best_a
    u_b[i] = best_b
    return best


@nb.njit(**_JIT)
def solve_transport(indptr, cols, costs, colptr, crows, ccosts, capacity, row_col, u_a, u_b, v_a, v_b):
    """Complete an optimal assignment in place; return work counters.

    row_col[i] == M means unmatched, -1 free.

    On entry, assigned rows must be tight and every edge of an assigned row
    feasible for (u, v). Free rows (-1) get fresh potentials. Columns with a
    free place and a negative potential (left so by rows freed since the
    last solve) are first refilled or re-priced by reverse shortest paths;
    then each free row is routed by a forward shortest path.
    """
    n = indptr.shape[0] - 1
    m = capacity.shape[0]
    dummy = m
    work = np.zeros(3, np.int64)  # reverse searches, forward searches, edges scanned
    row_pos = np.full(n, -1, np.int64)
    slot_start = np.zeros(m + 1, np.int64)
    for j in range(m):
        slot_start[j + 1] = slot_start[j] + capacity[j]
    slot_row = np.full(slot_start[m] + 1, -1, np.int64)
    load = np.zeros(m + 1, np.int64)
    for i in range(n):
        j = row_col[i]
        if j >= 0:
            row_col[i] = -1
            _move(i, j, dummy, row_col, row_pos, slot_start, slot_row, load)

    # Work arrays shared by both searches, reset through touched lists.
    d_a = np.zeros(m + 1, np.int64)
    d_b = np.zeros(m + 1, np.float64)
    seen = np.zeros(m + 1, np.bool_)
    done = np.zeros(m + 1, np.bool_)
    pred = np.full(m + 1, -1, np.int64)
    touched = np.empty(m + 1, np.int64)
    done_cols = np.empty(m + 1, np.int64)
    row_d_a = np.zeros(n, np.int64)
    row_d_b = np.zeros(n, np.float64)
    row_seen = np.zeros(n, np.bool_)
    row_pred = np.full(n, -1, np.int64)
    row_touched = np.empty(n, np.int64)
    scanned = np.empty(n, np.int64)
    chain_row = np.empty(m + 2, np.int64)
    chain_col = np.empty(m + 2, np.int64)
    heap_cap = max(indptr[n], colptr[m]) + 2 * n + 2 * m + 2
    ha = np.empty(heap_cap, np.int64)
    hb = np.empty(heap_cap, np.float64)
    hc = np.empty(heap_cap, np.int64)

    # Free rows start from their cheapest edge under the current column potentials.
    for i in range(n):
        if row_col[i] < 0:
            _cheapest(i, indptr, cols, costs, v_a, v_b, u_a, u_b)

    # Reverse searches: refill each place left free in a column priced below zero.
    for l in range(m):
        while load[l] < capacity[l] and (v_a[l] < 0 or (v_a[l] == 0 and v_b[l] < 0.0)):
            work[0] += 1
            n_touched = 0
            n_rows = 0
            n_done = 0
            size = 0
            seen[l] = True
            touched[n_touched] = l
            n_touched += 1
            d_a[l] = 0
            d_b[l] = 0.0
            size = _heap_push(ha, hb, hc, size, 0, 0.0, l)
            # Best way to stop: re-price a reached column to zero (leaving it a free place).
            best_a = -v_a[l]
            best_b = -v_b[l]
            best_kind = 0  # 0: re-price column best_node, 1: pull in free/unmatched row best_node
            best_node = l
            while size > 0:
                ca, cb, c = ha[0], hb[0], hc[0]
                size = _heap_pop(ha, hb, hc, size)
                if not _less(ca, cb, best_a, best_b):
                    break
                if done[c] or ca != d_a[c] or cb != d_b[c]:
                    continue
                done[c] = True
                done_cols[n_done] = c
                n_done += 1
                # Stopping here: raise c's potential to zero and free one of its places.
                if c != l:
                    ea = ca - v_a[c]
                    eb = cb - v_b[c]
                    if _less(ea, eb, best_a, best_b):
                        best_a, best_b, best_kind, best_node = ea, eb, 0, c
                        if ea == ca and eb == cb:
                            break
                work[2] += colptr[c + 1] - colptr[c]
                for e in range(colptr[c], colptr[c + 1]):
                    k = crows[e]
                    j = row_col[k]
                    if j == c:
                        continue
                    ra = -u_a[k] - v_a[c]
                    rb = ccosts[e] - u_b[k] - v_b[c]
                    if ra == 0 and rb < 0.0:
                        rb = 0.0
                    na = ca + ra
                    nb_ = cb + rb
                    if not _less(na, nb_, best_a, best_b):
                        continue
                    if not row_seen[k] or _less(na, nb_, row_d_a[k], row_d_b[k]):
                        if not row_seen[k]:
                            row_seen[k] = True
                            row_touched[n_rows] = k
                            n_rows += 1
                        row_d_a[k] = na
                        row_d_b[k] = nb_
                        row_pred[k] = c
                        if j < 0 or j == dummy:
                            # A free or unmatched row: the best way to stop so far.
                            best_a, best_b, best_kind, best_node = na, nb_, 1, k
                        elif not done[j] and (not seen[j] or _less(na, nb_, d_a[j], d_b[j])):
                            if not seen[j]:
                                seen[j] = True
                                touched[n_touched] = j
                                n_touched += 1
                            d_a[j] = na
                            d_b[j] = nb_
                            pred[j] = k
                            size = _heap_push(ha, hb, hc, size, na, nb_, j)
            big_a, big_b = best_a, best_b
            for t in range(n_done):
                c = done_cols[t]
                if _less(d_a[c], d_b[c], big_a, big_b):
                    da_ = big_a - d_a[c]
                    db_ = big_b - d_b[c]
                    v_a[c] += da_
                    v_b[c] += db_
                    for s in range(slot_start[c], slot_start[c] + load[c]):
                        k = slot_row[s]
                        u_a[k] -= da_
                        u_b[k] -= db_
            # The chain of moves ends at l; apply it from l's end so that
            # every move lands in a column with a place free.
            n_chain = 0
            if best_kind == 0:
                x = best_node
                if x != l:
                    v_a[x] = 0  # exactly zero, whatever the rounding above
                    v_b[x] = 0.0
            else:
                k = best_node
                x = row_pred[k]
                chain_row[n_chain] = k
                chain_col[n_chain] = x
                n_chain += 1
                for e in range(indptr[k], indptr[k + 1]):
                    if cols[e] == x:
                        u_a[k] = -v_a[x]
                        u_b[k] = costs[e] - v_b[x]
                        break
            while x != l:
                k = pred[x]
                x = row_pred[k]
                chain_row[n_chain] = k
                chain_col[n_chain] = x
                n_chain += 1
            for t in range(n_chain - 1, -1, -1):
                _move(chain_row[t], chain_col[t], dummy, row_col, row_pos, slot_start, slot_row, load)
            for t in range(n_touched):
                c = touched[t]
                seen[c] = False
                done[c] = False
            for t in range(n_rows):
                row_seen[row_touched[t]] = False

    # Fresh potentials for free rows; take the cheapest column if it has room.
    free = np.empty(n, np.int64)
    n_free = 0
    for i in range(n):
        if row_col[i] >= 0:
            continue
        best = _cheapest(i, indptr, cols, costs, v_a, v_b, u_a, u_b)
        if best < 0 or load[best] < capacity[best]:
            _move(i, dummy if best < 0 else best, dummy, row_col, row_pos, slot_start, slot_row, load)
        else:
            free[n_free] = i
            n_free += 1

    for f in range(n_free):
        work[1] += 1
        root = free[f]
        n_touched = 0
        n_done = 0
        n_scanned = 0
        size = 0
        end = -1
        i = root
        ia = 0
        ib = 0.0
        cur_slot = 0
        cur_stop = 0
        # The nearest column with room seen so far: the search ends there once
        # nothing in the heap is nearer, and nothing farther is worth pushing.
        best_a = np.int64(1) << 40
        best_b = 0.0
        best_col = -1
        while True:
            # Scan row i at distance (ia, ib).
            row_d_a[i] = ia
            row_d_b[i] = ib
            scanned[n_scanned] = i
            n_scanned += 1
            work[2] += indptr[i + 1] - indptr[i] + 1
            ua_i = u_a[i]
            ub_i = u_b[i]
            for e in range(indptr[i], indptr[i + 1] + 1):
                if e < indptr[i + 1]:
                    j = cols[e]
                    ra = -ua_i - v_a[j]
                    rb = costs[e] - ub_i - v_b[j]
                else:
                    j = dummy
                    ra = 1 - ua_i
                    rb = -ub_i
                if done[j]:
                    continue
                if ra == 0 and rb < 0.0:
                    rb = 0.0
                na = ia + ra
                nb_ = ib + rb
                if not _less(na, nb_, best_a, best_b):
                    continue
                if not seen[j] or _less(na, nb_, d_a[j], d_b[j]):
                    if not seen[j]:
                        seen[j] = True
                        touched[n_touched] = j
                        n_touched += 1
                    d_a[j] = na
                    d_b[j] = nb_
                    pred[j] = i
                    if j == dummy or load[j] < capacity[j]:
                        best_a, best_b, best_col = na, nb_, j
                    else:
                        size = _heap_push(ha, hb, hc, size, na, nb_, j)
            if best_a == ia and best_b == ib:
                end = best_col  # nothing can be nearer than the row just scanned
                break
            # Next: the remaining rows of the last popped full column, else pop a column.
            if cur_slot < cur_stop:
                i = slot_row[cur_slot]
                cur_slot += 1
                continue
            j = -1
            while size > 0:
                ca, cb, cj = ha[0], hb[0], hc[0]
                if not _less(ca, cb, best_a, best_b):
                    break
                size = _heap_pop(ha, hb, hc, size)
                if done[cj] or ca != d_a[cj] or cb != d_b[cj]:
                    continue
                j = cj
                break
            if j < 0:
                end = best_col
                break
            done[j] = True
            done_cols[n_done] = j
            n_done += 1
            ia = d_a[j]
            ib = d_b[j]
            cur_slot = slot_start[j] + 1
            cur_stop = slot_start[j] + load[j]
            i = slot_row[slot_start[j]]

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
            _move(k, j, dummy, row_col, row_pos, slot_start, slot_row, load)
            if prev < 0:
                break
            j = prev
        for t in range(n_touched):
            j = touched[t]
            seen[j] = False
            done[j] = False
    return work
