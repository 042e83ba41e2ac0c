"""Vectorised pair scoring: per-criterion parts and the N x M score matrix.

Sets of codes become bit masks, so each criterion over a block of mentees
and all mentors is a handful of numpy operations. The matrix is built in
blocks of mentees so that only ``len(CRITERIA)`` float32 block-sized parts
exist at a time; any single pair's parts are recomputed on demand by the
same code (``score_parts``), which is how breakdowns are shown.
"""

from __future__ import annotations

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

SPECIALTY_BITS = {code: 1 << k for k, code in enumerate(domain.codes(domain.SPECIALTIES))}
GOAL_BITS = {code: 1 << k for k, code in enumerate(domain.codes(domain.CAREER_GOALS))}
CREDENTIAL_BITS = {code: 1 << k for k, code in enumerate(domain.codes(domain.CREDENTIALS))}

# Goals a mentor can coach by virtue of a credential they hold.
CREDENTIAL_IMPLIES_GOALS: dict[str, frozenset[str]] = {
    code: frozenset(
        {"specialist_certification"} if code in domain.SPECIALIST_CREDENTIALS else {"certification"}
    )
    for code in CREDENTIAL_BITS
}
for _code in ("ascp_mls", "amt_mt"):
    CREDENTIAL_IMPLIES_GOALS[_code] = frozenset({"mlt_to_mls", "certification"})
CREDENTIAL_IMPLIES_GOALS["ascp_qls"] |= {"quality"}
CREDENTIAL_IMPLIES_GOALS["ascp_dlm"] |= {"manager", "supervisor"}

SHIFT_INDEX = {code: k for k, code in enumerate(domain.codes(domain.SHIFTS))}
MODE_INDEX = {code: k for k, code in enumerate(domain.codes(domain.MEETING_MODES))}
FREQUENCY_INDEX = {code: k for k, code in enumerate(domain.codes(domain.MEETING_FREQUENCIES))}

# Rows: mentee's code, columns: mentor's code; the last row and column are "unknown".
_n = NEUTRAL
SHIFT_TABLE = np.array(
    [  # day  evening night rotating unknown
        [1.0, 0.5, 0.0, 0.5, _n],  # day
        [0.5, 1.0, 0.5, 0.5, _n],  # evening
        [0.0, 0.5, 1.0, 0.5, _n],  # night
        [0.5, 0.5, 0.5, 0.75, _n],  # rotating
        [_n, _n, _n, _n, _n],
    ],
    dtype=np.float32,
)
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
        specialties=np.array([_mask(p.specialties, SPECIALTY_BITS) for p in people], dtype=np.uint16),
        goals=np.array([_mask(g, GOAL_BITS) for g in goals], dtype=np.uint16),
        credentials=np.array([_mask(c, CREDENTIAL_BITS) for c in creds], dtype=np.uint16),
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

    hours = np.abs(o.offset[None, :] - e.offset[:, None])
    hours = np.minimum(hours, 24.0 - hours)
    tz = 1.0 - np.minimum(hours, 12.0) / np.float32(12.0)
    tz[np.isnan(tz)] = NEUTRAL
    parts[4] = (tz + SHIFT_TABLE[e.shift[:, None], o.shift[None, :]]) * np.float32(0.5)

    parts[5] = MODE_TABLE[e.mode[:, None], o.mode[None, :]]
    parts[6] = FREQUENCY_TABLE[e.frequency[:, None], o.frequency[None, :]]
    return parts


def _forbidden_block(e: _Side, o: _Side, capacity: np.ndarray, weights: Weights) -> np.ndarray:
    forbidden = e.ids[:, None] == o.ids[None, :]
    forbidden |= (capacity <= 0)[None, :]
    if weights.strict_meeting_mode:
        forbidden |= MODE_CLASH[e.mode[:, None], o.mode[None, :]]
    return forbidden


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


def score_matrix(
    mentees: Sequence[MenteeFeatures],
    mentors: Sequence[MentorFeatures],
    weights: Weights | None = None,
    *,
    declined: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> np.ndarray:
    """Return the float32 N x M pair scores in [0, 1]; forbidden pairs are -inf."""
    weights = weights or Weights()
    e_all, o = _encode(mentees, False), _encode(mentors, True)
    capacity = np.array([m.capacity for m in mentors], dtype=np.int64)
    w = np.array(weights.normalised(), dtype=np.float32)
    n, m = len(mentees), len(mentors)
    scores = np.empty((n, m), dtype=np.float32)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        e = e_all.rows(start, stop)
        block = scores[start:stop]
        parts = _criteria(e, o, weights)
        np.multiply(parts[0], w[0], out=block)
        for k in range(1, len(CRITERIA)):
            block += parts[k] * w[k]
        np.clip(block, 0.0, 1.0, out=block)  # float32 rounding can step past 1
        block[_forbidden_block(e, o, capacity, weights)] = FORBIDDEN
    _forbid_pairs(scores, e_all.ids, o.ids, declined)
    _forbid_pairs(scores, e_all.ids, o.ids, excluded)
    return scores


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
