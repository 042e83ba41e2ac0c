"""Compiled deferred acceptance for the stable mode (numba, cached on disk)."""

from __future__ import annotations

import numba as nb
import numpy as np

_JIT = dict(cache=True, nogil=True)


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
