"""Fault test: kill a gunicorn worker, the queue worker and PostgreSQL mid-run; nothing acknowledged may be lost.

    .venv/bin/python benchmarks/fault.py                       # 45 s, 4 workers, faults at 4+, 12 and 25 s
    .venv/bin/python benchmarks/fault.py --duration 30 --kill-at 8 --restart-at 16

Runs the mixed load of ``benchmarks/load.py`` (mentees requesting, mentors
accepting, coordinators reading) against the same deployment shape: gunicorn
and one ``flask --app wsgi worker --workers 2`` on a throwaway PostgreSQL,
the queue and the limiter's store in a private redis-server, a counting SMTP
sink that takes ``--smtp-delay`` s per message as the mail server; outbox
claims last ``--claim-seconds`` and the sweep's grace is ``--sweep-grace``
(both 5 s, so rows a dead worker held are sent again within the run or the
drain; the sweep runs once a minute). Meanwhile:

0. from ``--worker-kill-at`` seconds it waits (up to 15 s) until the queue
   worker holds claimed, unmarked outbox rows, SIGKILLs it
   ``--kill-after-claim`` s later (mid-send), records those rows and starts a
   new worker ``--worker-down`` s later;
1. at ``--kill-at`` seconds SIGKILLs one gunicorn worker (the arbiter forks a
   replacement);
2. at ``--restart-at`` seconds runs ``pg_ctl restart -m fast`` (every database
   connection of every worker is cut) and records the outbox rows claimed
   before it and still unmarked (their mark may have died with it).

Every accept the app acknowledged ("You are matched!" on the match page) is
recorded. If the app has a meeting log (``flask routes`` shows
``/agreements/<id>/meetings/new``), mentors propose the default terms after
accepting, matched mentees confirm them and log meetings, and every meeting
the app acknowledged (redirect back to the agreement) is recorded by a unique
shared note; without it the script says so and checks matches only.

Afterwards it waits (at most ``--drain-timeout`` s) until the outbox has no
unsent row, prints the load table, the errors in each fault window and
elsewhere, the email figures, then verifies: every acknowledged accept is
still active in the database, no capacity violation, /healthz answers 200
within ``--recover-timeout`` seconds with the SAME gunicorn master (no
restart), the worker count is back to ``--workers``, requests succeeded after
the database restart, the queue worker was replaced and runs, and every
outbox row was sent and received by the sink: none missing, none more than
twice, and duplicates only of the rows recorded in 0. and 2. (at most once
more each). Errors inside the gunicorn and database fault windows are
expected and only counted; errors outside them (the queue worker's death
included) fail the run. Exits 1 on any failed check.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from datetime import datetime, timedelta, timezone
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import (  # noqa: E402
    HASH_NOTE, RATE_LIMIT_NOTE, Gunicorn, Postgres, QueueWorker, Redis, SmtpSink, app_routes, code_note,
    deployment_env, prepare_database, wait_healthy,
)
from load import Workload, check_database, check_emails, claimed_unmarked, print_app_errors, wait_outbox  # noqa: E402

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
    parser.add_argument("--queue-workers", type=int, default=2, help="threads of the `flask worker` process")
    parser.add_argument("--worker-kill-at", type=float, default=4,
                        help="second from which the queue worker is SIGKILLed (once it holds claimed rows)")
    parser.add_argument("--kill-after-claim", type=float, default=0.06,
                        help="seconds between seeing the worker's claim and killing it (mid-send)")
    parser.add_argument("--worker-down", type=float, default=2, help="seconds before a new queue worker starts")
    parser.add_argument("--claim-seconds", type=float, default=5, help="MENTORMATCH_OUTBOX_CLAIM_SECONDS")
    parser.add_argument("--sweep-grace", type=float, default=5, help="MENTORMATCH_OUTBOX_SWEEP_GRACE_SECONDS")
    parser.add_argument("--smtp-delay", type=float, default=0.1, help="seconds the SMTP sink takes per message")
    parser.add_argument("--drain-timeout", type=float, default=90,
                        help="seconds allowed to send the outbox after the load (the sweep runs once a minute)")
    args = parser.parse_args()
    checks: list[tuple[str, bool]] = []

    print(code_note())
    outbox_env = {"MENTORMATCH_OUTBOX_CLAIM_SECONDS": f"{args.claim_seconds:g}",
                  "MENTORMATCH_OUTBOX_SWEEP_GRACE_SECONDS": f"{args.sweep_grace:g}"}
    may_repeat: dict[int, str] = {}  # id -> email_key: rows a crash left claimed and unmarked (may go once more)
    repeat_notes: list[str] = []
    with Postgres() as pg, Redis() as redis, SmtpSink(delay=args.smtp_delay) as sink:
        prepare_database(pg.url)
        meetings = any(r.startswith("/agreements") and "meetings/new" in r for r in app_routes(pg.url))
        server = Gunicorn(pg.url, workers=args.workers)
        server.env.update(deployment_env(redis, sink, **outbox_env))
        with server, QueueWorker(server.env, workers=args.queue_workers) as worker:
            master = server.proc.pid
            print(f"gunicorn -w {args.workers} (master pid {master}) on {server.base}, PostgreSQL on port {pg.port}, "
                  f"`flask worker --workers {args.queue_workers}` (pid {worker.proc.pid}); queue and limiter store "
                  f"in redis-server on port {redis.port}; SMTP sink on port {sink.port} ({args.smtp_delay * 1000:.0f} "
                  f"ms per message); outbox claim {args.claim_seconds:g} s, sweep grace {args.sweep_grace:g} s; "
                  f"{RATE_LIMIT_NOTE}; {HASH_NOTE}")
            print("meeting log found: acknowledged accepts AND logged meetings are checked" if meetings
                  else "no meeting log in this app (no /agreements/.../meetings/new rule): checking accepted matches only")
            load = Workload(server.port, meetings=meetings)
            runner = threading.Thread(target=lambda: setattr(load, "elapsed", load.run(
                args.duration, args.mentees, args.mentors, args.coordinators)), daemon=True)
            runner.start()
            load.started.wait(300)
            events: dict[str, tuple[float, float]] = {}  # fault -> (start, end) seconds into the run

            def kill_queue_worker() -> None:
                """SIGKILL the worker while it holds claimed, unmarked rows (waits up to 15 s for some), restart it."""
                import psycopg

                def holds() -> bool:
                    return bool(conn.execute("SELECT 1 FROM outbox_emails WHERE claimed_until IS NOT NULL "
                                             "AND sent_at IS NULL AND failed_at IS NULL LIMIT 1").fetchone())

                time.sleep(max(0.0, load.t0 + args.worker_kill_at - time.monotonic()))
                deadline, conn = time.monotonic() + 15, None
                while time.monotonic() < deadline:
                    try:
                        conn = conn or psycopg.connect(pg.dsn, autocommit=True)
                        if holds():
                            break
                    except psycopg.OperationalError:  # the database restart: poll again
                        conn = None
                    time.sleep(0.01)
                time.sleep(args.kill_after_claim)  # into the send: the sink has it, the row is not marked yet
                t = time.monotonic() - load.t0
                pid = worker.kill()
                if conn is not None:
                    conn.close()
                time.sleep(0.2)  # a commit already on its way lands
                held: dict[int, str] = {}
                for _ in range(100):
                    try:
                        held = claimed_unmarked(pg)  # the only worker is dead: whatever is claimed was its
                        break
                    except psycopg.OperationalError:
                        time.sleep(0.2)
                may_repeat.update(held)
                repeat_notes.append(f"{len(held)} held by the killed worker")
                print(f"[{t:5.1f} s] SIGKILL queue worker {pid}: it held {len(held)} claimed, unmarked "
                      "outbox rows (each may be sent once more)", flush=True)
                time.sleep(args.worker_down)
                worker.start()
                print(f"[{time.monotonic() - load.t0:5.1f} s] new queue worker {worker.proc.pid} started", flush=True)

            worker_fault = threading.Thread(target=kill_queue_worker, daemon=True)
            worker_fault.start()

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
            restarted = datetime.now(timezone.utc)
            events["PostgreSQL restart"] = (t, t_end)
            # rows claimed before the restart and never marked: their mark may have died with the connection
            cut = {i: key for i, key in claimed_unmarked(pg, restarted + timedelta(seconds=args.claim_seconds)).items()
                   if i not in may_repeat}  # (not those of the killed worker, if still unswept)
            may_repeat.update(cut)
            repeat_notes.append(f"{len(cut)} claimed and unmarked across the database restart")
            print(f"[{t:5.1f} s] pg_ctl restart -m fast took {t_end - t:.1f} s; {len(cut)} outbox rows "
                  "claimed before it are unmarked (each may be sent once more)", flush=True)

            runner.join(args.duration + 120)
            worker_fault.join(30)
            drain = wait_outbox(pg, args.drain_timeout)
            failures = load.report(getattr(load, "elapsed", args.duration))
            start = time.monotonic()
            healthy = wait_healthy(server.port, args.recover_timeout)
            recovery = time.monotonic() - start
            after = server.workers()
            same_master = server.proc.poll() is None and server.proc.pid == master
            worker_alive = worker.proc.poll() is None
            print(f"\nduplicates allowed: {len(may_repeat)} rows ({'; '.join(repeat_notes)})")
            email_violations = check_emails(pg, sink, drain, Counter(may_repeat.values()))
        print_app_errors(server.log)
        print_app_errors(worker.log, "worker")
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
    checks.append((f"queue worker killed and restarted ({worker.starts} starts), still running", worker.starts == 2
                   and worker_alive))
    checks.append((f"outbox drained and every email received once (duplicates only of rows a crash left "
                   f"claimed, none more than twice): {email_violations} violations", email_violations == 0))
    print()
    for what, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'}  {what}")
    ok = all(ok for _, ok in checks)
    print(f"RESULT: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
