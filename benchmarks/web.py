"""Page speed against the limit: MentorMatch pages as a ratio of a bare Flask page.

    .venv/bin/python benchmarks/web.py                      # 3 rounds x 10 s per page, 2 workers
    .venv/bin/python benchmarks/web.py --seconds 5 --rounds 1 --workers 4

Starts a throwaway PostgreSQL (``flask db upgrade`` + ``flask demo``) and ONE
gunicorn (production settings, ``--workers`` sync workers) serving
``benchmarks/_bench_wsgi.py``: the real app plus a bare one-route Flask app
mounted at ``/__bare`` in the same process. Logs in as the demo mentee, mentor
and coordinator with the real login form, then drives each page with
``wrk -t2 -c16`` for ``--seconds``, rounds interleaved (bare, mentee, mentor,
..., bare, mentee, ...) so machine noise hits every page alike.

Prints one row per page: median requests/s over the rounds, the ratio to the
bare page's median measured in the same run, and median p50/p99 latency. Every
page is rendered on every request (the app keeps no page cache). The goal is
a ratio of at least 0.15 for the participant pages (mentee and mentor home);
the "ref" row (the bare page plus one ``SELECT 1`` through the same SQLAlchemy
pool settings), the coordinator dashboard and rows marked "extra" are shown
for information. Exits 1 if a page answered anything but 200, 2 if a
participant home page is below the goal.
Needs wrk (apt-get install -y wrk); loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import RATE_LIMIT_NOTE, code_note, Client, Gunicorn, Postgres, prepare_database  # noqa: E402

GOAL = 0.15
# (label, login email or None, path, counts toward the goal)
PAGES = [
    ("bare Flask page", None, "/__bare/", False),
    ("ref: bare + 1 SQL query", None, "/__bare/db", False),
    ("mentee home /home", "mentee@example.org", "/home", True),
    ("mentor home /home", "mentor@example.org", "/home", True),
    ("coordinator dashboard", "coordinator@example.org", "/coordinator/", False),
    ("extra: mentee suggestions", "mentee@example.org", "/matches/suggestions", False),
    ("extra: mentor matches", "mentor@example.org", "/matches/", False),
]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def run_wrk(url: str, cookie: str | None, seconds: int, threads: int, connections: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for q in ("50", "99"):
        value, unit = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        result[f"p{q}"] = float(value) * UNITS[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result["non2xx"] = int(bad.group(1)) if bad else 0
    result["socket"] = errors.group(1).strip() if errors else ""
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="repeats; medians are reported")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 1

    print(code_note())
    with Postgres() as pg:
        prepare_database(pg.url)
        with Gunicorn(pg.url, workers=args.workers, module="benchmarks._bench_wsgi:app") as server:
            print(f"gunicorn -w {args.workers} (sync) on {server.base}, PostgreSQL on port {pg.port}, demo program; "
                  f"{RATE_LIMIT_NOTE}")
            cookies: dict[str, str] = {}
            for _, email, path, _ in PAGES:
                if email and email not in cookies:
                    client = Client(server.port)
                    client.login(email)
                    cookies[email] = client.cookie_header()
                check = Client(server.port)
                if email:
                    check.cookies = dict(c.split("=", 1) for c in cookies[email].split("; "))
                status = check.get(path).status
                if status != 200:
                    print(f"{path} as {email} answered {status}, not 200", file=sys.stderr)
                    return 1
            runs: dict[str, list[dict]] = {label: [] for label, *_ in PAGES}
            for r in range(args.rounds):
                for label, email, path, _ in PAGES:
                    runs[label].append(run_wrk(server.base + path, cookies.get(email), args.seconds,
                                               args.threads, args.connections))
                print(f"round {r + 1}/{args.rounds} done", flush=True)

    def med(label: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[label])

    bare = med(PAGES[0][0], "rps")
    print(f"\nwrk -t{args.threads} -c{args.connections}, {args.seconds} s per page x {args.rounds} rounds "
          f"(medians); ratio = page req/s / bare req/s in this run; goal >= {GOAL} for participant pages\n")
    print(f"{'page':<28}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}  {'all runs req/s':<24} notes")
    status = 0
    for label, _, path, goal in PAGES:
        rps = med(label, "rps")
        ratio = rps / bare
        notes = []
        if goal:
            notes.append("meets goal" if ratio >= GOAL else "BELOW GOAL")
            status = status or (0 if ratio >= GOAL else 2)
        bad = sum(run["non2xx"] for run in runs[label])
        if bad:
            notes.append(f"{bad} non-2xx/3xx")
            status = 1
        socket_errors = {run["socket"] for run in runs[label]} - {""}
        if socket_errors:
            notes.append("socket errors: " + "; ".join(socket_errors))
        all_runs = " ".join(f"{run['rps']:.0f}" for run in runs[label])
        print(f"{label:<28}{rps:>9.0f}{ratio:>8.2f}{med(label, 'p50'):>9.1f}{med(label, 'p99'):>9.1f}  "
              f"{all_runs:<24} {', '.join(notes)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
