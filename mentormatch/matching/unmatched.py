"""Why the assignment left a mentee out: one reason and the counts behind it.

Both assignment methods leave a mentee out only when every mentor they may
be paired with is full, so the reason says what narrowed their choice
first, looking at the mentors who share one of their specialties:

``no_specialty``    none does;
``meeting_mode``    every one is forbidden by the meeting-mode rule;
``excluded``        none is allowed (declined, excluded, or no free places);
``no_time_window``  every allowed one shares too little time (schedule criterion);
``all_full``        otherwise: the allowed ones are all full.

``why_unmatched`` works over arrays (the scores the assignment used, the
assignment, capacities and per-pair conditions); ``explain_unmatched`` takes
the feature records and computes the conditions with the scoring code, for
the unmatched mentees only and a block of them at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mentormatch.matching.features import MenteeFeatures, MentorFeatures, Weights
from mentormatch.matching.scoring import MODE_CLASH, _coverage, _encode, _schedule

UNMATCHED_REASONS: tuple[str, ...] = ("no_specialty", "meeting_mode", "excluded", "no_time_window", "all_full")
_WIDTH = max(map(len, UNMATCHED_REASONS))
NO_TIME_WINDOW = 0.25  # schedule criterion at or below this: hours and shifts do not meet
REASON_BLOCK = 1024  # unmatched mentees whose (block x mentors) booleans exist at once
RECORD_BLOCK = 1024  # the same when two criteria are computed too: float32 (block x mentors) arrays


@dataclass(frozen=True, eq=False)
class PairConditions:
    """Per-pair facts that explain a forbidden or weak pair, each a (mentees, mentors) bool array."""

    shares: np.ndarray  # the mentor has one of the mentee's specialties (or the mentee named none)
    clash: np.ndarray  # meeting modes clash and the program forbids it
    far: np.ndarray  # the schedule criterion is at or below NO_TIME_WINDOW


@dataclass(frozen=True, eq=False)
class UnmatchedReasons:
    """One entry per unmatched mentee, in row order; counts are over mentors sharing a specialty.

    ``sharing == clashing + excluded + allowed``; ``far`` and ``full`` count
    among the ``allowed`` ones.
    """

    rows: np.ndarray  # mentee indices
    reason: np.ndarray  # codes from UNMATCHED_REASONS
    sharing: np.ndarray
    clashing: np.ndarray
    excluded: np.ndarray
    allowed: np.ndarray
    far: np.ndarray
    full: np.ndarray

    def __len__(self) -> int:
        return int(self.rows.size)

    def counts(self) -> dict[str, int]:
        """How many mentees each reason covers, in UNMATCHED_REASONS order (zeros included)."""
        return {code: int((self.reason == code).sum()) for code in UNMATCHED_REASONS}


_COUNTS = ("sharing", "clashing", "excluded", "allowed", "far", "full")


def pair_conditions(
    mentees: Sequence[MenteeFeatures], mentors: Sequence[MentorFeatures], weights: Weights | None = None
) -> PairConditions:
    """Return the pair conditions of a block of mentees against all mentors, from the scoring code."""
    weights = weights or Weights()
    return _conditions(_encode(mentees, False), _encode(mentors, True), weights)


def _conditions(e, o, weights: Weights) -> PairConditions:
    # The two criteria score_parts would give for "specialty" and "schedule", without the other five.
    shares = _coverage(e.specialties, o.specialties) > 0
    if weights.strict_meeting_mode:
        clash = MODE_CLASH[e.mode[:, None], o.mode[None, :]]
    else:
        clash = np.zeros(shares.shape, dtype=bool)
    return PairConditions(shares, clash, _schedule(e, o) <= NO_TIME_WINDOW)


def _mentor_full(assignment: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    matched = assignment[assignment >= 0]
    return np.bincount(matched, minlength=capacities.size)[: capacities.size] >= capacities


def _classify(allowed, shares, clash, far, full) -> dict[str, np.ndarray]:
    """Counts and reason codes for a block: ``allowed``/``shares``/``clash``/``far`` (rows, M), ``full`` (M,)."""
    ok = shares & allowed
    forbidden = shares & ~allowed
    counts = {
        "sharing": shares.sum(axis=1),
        "clashing": (forbidden & clash).sum(axis=1),
        "excluded": (forbidden & ~clash).sum(axis=1),
        "allowed": ok.sum(axis=1),
        "far": (ok & far).sum(axis=1),
        "full": (ok & full[None, :]).sum(axis=1),
    }
    counts = {k: v.astype(np.int64) for k, v in counts.items()}
    # Precedence: the first condition that holds names the reason.
    conditions = [
        counts["sharing"] == 0,
        counts["clashing"] == counts["sharing"],
        counts["allowed"] == 0,
        counts["far"] == counts["allowed"],
    ]
    codes = np.array(UNMATCHED_REASONS, dtype=f"<U{_WIDTH}")
    counts["reason"] = codes[np.select(conditions, np.arange(len(conditions)), default=len(conditions))]
    return counts



def _collect(rows: np.ndarray, blocks: list[dict[str, np.ndarray]]) -> UnmatchedReasons:
    def column(name, dtype):
        return np.concatenate([b[name] for b in blocks]) if blocks else np.zeros(0, dtype=dtype)

    return UnmatchedReasons(rows=rows, reason=column("reason", f"<U{_WIDTH}"),
                            **{name: column(name, np.int64) for name in _COUNTS})


def _check(scores: np.ndarray, assignment: np.ndarray, capacities: np.ndarray) -> None:
    n, m = scores.shape
    if assignment.shape != (n,) or capacities.shape != (m,):
        raise ValueError("assignment must have one entry per mentee (row), capacities one per mentor (column)")
    if ((assignment < -1) | (assignment >= m)).any():
        raise ValueError("assignment entries must be -1 or a mentor index")


def why_unmatched(
    scores,
    assignment,
    capacities,
    shares,
    clash=None,
    far=None,
    *,
    block: int = REASON_BLOCK,
) -> UnmatchedReasons:
    """Return why each mentee with ``assignment == -1`` is unmatched; -inf/NaN scores are forbidden pairs.

    ``shares``, ``clash`` and ``far`` are (N, M) bool arrays as in
    ``PairConditions`` (``clash``/``far`` default to all False); "full"
    means the assignment uses all of a mentor's ``capacities``.
    """
    scores = np.asarray(scores)
    assignment = np.asarray(assignment, dtype=np.int64).reshape(-1)
    capacities = np.asarray(capacities, dtype=np.int64).reshape(-1)
    _check(scores, assignment, capacities)
    arrays = [np.asarray(a, dtype=bool) if a is not None else None for a in (shares, clash, far)]
    if any(a is not None and a.shape != scores.shape for a in arrays):
        raise ValueError("shares, clash and far must have the shape of scores")
    full = _mentor_full(assignment, capacities)
    rows = np.flatnonzero(assignment < 0)
    blocks = []
    for start in range(0, rows.size, block):
        r = rows[start:start + block]
        none = np.zeros((r.size, scores.shape[1]), dtype=bool)
        s, c, f = (a[r] if a is not None else none for a in arrays)
        blocks.append(_classify(np.isfinite(scores[r]), s, c, f, full))
    return _collect(rows, blocks)


def explain_unmatched(
    mentees: Sequence[MenteeFeatures],
    mentors: Sequence[MentorFeatures],
    weights: Weights | None,
    scores,
    assignment,
    capacities=None,
    *,
    block: int = RECORD_BLOCK,
) -> UnmatchedReasons:
    """Return ``why_unmatched`` for records: conditions computed for the unmatched mentees only.

    ``scores`` and ``assignment`` are what ``score_matrix`` and ``assign``
    gave for these records; ``capacities`` default to the mentors' own.
    """
    weights = weights or Weights()
    scores = np.asarray(scores)
    assignment = np.asarray(assignment, dtype=np.int64).reshape(-1)
    if capacities is None:
        capacities = [p.capacity for p in mentors]
    capacities = np.asarray(capacities, dtype=np.int64).reshape(-1)
    if scores.shape != (len(mentees), len(mentors)):
        raise ValueError("scores must be len(mentees) x len(mentors)")
    _check(scores, assignment, capacities)
    full = _mentor_full(assignment, capacities)
    rows = np.flatnonzero(assignment < 0)
    mentor_side = _encode(mentors, True)
    blocks = []
    for start in range(0, rows.size, block):
        r = rows[start:start + block]
        found = _conditions(_encode([mentees[k] for k in r.tolist()], False), mentor_side, weights)
        blocks.append(_classify(np.isfinite(scores[r]), found.shares, found.clash, found.far, full))
    return _collect(rows, blocks)
