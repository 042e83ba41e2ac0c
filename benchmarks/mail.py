"""Email at round scale: the publish request's time, then the worker delivering the round's emails.

    .venv/bin/python benchmarks/mail.py                          # PostgreSQL, SQLite queue, 10,000 x 2,500
    .venv/bin/python benchmarks/mail.py --redis                  # the queue in a private redis-server
    .venv/bin/python benchmarks/mail.py --sqlite                 # the database in a temp SQLite file
    .venv/bin/python benchmarks/mail.py --mentees 1000 --mentors 250 --configs 1x2   # a quick run

1. A throwaway PostgreSQL (benchmarks/_server.py; ``--sqlite`` for a temp
   SQLite file, ``--database-url`` for a throwaway database of your own) gets
   a fresh schema and the large program of benchmarks/round_service.py
   (10,000 mentees, 2,500 mentors with 4 places, realistic profiles).
2. The coordinator's two requests through the service layer: one preview
   (after a warm-up preview that loads the engine's compiled kernels, not
   counted), then ``publish_round`` with its digest, timed as the request
   runs it: engine rerun, bulk writes, commit, and the enqueue of the one
   ``deliver_batch`` task. Its ``timings["engine"]`` is the engine's share;
   the goal is publish <= engine + 3 s.
3. A counting aiosmtpd server in its own process on 127.0.0.1, then for each
   worker configuration ``PxT`` (P ``flask --app wsgi worker --workers T``
   processes): the outbox is reset to unsent (except for the first, which
   delivers what the publish itself queued), the worker(s) start, and the
   clock runs from their start until the outbox has no unsent row (polled in
   the database). Just before and just after each, a bare ``smtplib`` loop
   (one connection, messages built with ``mentormatch.mail.message`` from the
   same outbox rows) measures what the peer takes on this machine; the
   worker's rate is also given as a ratio to the mean of the two. ``1x2`` is what ``flask worker`` does by
   default. The goal: the default configuration delivers >= 200 emails/s.

The worker processes run a snapshot of the code (as the web benchmarks do),
in production mode. Everything listens on 127.0.0.1, every wait is bounded
(``--timeout``), and every server and worker started is stopped at the end.
Exits 1 when a goal is missed, unless ``--no-fail``. Two noisy cores: compare
the ratios, not the absolute rates.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import select
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


server = _load("mentormatch_bench_server", "_server.py")
round_service = _load("mentormatch_bench_round_service", "round_service.py")

import aiosmtpd  # noqa: E402
from sqlalchemy import func, update  # noqa: E402

from mentormatch import mail  # noqa: E402
from mentormatch.app import create_app  # noqa: E402
from mentormatch.extensions import db, queue  # noqa: E402
from mentormatch.models import OutboxEmail, User  # noqa: E402
from mentormatch.models.user import utcnow  # noqa: E402
from mentormatch.tasks import mail as mail_tasks  # noqa: E402

PUBLISH_BUDGET = 3.0  # seconds over the engine's time
RATE_GOAL = 200.0  # emails/s
DEFAULT_CONFIG = "1x2"  # `flask worker`: one process, --workers 2

# The SMTP peer: aiosmtpd in its own process, counting messages; SIGUSR1 prints the count, SIGTERM stops it.
SINK = r"""
import asyncio, signal, sys
from aiosmtpd.smtp import SMTP

class Counter:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Counter.count += 1
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    handler = Counter()
    srv = await loop.create_server(lambda: SMTP(handler, hostname="sink.local"), "127.0.0.1", 0)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, lambda: print(Counter.count, flush=True))
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    srv.close()

asyncio.run(main())
"""


class SmtpSink:
    """``aiosmtpd`` on a free loopback port in a child process; ``count()`` asks it how many it took."""

    def __enter__(self) -> "SmtpSink":
        self.proc = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.port = int(self._line(15))
        return self

    def _line(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise RuntimeError("the SMTP sink did not answer")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the SMTP sink exited")
        return line.strip()

    def count(self) -> int:
        self.proc.send_signal(signal.SIGUSR1)
        return int(self._line(10))

    def __exit__(self, *exc) -> None:
        _stop(self.proc)


class Redis:
    """A private ``redis-server`` (no persistence) on a free loopback port."""

    def __enter__(self) -> "Redis":
        binary = "/usr/bin/redis-server"
        if not os.path.exists(binary):
            raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
        self.dir = tempfile.TemporaryDirectory(prefix="mentormatch-redis-")
        self.port = server.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.dir.name],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        _stop(self.proc)
        self.dir.cleanup()


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10) -> None:
    """Stop one child we started (and its process group), politely first."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)


def _app(url: str, queue_url: str, mail_port: int):
    return create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": url,
                       "QUEUE_URL": queue_url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mail_port,
                       "TESTING": False})


def _unsent(batch: str) -> int:
    return db.session.scalar(db.select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.batch == batch, OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None)))


