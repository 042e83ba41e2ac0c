"""Cold start: the first round preview in a freshly started process, with and without the warm-up.

    .venv/bin/python benchmarks/cold_start.py                 # 5 fresh processes per case
    .venv/bin/python benchmarks/cold_start.py --runs 3 --cache-dir /tmp/numba-cache

Seeds ``flask demo``'s data (120 mentees, 40 mentors, 3 programs) into a
temporary SQLite file once. Then each run starts a fresh Python process that
imports the app, builds it (``create_app``, production settings) and times
``preview_round`` of the demo's largest program, through the services as the
round page does:

- warm-up: ``MATCHING_WARMUP`` on and its thread joined before the first
  preview (a coordinator who opens the round page after start-up);
- at once: ``MATCHING_WARMUP`` on, the preview asked right after start-up
  (racing the warm-up thread; the worst case with the warm-up);
- no warm-up: ``MATCHING_WARMUP`` off: the first preview loads numba and the
  kernels itself;
- peer: the second preview of the same "no warm-up" process (everything warm).

Numba's disk cache is ``NUMBA_CACHE_DIR``: a fresh temporary directory unless
``--cache-dir`` is given. Two processes first fill it: one without warm-up
(its first preview is printed as the cost without any cache: compiling), then
one with it (the rest of the kernels and dtypes, as the install step does).
Cases then run interleaved, ``--runs`` times each; the table gives medians and
ratios to the peer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = {"warm-up": "warm", "at once": "race", "no warm-up": "cold"}
GOAL_SECONDS = 1.0


def child(case: str, database_url: str, out: str) -> None:
    """In a fresh process: build the app, then time two previews of the largest program."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from mentormatch.app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MATCHING_WARMUP": case != "cold"})
    built = time.perf_counter()
    if case == "warm":
        app.extensions["matching_warmup"].join()
    warmed = time.perf_counter()
    with app.app_context():
        from mentormatch.extensions import db
        from mentormatch.models import Program
        from mentormatch.services import rounds

        program_id = _largest_program().id
        previews = []
        for _ in range(2):
            program = db.session.get(Program, program_id)  # each service call ends its session
            params = rounds.default_params(program)
            t = time.perf_counter()
            rounds.preview_round(program, params)
            previews.append(time.perf_counter() - t)
        size = _pool_size(program_id)
    Path(out).write_text(json.dumps({
        "app": built - started, "warm_wait": warmed - built, "first": previews[0], "repeat": previews[1], "size": size,
    }))


def _largest_program():
    from sqlalchemy import func

    from mentormatch.extensions import db
    from mentormatch.models import Membership, Program

    return db.session.scalar(
        db.select(Program).join(Membership, Membership.program_id == Program.id)
        .group_by(Program.id).order_by(func.count(Membership.id).desc(), Program.id).limit(1))


def _pool_size(program_id: int) -> list[int]:
    from mentormatch.services.pool import load_pool

    pool = load_pool(program_id)
    return [len(pool.mentees), len(pool.mentors)]


def seed(database_url: str) -> None:
    """Create the schema and ``flask demo``'s people in ``database_url``."""
    sys.path.insert(0, str(ROOT))
    from mentormatch.app import create_app
    from mentormatch.extensions import db
    from mentormatch.services.demo import seed_demo

    app = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.remove()


def run_child(case: str, database_url: str, env: dict[str, str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--child", case, "--database-url", database_url, "--out", out.name],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        result = json.loads(Path(out.name).read_text())
    result["process"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per case (median)")
    parser.add_argument("--cache-dir", help="NUMBA_CACHE_DIR to use (default: a fresh temporary directory)")
    parser.add_argument("--child", choices=sorted(CASES.values()), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.out)
        return

    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        cache_dir = args.cache_dir or str(Path(tmp) / "numba-cache")
        env = {**os.environ, "MENTORMATCH_ENV": "production", "SECRET_KEY": "b" * 64, "MAIL_SERVER": "",
               "MENTORMATCH_QUEUE_URL": "memory://", "NUMBA_CACHE_DIR": cache_dir}
        env.pop("MENTORMATCH_MATCHING_WARMUP", None)
        print(f"Seeding the demo into {database_url} ...")
        seed(database_url)
        print(f"NUMBA_CACHE_DIR={cache_dir}; load average {os.getloadavg()[0]:.1f}")
        prime = run_child("cold", database_url, env)
        n, m = prime["size"]
        print(f"Largest demo program: {n} mentees x {m} mentors")
        print(f"  first process: first preview {prime['first']:.3f} s"
              f"{' (no cache: numba compiles the kernels the preview needs)' if not args.cache_dir else ''}")
        prime = run_child("warm", database_url, env)  # as the install step would: every kernel, every dtype
        print(f"  second process: warm-up {prime['warm_wait']:.3f} s (compiles or loads what the preview left)")
        runs: dict[str, list[dict]] = {label: [] for label in CASES}
        for _ in range(args.runs):
            for label, case in CASES.items():  # interleaved, so load changes hit every case alike
                runs[label].append(run_child(case, database_url, env))
        peer = statistics.median(r["repeat"] for r in runs["no warm-up"])
        print()
        print(f"Medians of {args.runs} fresh processes each (seconds; ratio = first preview / peer)")
        header = (f"{'case':<12} {'first preview':>13} {'ratio':>7} {'app built':>9} {'waited for warm-up':>18}"
                  f" {'process':>8}  first previews")
        print(header)
        print("-" * len(header))
        for label in CASES:
            rs = runs[label]
            first = statistics.median(r["first"] for r in rs)
            each = ", ".join(f"{r['first']:.3f}" for r in rs)
            print(f"{label:<12} {first:13.3f} {first / peer:6.1f}x {statistics.median(r['app'] for r in rs):9.3f}"
                  f" {statistics.median(r['warm_wait'] for r in rs):18.3f}"
                  f" {statistics.median(r['process'] for r in rs):8.2f}  {each}")
        print(f"{'peer':<12} {peer:13.3f} {1:6.1f}x  (second preview in the 'no warm-up' processes)")
        warm_first = statistics.median(r["first"] for r in runs["warm-up"])
        verdict = "met" if warm_first < GOAL_SECONDS else "NOT met"
        print(f"goal: first preview after start-up under {GOAL_SECONDS:.0f} s: {warm_first:.3f} s, {verdict}")


if __name__ == "__main__":
    main()
