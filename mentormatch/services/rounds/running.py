"""Running the engine over a program's pool, and the preview that describes the result.

``preview_round`` writes no proposal: a coordinator can repeat it with other
weights or exclusions as often as they like. It keeps its assignment under a
digest of the pool and settings (``previews``), so that publishing the same
round does not run the engine again.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np

from mentormatch.extensions import db
from mentormatch.matching import assign, explain_unmatched, score_matrix
from mentormatch.models import Program
from mentormatch.services.pool import Pool, load_pool
from mentormatch.services.rounds import previews
from mentormatch.services.rounds.params import RoundParams

BUCKETS = 10  # score distribution in 0.1-wide buckets

NO_SPECIALTY = "No mentor in their specialty"
NO_MODE = "No mentor offers their meeting mode"
ALL_EXCLUDED = "Every mentor in their specialty was declined or excluded"
NO_TIME = "No shared time window"
ALL_FULL = "All suitable mentors are full"
# The sentence for each of the engine's codes (matching.UNMATCHED_REASONS).
REASON_TEXT = {"no_specialty": NO_SPECIALTY, "meeting_mode": NO_MODE, "excluded": ALL_EXCLUDED,
               "no_time_window": NO_TIME, "all_full": ALL_FULL}

Pair = tuple[int, int, float]  # (mentee id, mentor id, score)


@dataclass(frozen=True)
class ProposedPair:
    mentee_id: int
    mentor_id: int
    mentee_name: str
    mentor_name: str
    score: float

    @property
    def key(self) -> str:
        """The pair as the form carries it: ``"menteeId:mentorId"``."""
        return f"{self.mentee_id}:{self.mentor_id}"


@dataclass(frozen=True)
class UnmatchedMentee:
    mentee_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class Bucket:
    low: float
    high: float
    count: int


@dataclass
class RoundPreview:
    """What publishing would propose, and who would be left out and why."""

    params: RoundParams
    mentees: int  # in the pool
    mentors: int  # with free places
    places: int  # free places in all
    pairs: list[ProposedPair]  # weakest first
    unmatched: list[UnmatchedMentee]
    buckets: list[Bucket]
    names: dict[int, str]
    digest: str  # of the proposed pairs: the form carries it, publishing compares
    timings: dict[str, float] = field(default_factory=dict)
    pool_digest: str = ""  # of what the engine read (``previews.pool_digest``)

    @property
    def matched(self) -> int:
        return len(self.pairs)

    @property
    def total_score(self) -> float:
        return float(sum(p.score for p in self.pairs))

    @property
    def mean_score(self) -> float:
        return self.total_score / len(self.pairs) if self.pairs else 0.0

    @property
    def largest_bucket(self) -> int:
        return max((b.count for b in self.buckets), default=0)

    def reason_counts(self) -> list[tuple[str, int]]:
        """How many unmatched mentees each reason covers, most common first."""
        counts: dict[str, int] = {}
        for person in self.unmatched:
            counts[person.reason] = counts.get(person.reason, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def engine_pairs(self) -> list[Pair]:
        """The proposed pairs in the engine's order (the pool's, by mentee id), as publishing writes them."""
        return sorted((p.mentee_id, p.mentor_id, p.score) for p in self.pairs)


@dataclass(frozen=True)
class Run:
    pool: Pool
    scores: np.ndarray
    assignment: np.ndarray


def sorted_pool(program_id: int) -> Pool:
    """The program's pool in id order, so the same program always gives the same result."""
    pool = load_pool(program_id)
    pool.mentees.sort(key=lambda m: m.id)
    pool.mentors.sort(key=lambda m: m.id)
    return pool


def run_engine(pool: Pool, params: RoundParams, timings: dict[str, float]) -> Run:
    """Score every pair of the pool and assign mentees to mentors' free places."""
    started = time.perf_counter()
    scores = score_matrix(pool.mentees, pool.mentors, params.weights,
                          declined=pool.declined, excluded=params.excluded)
    assignment = assign(scores, np.array([m.capacity for m in pool.mentors], dtype=np.int64), params.method)
    timings["engine"] = time.perf_counter() - started
    return Run(pool, scores, assignment)


def pairs_digest(pairs: list[Pair]) -> str:
    """A short digest of which pairs are proposed, whatever their order or scores."""
    return hashlib.sha256(",".join(f"{a}:{b}" for a, b, _ in sorted(pairs)).encode()).hexdigest()[:20]


def proposed_pairs(run: Run) -> list[Pair]:
    """The engine's pairs, in pool order (by mentee id)."""
    rows = np.flatnonzero(run.assignment >= 0)
    cols = run.assignment[rows]
    values = run.scores[rows, cols].astype(float)
    return [(run.pool.mentees[r].id, run.pool.mentors[c].id, s)
            for r, c, s in zip(rows.tolist(), cols.tolist(), values.tolist())]


def _buckets(values: np.ndarray) -> list[Bucket]:
    index = np.minimum((np.asarray(values, dtype=float) * BUCKETS).astype(int), BUCKETS - 1)
    counts = np.bincount(index, minlength=BUCKETS) if len(values) else np.zeros(BUCKETS, dtype=int)
    return [Bucket(k / BUCKETS, (k + 1) / BUCKETS, int(counts[k])) for k in range(BUCKETS)]


def _reasons(run: Run, params: RoundParams) -> list[UnmatchedMentee]:
    """Why each mentee the engine left out could not be matched, in pool order (``explain_unmatched``)."""
    pool = run.pool
    found = explain_unmatched(pool.mentees, pool.mentors, params.weights, run.scores, run.assignment)
    people = [pool.mentees[r] for r in found.rows.tolist()]
    return [UnmatchedMentee(p.id, pool.names.get(p.id, ""), REASON_TEXT[code])
            for p, code in zip(people, found.reason.tolist())]


def describe(run: Run, params: RoundParams, timings: dict[str, float], pool_digest: str = "") -> RoundPreview:
    """The preview of a run: its pairs weakest first, the score buckets, who is left out and why."""
    started = time.perf_counter()
    names = run.pool.names
    found = proposed_pairs(run)
    pairs = sorted((ProposedPair(e, o, names.get(e, ""), names.get(o, ""), s) for e, o, s in found),
                   key=lambda p: (p.score, p.mentee_name, p.mentee_id))
    preview = RoundPreview(
        params=params, mentees=len(run.pool.mentees), mentors=len(run.pool.mentors),
        places=sum(m.capacity for m in run.pool.mentors), pairs=pairs, unmatched=_reasons(run, params),
        buckets=_buckets(np.array([p.score for p in pairs])), names=names,
        digest=pairs_digest(found), timings=timings, pool_digest=pool_digest,
    )
    timings["summary"] = time.perf_counter() - started
    return preview


def preview_round(program: Program, params: RoundParams) -> RoundPreview:
    """Run the engine over the program's pool and describe the result; writes no proposal.

    The assignment is kept under the pool's digest (``previews.remember``)
    for publishing to reuse.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pool = sorted_pool(program.id)
    read = time.perf_counter()
    key = previews.pool_digest(pool, params)
    timings["read"], timings["digest"] = read - started, time.perf_counter() - read
    preview = describe(run_engine(pool, params, timings), params, timings, key)
    db.session.rollback()  # end the read-only transaction rather than leave it idle
    started = time.perf_counter()
    previews.remember(program.id, key, preview.engine_pairs())
    timings["remember"] = time.perf_counter() - started
    return preview