def bare_loop(config, rows: list, port: int) -> float:
    """Messages/s of one ``smtplib`` connection sending ``rows``, each built with ``mail.message``."""
    sender = config["MAIL_SENDER"]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for to, subject, body in rows:
            smtp.send_message(mail.message(mail.Email(to, subject, body), sender))
    return len(rows) / (time.perf_counter() - started)


def bare(config, rows: list, sink: SmtpSink) -> float:
    before = sink.count()
    rate = bare_loop(config, rows, sink.port)
    if sink.count() - before != len(rows):
        raise SystemExit("the SMTP sink lost messages of the bare loop")
    return rate


def reset_outbox(batch: str) -> None:
    """Make the batch unsent again and queue its delivery, as the publish's commit did."""
    db.session.execute(update(OutboxEmail).where(OutboxEmail.batch == batch).values(
        sent_at=None, failed_at=None, claimed_until=None, attempts=0, last_error="", next_attempt_at=utcnow()))
    db.session.commit()
    queue.flush()  # what an earlier run's sweep may have left
    mail_tasks.deliver_batch(batch)


def deliver(config: str, env: dict, batch: str, expected: int, sink: SmtpSink, logs: Path,
            timeout: float) -> dict:
    """Start the workers, wait until the batch has no unsent row, stop them; the run's figures."""
    processes, threads = (int(part) for part in config.split("x"))
    before = sink.count()
    workers: list[subprocess.Popen] = []
    logs_open = []
    started = time.perf_counter()
    first = None
    try:
        for k in range(processes):
            log = (logs / f"worker-{config}-{k}.log").open("w")
            logs_open.append(log)
            workers.append(subprocess.Popen(
                [str(server.VENV_BIN / "flask"), "--app", "wsgi", "worker", "--workers", str(threads)],
                cwd=server.code_dir(), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        while True:
            left = _unsent(batch)
            db.session.rollback()
            now = time.perf_counter()
            if first is None and left < expected:
                first = now - started
            if left == 0:
                break
            if now - started > timeout or any(w.poll() is not None for w in workers):
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            _stop(worker, signal.SIGINT)
        for log in logs_open:
            log.close()
    sent = expected - left
    marks = db.session.execute(db.select(func.min(OutboxEmail.sent_at), func.max(OutboxEmail.sent_at)).where(
        OutboxEmail.batch == batch)).one()
    db.session.rollback()
    steady = None
    if marks[0] is not None and marks[1] > marks[0]:
        steady = sent / (marks[1] - marks[0]).total_seconds()  # first to last mark: without the start-up
    problems = [w.returncode for w in workers if w.returncode not in (0, -signal.SIGINT)]
    return {"config": config, "sent": sent, "left": left, "elapsed": elapsed, "rate": sent / elapsed,
            "first": first, "steady": steady, "sink": sink.count() - before,
            "ok": left == 0 and not problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_500)
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sqlite", action="store_true", help="the database in a temp SQLite file")
    where.add_argument("--database-url", help="a throwaway database of yours (its tables are dropped)")
    parser.add_argument("--reset", action="store_true", help="with --database-url: wipe one that holds users")
    parser.add_argument("--redis", action="store_true", help="the task queue in a private redis-server")
    parser.add_argument("--configs", default="1x2,1x1,1x4,2x1,2x2",
                        help="worker configurations PROCESSESxTHREADS, comma-separated (1x2 = the default)")
    parser.add_argument("--bare", type=int, default=2000, help="messages in each bare smtplib loop")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one delivery run may take")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a goal is missed")
    args = parser.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    for c in configs:
        if not (len(c.split("x")) == 2 and all(p.isdigit() and int(p) > 0 for p in c.split("x"))):
            parser.error(f"--configs: {c!r} is not PROCESSESxTHREADS")

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mentormatch-mail-")))
        if args.sqlite:
            url = f"sqlite:///{work}/bench.db"
        elif args.database_url:
            url = args.database_url
        else:
            url = stack.enter_context(server.Postgres()).url
        queue_url = stack.enter_context(Redis()).url if args.redis else f"sqlite:///{work}/queue.db"
        sink = stack.enter_context(SmtpSink())
        app = _app(url, queue_url, sink.port)
        stack.enter_context(app.app_context())
        stack.callback(db.session.remove)
        print(f"database: {db.engine.dialect.name}; queue: {queue_url.split(':')[0]}; SMTP sink: aiosmtpd "
              f"{aiosmtpd.__version__} on 127.0.0.1:{sink.port}; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        print(server.code_note())

        round_service._fresh_schema(args.reset or not args.database_url)
        generated, inserted = round_service.load_large_program(args.mentees, args.mentors, args.capacity, args.seed)
        if hasattr(User, "email_confirmed_at"):  # members of a real program have confirmed their address
            db.session.execute(update(User).values(email_confirmed_at=utcnow()))
            db.session.commit()
        print(f"\nprogram: {args.mentees} mentees x {args.mentors} mentors (capacity {args.capacity}), "
              f"generated in {generated:.1f} s, bulk-inserted in {inserted:.1f} s")

        _, preview, warm_up = round_service.time_previews(1)
        print(f"  warm-up preview (loads the compiled kernels; not counted): {warm_up:.2f} s")
        print(f"  the coordinator's preview: {preview.timings['read'] + preview.timings['engine']:.2f} s "
              f"read+engine -> {preview.matched} pairs")
        published = round_service.time_publish(preview)
        batch = db.session.scalar(db.select(OutboxEmail.batch).order_by(OutboxEmail.id.desc()).limit(1))
        emails = db.session.scalar(db.select(func.count()).select_from(OutboxEmail).where(OutboxEmail.batch == batch))
        queued = queue.pending_count()
        db.session.rollback()
        overhead = published["total"] - published["engine"]
        publish_ok = overhead <= PUBLISH_BUDGET
        print(f"  publish: {published['total']:.2f} s for {int(published['proposals'])} proposals, {emails} emails "
              f"({round_service._split(published, ('read', 'engine', 'write', 'commit_and_emails'))}); "
              f"{queued} task queued")
        print(f"  publish - engine = {overhead:.2f} s (budget {PUBLISH_BUDGET:.0f} s): "
              f"{'OK' if publish_ok else 'MISSED'}")

        rows = db.session.execute(db.select(OutboxEmail.recipient, OutboxEmail.subject, OutboxEmail.body)
                                  .where(OutboxEmail.batch == batch).order_by(OutboxEmail.id)
                                  .limit(args.bare)).all()
        db.session.rollback()
        env = server.app_env(url, MENTORMATCH_QUEUE_URL=queue_url, MAIL_SERVER="127.0.0.1",
                             MAIL_PORT=str(sink.port), PYTHONUNBUFFERED="1")
        print(f"\ndelivery of the {emails} emails (worker logs in a temp folder, removed at exit)")
        results = []
        for k, config in enumerate(configs):
            if k:
                reset_outbox(batch)
            peers = [bare(app.config, rows, sink)]
            run = deliver(config, env, batch, emails, sink, work, args.timeout)
            peers.append(bare(app.config, rows, sink))
            run["peer"] = statistics.mean(peers)
            results.append(run)
            steady = f"{run['steady']:.0f}/s" if run["steady"] else "-"
            print(f"  {config}: bare smtplib {peers[0]:.0f} msg/s before, {peers[1]:.0f} after; "
                  f"worker {run['sent']}/{emails} sent in "
                  f"{run['elapsed']:.1f} s = {run['rate']:.0f}/s (first sent after {run['first'] or 0:.1f} s, "
                  f"steady {steady}), sink got {run['sink']}{'' if run['ok'] else '  INCOMPLETE'}")
            if not run["ok"]:
                for log in sorted(work.glob(f"worker-{config}-*.log")):
                    print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-15:]))

        default = next((r for r in results if r["config"] == DEFAULT_CONFIG), None)
        gate = default or max(results, key=lambda r: r["rate"])
        best = max(results, key=lambda r: r["rate"] if r["ok"] else 0)
        rate_ok = gate["ok"] and gate["rate"] >= RATE_GOAL

        print(f"\nsummary ({args.mentees} x {args.mentors}, {db.engine.dialect.name}, "
              f"{queue_url.split(':')[0]} queue; load average now {os.getloadavg()[0]:.1f})")
        print(f"  {'publish total':<32} {published['total']:8.2f} s")
        print(f"  {'engine (in the publish)':<32} {published['engine']:8.2f} s")
        print(f"  {'publish - engine':<32} {overhead:8.2f} s   goal <= {PUBLISH_BUDGET:.0f} s   "
              f"{'OK' if publish_ok else 'MISSED'}")
        print(f"\n  {'workers':<10}{'emails/s':>10}{'steady/s':>10}{'bare/s':>9}{'ratio':>8}{'seconds':>9}  sent")
        for r in results:
            mark = " (default)" if r["config"] == DEFAULT_CONFIG else ""
            steady = f"{r['steady']:.0f}" if r["steady"] else "-"
            print(f"  {r['config'] + mark:<10}{r['rate']:>10.0f}{steady:>10}{r['peer']:>9.0f}"
                  f"{r['rate'] / r['peer']:>8.2f}{r['elapsed']:>9.1f}  {r['sent']}/{emails}")
        print(f"\n  emails/s: from the workers' start until no row is unsent; steady: first to last sent mark; "
              f"ratio: emails/s / the mean of the bare loops just before and after (median bare "
              f"{statistics.median(r['peer'] for r in results):.0f} msg/s)")
        print(f"  best: {best['config']} at {best['rate']:.0f}/s; goal >= {RATE_GOAL:.0f}/s judged on "
              f"{gate['config']}: {gate['rate']:.0f}/s {'OK' if rate_ok else 'MISSED'}")
    failed = not (publish_ok and rate_ok and all(r["ok"] for r in results))
    return 1 if failed and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
