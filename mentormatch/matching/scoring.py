"""Vectorised pair scoring: per-criterion parts and the N x M score matrix.

Sets of codes become bit masks, so each criterion over a block of mentees
and all mentors is a handful of numpy operations. The matrix is built in
blocks of mentees so that only ``len(CRITERIA)`` float32 block-sized parts
exist at a time; any single pair's parts are recomputed on demand by the
same code (``score_parts``), which is how breakdowns are shown.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mentormatch import domain
from mentormatch.matching.features import CRITERIA, MenteeFeatures, MentorFeatures, Weights

FORBIDDEN = -np.inf
NEUTRAL = 0.5  # the value of a criterion when either side left it blank
BLOCK_ROWS = 512

MASK = np.uint64  # one bit per code: a vocabulary may hold up to 64 codes


def _bit_table(codes: Iterable[str]) -> dict[str, int]:
    table = {code: 1 << k for k, code in enumerate(dict.fromkeys(codes))}
    if len(table) > np.iinfo(MASK).bits:
        raise ValueError(f"{len(table)} codes do not fit a {np.iinfo(MASK).bits}-bit mask: widen MASK")
    return table


SPECIALTY_BITS = _bit_table(domain.codes(domain.SPECIALTIES))
GOAL_BITS = _bit_table(domain.codes(domain.CAREER_GOALS))
# An ASCPi credential and its ASCP form share a bit: holding either helps a mentee seeking either.
CREDENTIAL_BITS = _bit_table(domain.same_credential(code) for code in domain.codes(domain.CREDENTIALS))


def _implied_goals(code: str) -> frozenset[str]:
    """The goals a credential says its holder can coach, whatever they listed themselves.

    A generalist (MLS, MLT) coaches certification, and MLS holders the MLT to MLS
    step; a specialist credential coaches specialist certification, a discipline's
    certification (HTL, CT, BB...) certification. Assistants' and phlebotomists'
    credentials imply no goal, nor do the ASCP qualifications but QLI (informatics):
    QLS is a qualification in laboratory safety, not in quality, so only a stated
    quality goal makes a quality coach.
    """
    if code in domain.ENTRY_CREDENTIALS:
        goals: set[str] = set()
    elif code in domain.QUALIFICATIONS:
        goals = {"informatics"} if code == "ascp_qli" else set()
    elif code in domain.SPECIALIST_CREDENTIALS:
        goals = {"specialist_certification"}
    else:
        goals = {"certification"}
    if code in domain.GENERALIST_CREDENTIALS and code.endswith(("_mls", "_mt")):
        goals.add("mlt_to_mls")
    if code == "ascp_dlm":
        goals |= {"manager", "supervisor"}
    return frozenset(goals)


# Goals a mentor can coach by virtue of a credential they hold.
CREDENTIAL_IMPLIES_GOALS: dict[str, frozenset[str]] = {
    code: _implied_goals(code) for code in domain.codes(domain.CREDENTIALS)
}

SHIFT_INDEX = {code: k for k, code in enumerate(domain.codes(domain.SHIFTS))}
MODE_INDEX = {code: k for k, code in enumerate(domain.codes(domain.MEETING_MODES))}
FREQUENCY_INDEX = {code: k for k, code in enumerate(domain.codes(domain.MEETING_FREQUENCIES))}

_n = NEUTRAL
# The hours on site of the fixed shifts, [start, end) on a 24-hour clock (the common US hospital
# pattern); None for the shifts without fixed hours.
SHIFT_HOURS: dict[str, tuple[int, int] | None] = {
    "day": (7, 15), "evening": (15, 23), "night": (23, 7), "day_12h": (7, 19), "night_12h": (19, 7),
    "rotating": None, "weekend": None, "per_diem": None,
}
# Shifts without fixed hours, against any other shift: a per diem (PRN) worker picks shifts and can
# take one that meets the other's; a rotating or weekend worker shares some days or a changeover.
FLEXIBLE_SHIFT = {"per_diem": 0.75, "rotating": 0.5, "weekend": 0.5}
SAME_FLEXIBLE_SHIFT = {"per_diem": 0.75, "rotating": 0.75, "weekend": 1.0}


def _on_site(hours: tuple[int, int]) -> set[int]:
    start, end = hours
    return {h % 24 for h in range(start, end if end > start else end + 24)}


def shift_fit(mine: str, theirs: str) -> float:
    """How well two shifts leave a shared window to meet, in [0, 1].

    The same shift is 1. Fixed shifts that overlap score 0.5 plus up to 0.4 for
    the share of the shorter shift they overlap (12-hour days against days: 0.9);
    fixed shifts that only meet at a changeover (day and night at 07:00, day and
    evening at 15:00) 0.5: the hand-over is a window both are at work. Shifts
    without fixed hours score FLEXIBLE_SHIFT with any other.
    """
    if mine == theirs:
        return SAME_FLEXIBLE_SHIFT.get(mine, 1.0)
    flexible = [FLEXIBLE_SHIFT[s] for s in (mine, theirs) if SHIFT_HOURS[s] is None]
    if flexible:
        return max(flexible)
    a, b = _on_site(SHIFT_HOURS[mine]), _on_site(SHIFT_HOURS[theirs])
    shared = len(a & b)
    if shared:
        return 0.5 + 0.4 * shared / min(len(a), len(b))
    touching = {SHIFT_HOURS[mine][1] % 24, SHIFT_HOURS[theirs][1] % 24} & {
        SHIFT_HOURS[mine][0] % 24, SHIFT_HOURS[theirs][0] % 24}
    return 0.5 if touching else 0.25


# Rows: mentee's code, columns: mentor's code; the last row and column are "unknown".
SHIFT_TABLE = np.full((len(SHIFT_INDEX) + 1, len(SHIFT_INDEX) + 1), _n, dtype=np.float32)
for _mine, _i in SHIFT_INDEX.items():
    for _theirs, _j in SHIFT_INDEX.items():
        SHIFT_TABLE[_i, _j] = shift_fit(_mine, _theirs)
MODE_TABLE = np.array(
    [  # in_person virtual either unknown
        [1.0, 0.0, 0.75, _n],  # in_person
        [0.0, 1.0, 0.75, _n],  # virtual
        [0.75, 0.75, 1.0, _n],  # either
        [_n, _n, _n, _n],
    ],
    dtype=np.float32,
)
MODE_CLASH = np.zeros(MODE_TABLE.shape, dtype=bool)
MODE_CLASH[MODE_INDEX["in_person"], MODE_INDEX["virtual"]] = True
MODE_CLASH[MODE_INDEX["virtual"], MODE_INDEX["in_person"]] = True
_steps = len(FREQUENCY_INDEX) - 1
FREQUENCY_TABLE = np.full((_steps + 2, _steps + 2), _n, dtype=np.float32)
for _i in range(_steps + 1):
    for _j in range(_steps + 1):
        FREQUENCY_TABLE[_i, _j] = 1.0 - abs(_i - _j) / _steps

# Offsets are taken on one fixed winter date so results never depend on today.
REFERENCE_INSTANT = _dt.datetime(2025, 1, 15, 12, 0, tzinfo=_dt.timezone.utc)


@lru_cache(maxsize=1024)
def utc_offset_hours(zone: str | None) -> float:
    """Return the zone's UTC offset in hours at the reference date, NaN if unknown."""
    if not zone:
        return float("nan")
    try:
        offset = REFERENCE_INSTANT.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return float("nan")
    return offset.total_seconds() / 3600.0 if offset is not None else float("nan")


