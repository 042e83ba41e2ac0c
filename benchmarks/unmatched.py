"""Benchmark of ``explain_unmatched`` against the round preview's former per-mentee loop, same run.

    python benchmarks/unmatched.py                 # 10,000 x 2,500, about a tenth unmatched
    python benchmarks/unmatched.py --size small    # 2,000 x 500

The pool comes from ``instances.py``; capacities are cut so that about 10%
of mentees stay unmatched. The peer is ``services.rounds.running._reasons`` as it
was before the engine had ``why_unmatched`` (copied below so the services
layer and its database need not be loaded). Both must give the same reasons;
times are medians of ``--repeats``, alternated, and the ratio is peer / ours.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
_spec = importlib.util.spec_from_file_location("mentormatch_bench_instances", HERE / "instances.py")
instances = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(instances)

from mentormatch.matching import CRITERIA, Weights, assign, explain_unmatched, score_matrix, score_parts  # noqa: E402
from mentormatch.matching.scoring import MODE_CLASH, MODE_INDEX  # noqa: E402

SIZES = {"full": (10_000, 2_500), "small": (2_000, 500)}
CODES = {"No mentor in their specialty": "no_specialty", "No mentor offers their meeting mode": "meeting_mode",
         "Every mentor in their specialty was declined or excluded": "excluded",
         "No shared time window": "no_time_window", "All suitable mentors are full": "all_full"}


def former_reasons(mentees, mentors, weights, scores, assignment) -> list[str]:
    """services.rounds.running._reasons before this change: blocks of 256, then a loop over each mentee."""
    rows = np.flatnonzero(assignment < 0)
    out = []
    schedule = CRITERIA.index("schedule")
    unknown = len(MODE_INDEX)
    for start in range(0, len(rows), 256):
        block = rows[start:start + 256]
        people = [mentees[r] for r in block.tolist()]
        parts = score_parts(people, mentors, weights)
        shares = parts[0] > 0
        e = np.array([MODE_INDEX.get(m.meeting_mode, unknown) for m in people], dtype=np.intp)
        o = np.array([MODE_INDEX.get(m.meeting_mode, unknown) for m in mentors], dtype=np.intp)
        clash = MODE_CLASH[e[:, None], o[None, :]] if weights.strict_meeting_mode else np.zeros(shares.shape, bool)
        allowed = np.isfinite(scores[block])
        for k in range(len(people)):
            fits = shares[k]
            if not mentors or not fits.any():
                reason = "No mentor in their specialty" if mentors else "All suitable mentors are full"
            elif clash[k, fits].all():
                reason = "No mentor offers their meeting mode"
            elif not allowed[k, fits].any():
                reason = "Every mentor in their specialty was declined or excluded"
            elif (parts[schedule, k][fits & allowed[k]] <= 0.25).all():
                reason = "No shared time window"
            else:
                reason = "All suitable mentors are full"
            out.append(CODES[reason])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    n, m = SIZES[args.size]
    rng = np.random.default_rng(15)
    mentees = instances.make_mentees(n, rng)
    mentors = instances.make_mentors(m, rng, capacity=4)
    # 0.9 n places in all, so about a tenth of mentees stay unmatched.
    q, r = divmod(int(0.9 * n), m)
    caps = (q + (rng.permutation(m) < r)).astype(np.int64)
    mentors = [type(o)(**{**o.__dict__, "capacity": int(c)}) for o, c in zip(mentors, caps)]
    weights = Weights()
    started = time.perf_counter()
    scores = score_matrix(mentees, mentors, weights)
    assignment = assign(scores, caps, method="optimal")
    print(f"{n} x {m}, {int(caps.sum())} places, {int((assignment < 0).sum())} unmatched "
          f"(setup {time.perf_counter() - started:.1f} s)")

    ours_t, peer_t = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        ours = explain_unmatched(mentees, mentors, weights, scores, assignment)
        ours_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        peer = former_reasons(mentees, mentors, weights, scores, assignment)
        peer_t.append(time.perf_counter() - t)
        assert ours.reason.tolist() == peer, "the reasons differ"
    ours_med, peer_med = statistics.median(ours_t), statistics.median(peer_t)
    print(f"reasons: {ours.counts()}")
    print(f"explain_unmatched  median {ours_med * 1000:8.1f} ms  (of {args.repeats})")
    print(f"former _reasons    median {peer_med * 1000:8.1f} ms  (of {args.repeats})")
    print(f"ratio former / ours: {peer_med / ours_med:.2f}x")


if __name__ == "__main__":
    main()
