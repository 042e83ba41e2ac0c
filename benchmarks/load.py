"""Concurrency load test: mentees, mentors and coordinators together against gunicorn on PostgreSQL.

    .venv/bin/python benchmarks/load.py                   # 60 s, 4 gunicorn workers
    .venv/bin/python benchmarks/load.py --duration 20 --workers 2 --mentees 8

Starts the deployment's shape on 127.0.0.1 (benchmarks/_server.py): a
throwaway PostgreSQL with the demo program (40 mentors, 120 mentees), a
private redis-server holding the task queue (db 0) and Flask-Limiter's store
(db 1), a counting SMTP sink (aiosmtpd, in a child process) as the mail
server, gunicorn (production settings, rate limiting OFF so that the logins
of the test are not refused) and beside it one ``flask --app wsgi worker
--workers 2`` with the same environment, which delivers the email outbox.
Then it runs virtual users in threads for ``--duration`` seconds, each a
keep-alive HTTP client with its own cookies that scrapes the CSRF token from
every form before posting:

- mentees (each owns a share of the 120 mentee accounts and logs in on first
  use): open their suggestions, request a suggested mentor, open the match,
  sometimes withdraw it, sometimes open the home page;
- mentors (every mentor account is shared by two mentor users, so two
  sessions of one mentor accept at the same time and race for the last
  place): open their matches, open pending ones and accept them;
- coordinators: open the dashboard.

Prints requests/s, p50/p95/p99 latency and errors per request type and overall,
errors by status. Afterwards checks in the database that no mentor has more
active matches than their capacity, no mentee more than one, and that every
accept the app acknowledged ("You are matched!") is still active. It waits
(at most ``--drain-timeout`` s) until the outbox has no unsent row, then
checks the emails: every row sent (none failed or pending) and the sink got
exactly one message per row (compared per email by recipient, subject and
body, and per recipient); it prints rows written, sent, received, duplicates
and the time to drain. Exits 1 on any 5xx, connection error, capacity
violation, lost acknowledged match or meeting, email unsent, missing or
duplicated, or a worker that died.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import (  # noqa: E402
    HASH_NOTE, RATE_LIMIT_NOTE, code_note, Client, Gunicorn, Postgres, QueueWorker, Redis, SmtpSink, app_routes,
    deployment_env, email_key, form_fields, logged_errors, percentile, prepare_database,
)

MENTEES = ["mentee@example.org"] + [f"mentee{i:03d}@example.org" for i in range(1, 120)]
MENTORS = ["mentor@example.org"] + [f"mentor{i:03d}@example.org" for i in range(1, 40)]
REQUEST_RE = re.compile(r'action="/matches/request/(\d+)"')
MATCH_LINK_RE = re.compile(r'href="/matches/(\d+)"')
AGREEMENT_RE = re.compile(r'href="/agreements/(\d+)"')
MEETINGS_PER_MENTEE = 2


class Workload:
    """Virtual users, their timings and what the app acknowledged."""

    def __init__(self, port: int, meetings: bool = False, seed: int = 7) -> None:
        self.port, self.seed, self.meetings = port, seed, meetings
        self.lock = threading.Lock()
        self.samples: dict[str, list[tuple[float, float, int]]] = defaultdict(list)  # (end time, seconds, status)
        self.errors: Counter = Counter()
        self.accepted: set[int] = set()  # match ids the app told a mentor are active
        self.logged: set[str] = set()  # shared notes of meetings the app said were logged
        self.stop_at = 0.0
        self.started = threading.Event()  # set when the clock starts (after the mentors' logins)
        self.t0 = 0.0

    def call(self, client: Client, kind: str, method: str, path: str, form: dict | None = None, expect=(200,)):
        """One timed request; None on a connection error. Statuses not in ``expect`` are counted."""
        try:
            resp = client.request(method, path, form)
        except OSError as error:
            with self.lock:
                self.samples[kind].append((time.monotonic(), 0.0, 0))
                self.errors[f"{kind}: connection error ({type(error).__name__})"] += 1
            return None
        with self.lock:
            self.samples[kind].append((time.monotonic(), resp.seconds, resp.status))
            if resp.status not in expect:
                self.errors[f"{kind}: HTTP {resp.status}"] += 1
        return resp

    def session(self, sessions: dict, email: str) -> Client | None:
        if email not in sessions:
            client = Client(self.port, timeout=30)
            page = self.call(client, "login form", "GET", "/auth/login")
            if page is None or page.status != 200:
                return None
            done = self.call(client, "login", "POST", "/auth/login",
                             {"csrf_token": page.csrf(), "email": email, "password": "mentormatch-demo"},
                             expect=(302,))
            if done is None or done.status != 302:
                return None
            sessions[email] = client
        return sessions[email]

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    def mentee(self, accounts: list[str], rng: random.Random) -> None:
        sessions: dict[str, Client] = {}
        while self.running() and accounts:
            email = accounts[0]  # one mentee at a time; the next logs in once this one has a mentor
            client = self.session(sessions, email)
            if client is None:
                continue
            page = self.call(client, "mentee suggestions", "GET", "/matches/suggestions")
            if page is None or page.status != 200:
                continue
            mentors = REQUEST_RE.findall(page.body)
            if not mentors and "already have" in page.body.lower():
                # matched: with the agreements feature, confirm the terms and log meetings first
                if not self.meetings or self.agreement_step(client, rng) >= MEETINGS_PER_MENTEE:
                    accounts.pop(0)
                    sessions.pop(email).close()
                continue
            if mentors and rng.random() < 0.7:
                sent = self.call(client, "mentee request", "POST", f"/matches/request/{rng.choice(mentors)}",
                                 {"csrf_token": page.csrf(), "message": "I would value your advice."}, expect=(302,))
                if sent is not None and re.fullmatch(r"/matches/\d+", sent.location):
                    shown = self.call(client, "match page", "GET", sent.location)
                    if shown is not None and rng.random() < 0.25 and f'{sent.location}/withdraw"' in shown.body:
                        self.call(client, "mentee withdraw", "POST", sent.location + "/withdraw",
                                  {"csrf_token": shown.csrf()}, expect=(302,))
            if rng.random() < 0.3:
                self.call(client, "mentee home", "GET", "/home")

    def mentor(self, accounts: list[str], rng: random.Random, sessions: dict[str, Client]) -> None:
        while self.running():
            client = self.session(sessions, rng.choice(accounts))
            if client is None:
                continue
            page = self.call(client, "mentor matches", "GET", "/matches/")
            if page is None or page.status != 200:
                continue
            ids = sorted(set(MATCH_LINK_RE.findall(page.body)))
            for match_id in rng.sample(ids, min(2, len(ids))):
                shown = self.call(client, "match page", "GET", f"/matches/{match_id}")
                if shown is None or f'/matches/{match_id}/accept"' not in shown.body:
                    continue
                done = self.call(client, "mentor accept", "POST", f"/matches/{match_id}/accept",
                                 {"csrf_token": shown.csrf()}, expect=(302,))
                if done is not None and done.location == f"/matches/{match_id}":
                    after = self.call(client, "match page", "GET", done.location)
                    if after is not None and "You are matched!" in after.body:
                        with self.lock:
                            self.accepted.add(int(match_id))
                        found = AGREEMENT_RE.search(after.body)
                        if self.meetings and found:
                            self.propose_terms(client, found.group(1))
            if rng.random() < 0.3:
                self.call(client, "mentor home", "GET", "/home")

    def propose_terms(self, client: Client, agreement_id: str) -> None:
        """The mentor proposes the default terms (the form as it comes, pre-filled)."""
        path = f"/agreements/{agreement_id}/terms"
        page = self.call(client, "terms form", "GET", path)
        if page is not None and page.status == 200:
            self.call(client, "terms propose", "POST", path, form_fields(page.body, path, page=path)[0], expect=(302,))

    def agreement_step(self, client: Client, rng: random.Random) -> int:
        """A matched mentee confirms the terms or logs a meeting; returns meetings logged so far."""
        home = self.call(client, "mentee home", "GET", "/home")
        found = home and AGREEMENT_RE.search(home.body)
        if not found:
            return 0
        base = f"/agreements/{found.group(1)}"
        page = self.call(client, "agreement page", "GET", base)
        if page is None or page.status != 200:
            return 0
        logged = page.body.count('id="meeting-')
        if f'action="{base}/confirm"' in page.body:
            self.call(client, "terms confirm", "POST", base + "/confirm",
                      form_fields(page.body, base + "/confirm")[0], expect=(302,))
        elif f'href="{base}/meetings/new"' in page.body:
            form_page = self.call(client, "meeting form", "GET", base + "/meetings/new")
            if form_page is None or form_page.status != 200:
                return logged
            fields, choices = form_fields(form_page.body, base + "/meetings/new", page=base + "/meetings/new")
            note = f"bench-{self.seed}-{rng.getrandbits(48):x}"
            fields.update(held_on=[datetime.now(timezone.utc).date().isoformat()], duration_minutes=["45"],
                          mode=fields.get("mode") or choices.get("mode", ["virtual"])[:1],
                          topics=choices.get("topics", [])[:1], shared_notes=[note])
            done = self.call(client, "meeting log", "POST", base + "/meetings/new", fields, expect=(302,))
            if done is not None and done.status == 302 and done.location.startswith(base):
                with self.lock:
                    self.logged.add(note)
                logged += 1
        return logged

    def coordinator(self, rng: random.Random) -> None:
        client = None
        while self.running():
            client = client or self.session({}, "coordinator@example.org")
            if client is not None:
                self.call(client, "coordinator dashboard", "GET", "/coordinator/")
            time.sleep(rng.uniform(0.05, 0.2))  # coordinators read; they do not hammer

    def run(self, duration: float, mentees: int, mentors: int, coordinators: int) -> float:
        threads, mentor_sessions = [], []
        started = time.monotonic()
        self.stop_at = started + 3600
        for j in range(mentors):  # each mentor account belongs to two mentor users (a race for the last place)
            mine = [m for k, m in enumerate(MENTORS) if k % mentors in (j, (j + 1) % mentors)]
            sessions: dict[str, Client] = {}
            for email in mine:  # mentors log in before the clock starts
                self.session(sessions, email)
            mentor_sessions.append((mine, sessions))
        print(f"setup: {sum(len(s) for _, s in mentor_sessions)} mentor sessions logged in "
              f"in {time.monotonic() - started:.1f} s (not in the figures)", flush=True)
        self.samples.clear()
        self.t0 = time.monotonic()
        self.stop_at = self.t0 + duration
        self.started.set()
        for i in range(mentees):
            threads.append(threading.Thread(target=self.mentee, args=(MENTEES[i::mentees], random.Random(self.seed + i))))
        for j, (mine, sessions) in enumerate(mentor_sessions):
            threads.append(threading.Thread(target=self.mentor,
                                            args=(list(sessions), random.Random(self.seed + 100 + j), sessions)))
        for c in range(coordinators):
            threads.append(threading.Thread(target=self.coordinator, args=(random.Random(self.seed + 200 + c),)))
        start = time.monotonic()
        for t in threads:
            t.daemon = True
            t.start()
        for t in threads:
            t.join(duration + 60)
        return time.monotonic() - start

    def report(self, elapsed: float) -> int:
        """Print the table; return the number of 5xx and connection errors."""
        print(f"\n{'request':<24}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        everything = []
        for kind in sorted(self.samples):
            rows = self.samples[kind]
            everything += rows
            self._row(kind, rows, elapsed)
        self._row("ALL", everything, elapsed)
        by_status = Counter(s for _, _, s in everything)
        print("statuses: " + ", ".join(f"{s or 'connection error'}: {n}" for s, n in sorted(by_status.items())))
        for what, n in sorted(self.errors.items()):
            print(f"  unexpected: {what} x{n}")
        return sum(n for s, n in by_status.items() if s >= 500 or s == 0)

    def _row(self, kind: str, rows: list, elapsed: float) -> None:
        times = sorted(sec * 1000 for _, sec, status in rows if status)
        bad = sum(1 for _, _, status in rows if status >= 500 or status == 0)
        print(f"{kind:<24}{len(rows):>7}{len(rows) / elapsed:>8.1f}{percentile(times, 50):>9.1f}"
              f"{percentile(times, 95):>9.1f}{percentile(times, 99):>9.1f}{bad:>8}")


def print_app_errors(log, who: str = "app") -> None:
    """What the app logged as unhandled errors (the causes of the 5xx), from gunicorn's (or the worker's) log."""
    for cause, n in logged_errors(log).most_common():
        print(f"  {who} log: unhandled error x{n}: {cause}")


def unsent_emails(pg: Postgres) -> int:
    return pg.query("SELECT count(*) FROM outbox_emails WHERE sent_at IS NULL AND failed_at IS NULL")[0][0]


def wait_outbox(pg: Postgres, timeout: float) -> tuple[float, int]:
    """Wait (at most ``timeout`` s) until no outbox row is unsent; (seconds waited, rows still unsent)."""
    import psycopg

    start = time.monotonic()
    while True:
        try:
            left = unsent_emails(pg)
        except psycopg.OperationalError:
            left = -1
        if left == 0 or time.monotonic() - start > timeout:
            return time.monotonic() - start, left
        time.sleep(0.25)


def claimed_unmarked(pg: Postgres, claimed_until_before=None) -> dict[int, str]:
    """id -> ``email_key`` of the rows a worker has claimed and neither marked sent nor released
    (only those whose claim ends before ``claimed_until_before``, if given)."""
    return {row[0]: email_key(*row[1:]) for row in pg.query(
        "SELECT id, recipient, subject, body FROM outbox_emails "
        "WHERE claimed_until IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL "
        "AND (%s::timestamptz IS NULL OR claimed_until <= %s)", claimed_until_before, claimed_until_before)}


def check_emails(pg: Postgres, sink: SmtpSink, drain: tuple[float, int], may_repeat: Counter | None = None) -> int:
    """Every outbox row sent, and received by the sink exactly once; returns the violations.

    ``may_repeat``: rows (by ``email_key``) a crashed worker held claimed and
    unmarked; each may arrive once more (and is reported as a duplicate).
    Any other duplicate, a row received more than twice, a row missing,
    failed or still unsent, or a message no row explains is a violation.
    """
    seconds, left = drain
    rows = pg.query("SELECT recipient, subject, body, sent_at IS NOT NULL, failed_at IS NOT NULL FROM outbox_emails")
    got = sink.stats()
    written = Counter(email_key(r, s, b) for r, s, b, _, _ in rows)
    sent = sum(1 for *_, ok, _ in rows if ok)
    failed = sum(1 for *_, gave_up in rows if gave_up)
    pending = len(rows) - sent - failed
    received = got["keys"]
    missing = sum((written - received).values())
    extra = received - written
    duplicates = sum(n for k, n in extra.items() if k in written)
    strangers = sum(n for k, n in extra.items() if k not in written)
    thrice = sum(1 for k, n in written.items() if received[k] > 2 * n)
    allowed = may_repeat or Counter()
    beyond = sum(max(0, n - allowed[k]) for k, n in extra.items() if k in written)
    by_rcpt = Counter(r.strip().lower() for r, *_ in rows)
    fewer = sum(1 for r, n in by_rcpt.items() if got["recipients"][r] < n)
    more = sum(1 for r in set(by_rcpt) | set(got["recipients"]) if got["recipients"][r] > by_rcpt[r])
    waited = f"outbox drained {seconds:.1f} s after the load" if left == 0 else \
        f"outbox NOT drained after {seconds:.0f} s ({left if left >= 0 else '?'} unsent)"
    print(f"emails: {len(rows)} outbox rows written, {sent} sent, {failed} failed, {pending} unsent; {waited}")
    print(f"SMTP sink: {got['messages']} messages, {sum(got['recipients'].values())} recipients received; "
          f"missing {missing}, duplicates {duplicates} (allowed: {sum(allowed.values())} claimed and unmarked by a "
          f"killed worker; over that: {beyond}), rows received more than twice {thrice}, unknown to the outbox {strangers}")
    print(f"per recipient: {len(by_rcpt)} recipients in the outbox; received fewer than written: {fewer}, more: {more}")
    return failed + pending + missing + beyond + thrice + strangers


def check_database(pg: Postgres, accepted: set[int], logged: set[str] = frozenset()) -> int:
    """Capacity, one mentor per mentee, acknowledged accepts and meetings kept; returns the violations."""
    over = pg.query("SELECT m.mentor_id, count(*), p.capacity FROM matches m JOIN profiles p ON p.user_id = m.mentor_id "
                    "WHERE m.status = 'active' GROUP BY m.mentor_id, p.capacity HAVING count(*) > p.capacity")
    twice = pg.query("SELECT mentee_id, count(*) FROM matches WHERE status = 'active' GROUP BY mentee_id HAVING count(*) > 1")
    lost = pg.query("SELECT id, status FROM matches WHERE id = ANY(%s) AND status <> 'active'", sorted(accepted))
    counts = dict(pg.query("SELECT status, count(*) FROM matches GROUP BY status"))
    full = pg.query("SELECT count(*) FROM (SELECT m.mentor_id FROM matches m JOIN profiles p ON p.user_id = m.mentor_id "
                    "WHERE m.status = 'active' GROUP BY m.mentor_id, p.capacity HAVING count(*) = p.capacity) f")[0][0]
    print(f"database: matches by status {counts}; {full} mentors at full capacity")
    print(f"capacity violations: {len(over)} {over if over else ''}")
    print(f"mentees with more than one active match: {len(twice)}")
    print(f"acknowledged accepts: {len(accepted)}, of which no longer active: {len(lost)} {lost if lost else ''}")
    kept = pg.query("SELECT count(DISTINCT shared_notes) FROM meetings WHERE shared_notes = ANY(%s)",
                    sorted(logged))[0][0] if logged else 0
    print(f"acknowledged meetings logged: {len(logged)}, of which missing: {len(logged) - kept}")
    return len(over) + len(twice) + len(lost) + len(logged) - kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--mentees", type=int, default=8, help="mentee virtual users")
    parser.add_argument("--mentors", type=int, default=4, help="mentor virtual users")
    parser.add_argument("--coordinators", type=int, default=2, help="coordinator virtual users")
    parser.add_argument("--queue-workers", type=int, default=2, help="threads of the `flask worker` process")
    parser.add_argument("--drain-timeout", type=float, default=60, help="seconds allowed to send the outbox after")
    args = parser.parse_args()

    print(code_note())
    with Postgres() as pg, Redis() as redis, SmtpSink() as sink:
        prepare_database(pg.url)
        meetings = any(r.startswith("/agreements") and "meetings/new" in r for r in app_routes(pg.url))
        server = Gunicorn(pg.url, workers=args.workers)
        server.env.update(deployment_env(redis, sink))
        with server, QueueWorker(server.env, workers=args.queue_workers) as worker:
            print(f"gunicorn -w {args.workers} on {server.base}, PostgreSQL on port {pg.port}, "
                  f"`flask worker --workers {args.queue_workers}` (pid {worker.proc.pid}); queue and limiter store in "
                  f"redis-server on port {redis.port} (db 0, 1); SMTP sink on port {sink.port}; "
                  f"{RATE_LIMIT_NOTE}; {HASH_NOTE}")
            print(f"{args.mentees} mentees, {args.mentors} mentors, {args.coordinators} coordinators for "
                  f"{args.duration:.0f} s ...", flush=True)
            print("agreements found: mentors propose terms, matched mentees confirm and log meetings" if meetings
                  else "no meeting log in this app: matched mentees stop")
            load = Workload(server.port, meetings=meetings)
            elapsed = load.run(args.duration, args.mentees, args.mentors, args.coordinators)
            drain = wait_outbox(pg, args.drain_timeout)
            failures = load.report(elapsed)
            worker_alive = worker.proc.poll() is None
            print()
            email_violations = check_emails(pg, sink, drain)
        print_app_errors(server.log)
        print_app_errors(worker.log, "worker")
        violations = check_database(pg, load.accepted, load.logged)
    if not worker_alive:
        print(f"the queue worker exited during the run ({worker.proc.returncode}); log: {worker.log}")
    ok = failures == 0 and violations == 0 and email_violations == 0 and worker_alive
    print(f"RESULT: {'PASS' if ok else 'FAIL'} ({failures} 5xx/connection errors, {violations} database violations, "
          f"{email_violations} email violations)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