def _mask(codes: Iterable[str], bits: dict[str, int]) -> int:
    return sum(bits.get(code, 0) for code in set(codes))


def _credential_mask(codes: Iterable[str]) -> int:
    return _mask({domain.same_credential(code) for code in codes}, CREDENTIAL_BITS)


def mentor_help_codes(mentor: MentorFeatures) -> frozenset[str]:
    """Return the goals a mentor can help with: stated plus implied by credentials."""
    implied = (CREDENTIAL_IMPLIES_GOALS.get(code, frozenset()) for code in mentor.credentials)
    return frozenset(mentor.goals_supported).union(*implied)


def _index(code: str | None, table: dict[str, int]) -> int:
    return table.get(code, len(table)) if code is not None else len(table)


@dataclass(frozen=True)
class _Side:
    """Column arrays describing one side of the market."""

    ids: np.ndarray
    specialties: np.ndarray
    goals: np.ndarray  # mentee: wanted; mentor: can help with
    credentials: np.ndarray  # mentee: sought; mentor: held
    years: np.ndarray
    offset: np.ndarray
    shift: np.ndarray
    mode: np.ndarray
    frequency: np.ndarray

    def rows(self, start: int, stop: int) -> "_Side":
        return _Side(*(getattr(self, f)[start:stop] for f in self.__dataclass_fields__))


