"""Fault test: kill a gunicorn worker and restart PostgreSQL mid-run; nothing acknowledged may be lost.

    .venv/bin/python benchmarks/fault.py                       # 45 s, 4 workers, faults at 12 s and 25 s
    .venv/bin/python benchmarks/fault.py --duration 30 --kill-at 8 --restart-at 16

Runs the mixed load of ``benchmarks/load.py`` (mentees requesting, mentors
accepting, coordinators reading) against gunicorn on a throwaway PostgreSQL,
and meanwhile:

1. at ``--kill-at`` seconds SIGKILLs one gunicorn worker (the arbiter forks a
   replacement);
2. at ``--restart-at`` seconds runs ``pg_ctl restart -m fast`` (every database
   connection of every worker is cut).

Every accept the app acknowledged ("You are matched!" on the match page) is
recorded. If the app has a meeting log (``flask routes`` shows
``/agreements/<id>/meetings/new``), mentors propose the default terms after
accepting, matched mentees confirm them and log meetings, and every meeting
the app acknowledged (redirect back to the agreement) is recorded by a unique
shared note; without it the script says so and checks matches only.

Afterwards it prints the load table, the errors in each fault window and
elsewhere, then verifies: every acknowledged accept is still active in the
database, no capacity violation, /healthz answers 200 within
``--recover-timeout`` seconds with the SAME gunicorn master (no restart), the
worker count is back to ``--workers``, and requests succeeded after the
database restart. Errors inside the fault windows are expected and only
counted; errors outside them fail the run. Exits 1 on any failed check.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import (  # noqa: E402
    HASH_NOTE, RATE_LIMIT_NOTE, Gunicorn, Postgres, app_routes, code_note, prepare_database, wait_healthy,
)
from load import Workload, check_database, print_app_errors  # noqa: E402

WINDOW = 10.0  # seconds after a fault in which errors are expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=45, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--kill-at", type=float, default=12, help="second at which a worker is SIGKILLed")
    parser.add_argument("--restart-at", type=float, default=25, help="second at which PostgreSQL restarts")
    parser.add_argument("--recover-timeout", type=float, default=30, help="seconds allowed to serve /healthz again")
    parser.add_argument("--mentees", type=int, default=8)
    parser.add_argument("--mentors", type=int, default=4)
    parser.add_argument("--coordinators", type=int, default=1)
    args = parser.parse_args()
    checks: list[tuple[str, bool]] = []

    print(code_note())
    with Postgres() as pg:
        prepare_database(pg.url)
        meetings = any(r.startswith("/agreements") and "meetings/new" in r for r in app_routes(pg.url))
        with Gunicorn(pg.url, workers=args.workers) as server:
            master = server.proc.pid
            print(f"gunicorn -w {args.workers} (master pid {master}) on {server.base}, PostgreSQL on port {pg.port}; "
                  f"{RATE_LIMIT_NOTE}; {HASH_NOTE}")
            print("meeting log found: acknowledged accepts AND logged meetings are checked" if meetings
                  else "no meeting log in this app (no /agreements/.../meetings/new rule): checking accepted matches only")
            load = Workload(server.port, meetings=meetings)
            runner = threading.Thread(target=lambda: setattr(load, "elapsed", load.run(
                args.duration, args.mentees, args.mentors, args.coordinators)), daemon=True)
            runner.start()
            load.started.wait(300)
            events: dict[str, tuple[float, float]] = {}  # fault -> (start, end) seconds into the run

            time.sleep(max(0.0, load.t0 + args.kill_at - time.monotonic()))
            before = server.workers()
            victim = before[0]
            t = time.monotonic() - load.t0
            os.kill(victim, signal.SIGKILL)
            events["worker SIGKILL"] = (t, t)
            print(f"[{t:5.1f} s] SIGKILL worker {victim} (workers were {before})", flush=True)

            time.sleep(max(0.0, load.t0 + args.restart_at - time.monotonic()))
            t = time.monotonic() - load.t0
            pg.restart()
            t_end = time.monotonic() - load.t0
            events["PostgreSQL restart"] = (t, t_end)
            print(f"[{t:5.1f} s] pg_ctl restart -m fast took {t_end - t:.1f} s", flush=True)

            runner.join(args.duration + 120)
            failures = load.report(getattr(load, "elapsed", args.duration))
            start = time.monotonic()
            healthy = wait_healthy(server.port, args.recover_timeout)
            recovery = time.monotonic() - start
            after = server.workers()
            same_master = server.proc.poll() is None and server.proc.pid == master
        print_app_errors(server.log)
        print()
        violations = check_database(pg, load.accepted, load.logged)

    print("\nerrors (5xx or connection errors) by fault window (fault start to end + %.0f s):" % WINDOW)
    windows = {name: (a, b + WINDOW) for name, (a, b) in events.items()}
    rows = [(t_end - load.t0, status) for kind in load.samples.values() for t_end, _, status in kind]
    for name, (a, b) in windows.items():
        inside = [s for at, s in rows if a <= at <= b]
        bad = sum(1 for s in inside if s >= 500 or s == 0)
        print(f"  {name:<20} {a:5.1f}-{b:5.1f} s: {bad} errors of {len(inside)} requests (expected, counted)")
    outside = sum(1 for at, s in rows if (s >= 500 or s == 0) and not any(a <= at <= b for a, b in windows.values()))
    restart_end = events["PostgreSQL restart"][1]
    served_after = sum(1 for at, s in rows if at > restart_end + WINDOW and 200 <= s < 400)
    print(f"  outside the windows: {outside} errors ({failures} in all)")

    checks.append((f"nothing acknowledged lost ({len(load.accepted)} accepts, {len(load.logged)} meetings), "
                   "no capacity violation", violations == 0))
    checks.append((f"/healthz 200 again after {recovery:.1f} s (limit {args.recover_timeout:.0f} s)", healthy))
    checks.append((f"same gunicorn master {master} still serving (no restart)", same_master))
    checks.append((f"worker {victim} replaced: {len(after)} workers {after}",
                   victim not in after and len(after) == args.workers))
    checks.append((f"{served_after} successful requests after the database restart window", served_after > 0))
    checks.append((f"no errors outside the fault windows ({outside})", outside == 0))
    print()
    for what, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'}  {what}")
    ok = all(ok for _, ok in checks)
    print(f"RESULT: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