def _encode(people: Sequence[MenteeFeatures] | Sequence[MentorFeatures], mentors: bool) -> _Side:
    goals = [mentor_help_codes(p) if mentors else p.goals for p in people]  # type: ignore[union-attr]
    creds = [p.credentials if mentors else p.credentials_sought for p in people]  # type: ignore[union-attr]
    return _Side(
        ids=np.array([p.id for p in people], dtype=np.int64),
        specialties=np.array([_mask(p.specialties, SPECIALTY_BITS) for p in people], dtype=MASK),
        goals=np.array([_mask(g, GOAL_BITS) for g in goals], dtype=MASK),
        credentials=np.array([_credential_mask(c) for c in creds], dtype=MASK),
        years=np.array(
            [np.nan if p.years_experience is None else p.years_experience for p in people],
            dtype=np.float32,
        ),
        offset=np.array([utc_offset_hours(p.time_zone) for p in people], dtype=np.float32),
        shift=np.array([_index(p.shift, SHIFT_INDEX) for p in people], dtype=np.intp),
        mode=np.array([_index(p.meeting_mode, MODE_INDEX) for p in people], dtype=np.intp),
        frequency=np.array([_index(p.frequency, FREQUENCY_INDEX) for p in people], dtype=np.intp),
    )


def _coverage(wanted: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """Share of each mentee's wanted codes that each mentor offers (neutral if none wanted)."""
    hits = np.bitwise_count(wanted[:, None] & offered[None, :]).astype(np.float32)
    size = np.bitwise_count(wanted).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = hits / size[:, None]
    share[size == 0, :] = NEUTRAL
    return share


def _schedule(e: _Side, o: _Side) -> np.ndarray:
    """The schedule criterion: time-zone closeness and shift fit, averaged (float32, n x m)."""
    hours = np.abs(o.offset[None, :] - e.offset[:, None])
    hours = np.minimum(hours, 24.0 - hours)
    tz = 1.0 - np.minimum(hours, 12.0) / np.float32(12.0)
    tz[np.isnan(tz)] = NEUTRAL
    return (tz + SHIFT_TABLE[e.shift[:, None], o.shift[None, :]]) * np.float32(0.5)


def _criteria(e: _Side, o: _Side, weights: Weights) -> np.ndarray:
    """Return the (criteria, n, m) float32 parts for a block of mentees against mentors."""
    n, m = len(e.ids), len(o.ids)
    parts = np.empty((len(CRITERIA), n, m), dtype=np.float32)
    parts[0] = _coverage(e.specialties, o.specialties)
    parts[1] = _coverage(e.goals, o.goals)
    parts[2] = _coverage(e.credentials, o.credentials)

    gap = o.years[None, :] - e.years[:, None]
    np.divide(gap, np.float32(weights.useful_experience_gap), out=parts[3])
    np.clip(parts[3], 0.0, 1.0, out=parts[3])
    parts[3][np.isnan(gap)] = NEUTRAL

    parts[4] = _schedule(e, o)

    parts[5] = MODE_TABLE[e.mode[:, None], o.mode[None, :]]
    parts[6] = FREQUENCY_TABLE[e.frequency[:, None], o.frequency[None, :]]
    return parts


def _forbid_pairs(
    scores: np.ndarray,
    mentee_ids: np.ndarray,
    mentor_ids: np.ndarray,
    pairs: Iterable[tuple[int, int]],
) -> None:
    rows: dict[int, list[int]] = {}
    for k, pid in enumerate(mentee_ids.tolist()):
        rows.setdefault(pid, []).append(k)
    cols: dict[int, list[int]] = {}
    for k, pid in enumerate(mentor_ids.tolist()):
        cols.setdefault(pid, []).append(k)
    for mentee_id, mentor_id in pairs:
        for r in rows.get(mentee_id, ()):
            for c in cols.get(mentor_id, ()):
                scores[r, c] = FORBIDDEN


def score_parts(
    mentees: Sequence[MenteeFeatures],
    mentors: Sequence[MentorFeatures],
    weights: Weights | None = None,
) -> np.ndarray:
    """Return every criterion's value, a float32 array (len(CRITERIA), N, M)."""
    weights = weights or Weights()
    return _criteria(_encode(mentees, False), _encode(mentors, True), weights)


def _bits(masks: np.ndarray, width: int) -> np.ndarray:
    return ((masks[:, None] >> np.arange(width, dtype=MASK)) & MASK(1)).astype(np.float32)


def _onehot(index: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((index.size, width), dtype=np.float32)
    out[np.arange(index.size), index] = 1.0
    return out


def _linear_factors(e: _Side, o: _Side, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (A, B, bias) with ``A @ B.T + bias`` = the weighted criteria except experience.

    Every criterion but experience is a table lookup or a set coverage, and
    both are bilinear in one-hot / bit features, so one float32 matrix
    product computes their weighted sum for all pairs at once.
    """
    left, right = [], []
    bias = np.zeros(len(e.ids), dtype=np.float32)
    for k, (mine, theirs, width) in enumerate(
        [
            (e.specialties, o.specialties, len(SPECIALTY_BITS)),
            (e.goals, o.goals, len(GOAL_BITS)),
            (e.credentials, o.credentials, len(CREDENTIAL_BITS)),
        ]
    ):
        wanted = _bits(mine, width)
        size = wanted.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            left.append(np.where(size[:, None] > 0, wanted * (w[k] / size[:, None]), 0.0))
        right.append(_bits(theirs, width))
        bias += np.where(size > 0, 0.0, w[k] * NEUTRAL).astype(np.float32)

    # Time zones: one category per distinct offset, plus "unknown".
    zones, codes = np.unique(np.concatenate([e.offset, o.offset]), return_inverse=True)
    known = ~np.isnan(zones)
    hours = np.abs(zones[:, None] - zones[None, :])
    hours = np.minimum(hours, 24.0 - hours)
    tz = np.where(known[:, None] & known[None, :], 1.0 - np.minimum(hours, 12.0) / 12.0, NEUTRAL)
    e_zone, o_zone = codes[: len(e.ids)], codes[len(e.ids) :]
    left.append(tz[e_zone] * (w[4] * 0.5))
    right.append(_onehot(o_zone, len(zones)))
    for k, scale, table, mine, theirs in (
        (4, 0.5, SHIFT_TABLE, e.shift, o.shift),
        (5, 1.0, MODE_TABLE, e.mode, o.mode),
        (6, 1.0, FREQUENCY_TABLE, e.frequency, o.frequency),
    ):
        left.append(table[mine] * (w[k] * scale))
        right.append(_onehot(theirs, table.shape[1]))
    a = np.ascontiguousarray(np.concatenate(left, axis=1), dtype=np.float32)
    b = np.ascontiguousarray(np.concatenate(right, axis=1), dtype=np.float32)
    return a, b, bias


def _one_blas_thread():
    """Limit BLAS to one thread: the products here are small and many, and
    multi-threaded BLAS spins badly on a busy server (5x slower measured)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional; only speed is at stake
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def score_matrix(
    mentees: Sequence[MenteeFeatures],
    mentors: Sequence[MentorFeatures],
    weights: Weights | None = None,
    *,
    declined: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> np.ndarray:
    """Return the float32 N x M pair scores in [0, 1]; forbidden pairs are -inf.

    Equal (to float32 rounding) to the weighted sum of ``score_parts``,
    computed without materialising the parts: one matrix product per block
    of mentees for the bilinear criteria, plus the experience gap.
    """
    weights = weights or Weights()
    e, o = _encode(mentees, False), _encode(mentors, True)
    n, m = len(mentees), len(mentors)
    scores = np.empty((n, m), dtype=np.float32)
    if n == 0 or m == 0:
        return scores
    w = np.array(weights.normalised(), dtype=np.float64)
    a, b, bias = _linear_factors(e, o, w)
    bt = np.ascontiguousarray(b.T)
    w_exp = np.float32(w[3])
    per_year = np.float32(w[3] / weights.useful_experience_gap)
    any_unknown_years = bool(np.isnan(e.years).any() or np.isnan(o.years).any())
    capacity = np.array([p.capacity for p in mentors], dtype=np.int64)
    full = np.flatnonzero(capacity <= 0)
    gap = np.empty((min(BLOCK_ROWS, n), m), dtype=np.float32)
    with _one_blas_thread() if n * m >= 1_000_000 else contextlib.nullcontext():
        _fill_blocks(scores, a, bt, bias, e, o, gap, per_year, w_exp, any_unknown_years, full, weights)
    same = np.intersect1d(e.ids, o.ids)
    _forbid_pairs(scores, e.ids, o.ids, ((pid, pid) for pid in same.tolist()))
    _forbid_pairs(scores, e.ids, o.ids, declined)
    _forbid_pairs(scores, e.ids, o.ids, excluded)
    return scores


def _fill_blocks(scores, a, bt, bias, e, o, gap, per_year, w_exp, any_unknown_years, full, weights) -> None:
    """Write the scores block by block of mentees, then mark the forbidden pairs."""
    n = scores.shape[0]
    in_person, virtual = MODE_INDEX["in_person"], MODE_INDEX["virtual"]
    o_in_person, o_virtual = np.flatnonzero(o.mode == in_person), np.flatnonzero(o.mode == virtual)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        block = scores[start:stop]
        np.matmul(a[start:stop], bt, out=block)
        block += bias[start:stop, None]
        g = gap[: stop - start]
        np.subtract(o.years[None, :], e.years[start:stop, None], out=g)
        g *= per_year
        np.clip(g, 0.0, w_exp, out=g)
        if any_unknown_years:
            g[np.isnan(g)] = w_exp * NEUTRAL
        block += g
        np.clip(block, 0.0, 1.0, out=block)  # float32 rounding can step past 1
        if full.size:
            block[:, full] = FORBIDDEN
        if weights.strict_meeting_mode:
            mode = e.mode[start:stop]
            for mine, clash in ((in_person, o_virtual), (virtual, o_in_person)):
                rows = np.flatnonzero(mode == mine)
                if rows.size and clash.size:
                    block[np.ix_(rows, clash)] = FORBIDDEN


def forbidden_reason(
    mentee: MenteeFeatures,
    mentor: MentorFeatures,
    weights: Weights | None = None,
    *,
    declined: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> str | None:
    """Return why a pair may not be matched, or None if it may."""
    weights = weights or Weights()
    pair = (mentee.id, mentor.id)
    if mentee.id == mentor.id:
        return "Cannot mentor themselves"
    if pair in set(declined):
        return "Declined before"
    if pair in set(excluded):
        return "Excluded by the coordinator"
    if mentor.capacity <= 0:
        return "Has no free places"
    e_mode, o_mode = _index(mentee.meeting_mode, MODE_INDEX), _index(mentor.meeting_mode, MODE_INDEX)
    if weights.strict_meeting_mode and MODE_CLASH[e_mode, o_mode]:
        return "Meeting modes clash (in person vs virtual)"
    return None
