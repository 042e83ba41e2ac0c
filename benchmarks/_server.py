"""Shared helpers for the web benchmarks: a throwaway PostgreSQL, gunicorn, an HTTP client.

Used by ``benchmarks/web.py``, ``benchmarks/load.py`` and ``benchmarks/fault.py``;
not a script of its own. Everything listens on 127.0.0.1 only and is torn
down when the ``with`` block ends (also on errors and Ctrl-C).

- ``Postgres``: ``initdb`` into a temp folder (as the ``postgres`` OS user when
  run as root), ``pg_ctl -w start`` on a free port with fsync off, a role and a
  database; ``restart()`` for the fault test; stopped with ``-m immediate``.
- ``prepare_database(url)``: ``flask db upgrade`` and ``flask demo`` (40 mentors,
  120 mentees, 1 coordinator; password ``mentormatch-demo``, hashed cheaply
  unless ``real_hash``: scrypt logins would dominate a load test).
- ``Gunicorn``: ``gunicorn -w N -b 127.0.0.1:PORT module:app`` in production
  mode with rate limiting OFF (login rate limits would block a load test).
- ``Client``: a keep-alive HTTP/1.1 client on ``http.client`` with a cookie jar,
  no redirect following, and per-request timing; ``login()`` does the real
  form POST with the CSRF token scraped from the login page.
- ``Redis``: a private ``redis-server`` (no persistence, daemonized with a pidfile
  in a temp folder) on a free port; ``url(db)``.
- ``SmtpSink``: a counting aiosmtpd server in a child process; ``stats()`` gives
  messages, per-recipient counts and per-email counts (``email_key``).
- ``deployment_env(redis, sink)``: queue (db 0), limiter store (db 1) and mail
  server settings to merge into gunicorn's and the worker's environment.
- ``QueueWorker``: ``flask --app wsgi worker --workers N`` beside gunicorn;
  ``kill()`` (SIGKILL) and ``start()`` for the fault test.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from glob import glob
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEMO_PASSWORD = "mentormatch-demo"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHEAP_HASH = "pbkdf2:sha256:1000"
HASH_NOTE = f"demo passwords hashed with {CHEAP_HASH} (not scrypt) so logins stay cheap"
RATE_LIMIT_NOTE = "rate limiting is OFF (RATELIMIT_ENABLED=0): login limits would block the load test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path:
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


class Postgres:
    """A private PostgreSQL cluster in a temp folder; ``url`` is the SQLAlchemy URL."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.port = free_port()
        self.work = Path(tempfile.mkdtemp(prefix="mentormatch-bench-"))
        self.data, self.sock = self.work / "data", self.work / "sock"
        self.password = secrets.token_hex(12)
        self.url = f"postgresql+psycopg://bench:{self.password}@127.0.0.1:{self.port}/mentormatch"
        self.dsn = f"host=127.0.0.1 port={self.port} user=bench password={self.password} dbname=mentormatch"

    def _as_pg(self, *args: str, **kw) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, **kw)

    def _ctl(self, *args: str) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sock} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._as_pg(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.work / "server.log"),
                    "-w", "-t", "60", "-o", opts, *args)

    def __enter__(self) -> "Postgres":
        self.sock.mkdir(parents=True)
        if os.geteuid() == 0:
            os.chmod(self.work, 0o755)
            shutil.chown(self.work, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
        self._as_pg(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                    "--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256")
        self._ctl("start")
        self._as_pg(str(self.bin / "psql"), "-h", str(self.sock), "-p", str(self.port), "-U", "postgres",
                    "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q",
                    "-c", f"CREATE ROLE bench LOGIN PASSWORD '{self.password}'",
                    "-c", "CREATE DATABASE mentormatch OWNER bench")
        return self

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every open connection is cut."""
        self._ctl("restart", "-m", "fast")

    def __exit__(self, *exc) -> None:
        try:
            self._as_pg(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.work, ignore_errors=True)

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.dsn) as conn:
            return conn.execute(sql, params).fetchall()


_CODE: list[Path] = []  # the snapshot the app runs from, once taken


def code_dir() -> Path:
    """A copy of the app's code taken at the first call (removed at exit).

    Several people edit this checkout at once; a gunicorn worker that is
    (re)started mid-run would otherwise import whatever half-finished code is
    on disk at that moment. Every process of one run imports the same copy.
    """
    if not _CODE:
        import atexit

        dest = Path(tempfile.mkdtemp(prefix="mentormatch-code-"))
        atexit.register(shutil.rmtree, dest, True)
        for name in ("mentormatch", "templates", "migrations"):
            shutil.copytree(ROOT / name, dest / name)  # with __pycache__: numba's kernel cache comes along
        shutil.copy2(ROOT / "wsgi.py", dest / "wsgi.py")
        (dest / "benchmarks").mkdir()
        shutil.copy2(ROOT / "benchmarks" / "_bench_wsgi.py", dest / "benchmarks" / "_bench_wsgi.py")
        _CODE.append(dest)
    return _CODE[0]


def code_note() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "mentormatch", "templates", "migrations", "wsgi.py"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return f"code: snapshot of the working tree at start (commit {head}{' + local changes' if dirty else ''})"


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "MENTORMATCH_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "0", "FLASK_APP": "wsgi", "MENTORMATCH_HTTPS": "0",
            "PYTHONPATH": str(code_dir()), **extra}


def prepare_database(database_url: str, real_hash: bool = False) -> None:
    """Migrate the empty database and load the demo program.

    Unless ``real_hash``, the demo passwords are hashed with a cheap method
    (``HASH_NOTE``) so that logins do not dominate a load test.
    """
    env = app_env(database_url, **({} if real_hash else {"MENTORMATCH_PASSWORD_HASH": CHEAP_HASH}))
    for args in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(VENV_BIN / "flask"), *args], cwd=code_dir(), env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def app_routes(database_url: str) -> list[str]:
    """The URL rules the app registers (``flask routes``), to detect optional features."""
    done = subprocess.run([str(VENV_BIN / "flask"), "routes"], cwd=code_dir(), env=app_env(database_url),
                          capture_output=True, text=True, check=True)
    return [line.split()[-1] for line in done.stdout.splitlines()[2:] if line.strip()]


class Gunicorn:
    """``gunicorn -w WORKERS module:app`` on a free loopback port; waits for /healthz."""

    def __init__(self, database_url: str, workers: int = 2, module: str = "wsgi:app",
                 log: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cmd = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                    "--timeout", "30", "--graceful-timeout", "5", "--no-control-socket", module]
        self.env = app_env(database_url)
        self.log = log or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.proc = subprocess.Popen(self.cmd, cwd=code_dir(), env=self.env, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_healthy(self.port, 60, self.proc):
            self.__exit__()
            raise SystemExit(f"gunicorn did not become healthy; log: {self.log}\n{self.log.read_text()[-3000:]}")
        return self

    def workers(self) -> list[int]:
        """PIDs of the arbiter's worker processes (children in /proc)."""
        pids = []
        for stat in glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.split("/")[2]))
        return sorted(pids)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def logged_errors(log: Path) -> Counter:
    """Root causes of the app's "unhandled error" log lines (JSON logs in production), counted."""
    found: Counter = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{") or '"exception"' not in line:
            continue
        trace = json.loads(line).get("exception", "")
        causes = [t for t in trace.splitlines() if t and not t.startswith((" ", "Traceback", "The above", "During"))]
        found[(causes[0] if causes else line)[:160]] += 1
    return found


def wait_healthy(port: int, timeout: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            if Client(port, timeout=2).get("/healthz").status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: str, seconds: float) -> None:
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def location(self) -> str:
        loc = self.headers.get("location", "")
        return re.sub(r"^https?://[^/]+", "", loc)

    def csrf(self) -> str:
        found = CSRF_RE.search(self.body)
        if not found:
            raise ValueError(f"no csrf_token in the page (status {self.status})")
        return found.group(1)


class Client:
    """One browser: keep-alive connection, cookies, no redirects followed."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:  # never retried: a POST sent twice could act twice
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except BaseException:
            self.close()
            raise
        for value in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if raw.headers.get("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, text,
                        time.perf_counter() - start)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def login(self, email: str, password: str = DEMO_PASSWORD) -> Response:
        page = self.get("/auth/login")
        done = self.post("/auth/login", {"csrf_token": page.csrf(), "email": email, "password": password})
        if done.status != 302:
            raise RuntimeError(f"login of {email} failed with status {done.status}")
        return done


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


class _FormParser(HTMLParser):
    """Collects the fields of the <form> whose action is ``action``, as a browser would submit them."""

    def __init__(self, action: str, page: str | None) -> None:
        super().__init__()
        self.action, self.page, self.inside, self.select, self.textarea = action, page, False, None, None
        self.fields: list[tuple[str, str]] = []
        self.choices: dict[str, list[str]] = {}  # checkbox/radio name -> every offered value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = ((a.get("action") or self.page or "").split("#")[0]) == self.action
        elif tag == "option" and self.inside and self.select is not None:
            value = a.get("value", "")
            self.select[1] = value if self.select[1] is None else self.select[1]
            if "selected" in a:
                self.select[2] = value
        elif not self.inside or not a.get("name"):
            return
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            self.choices.setdefault(a["name"], []).append(a.get("value", "on"))
            if "checked" in a:
                self.fields.append((a["name"], a.get("value", "on")))
        elif tag == "input" and a.get("type") not in ("submit", "button"):
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = [a["name"], None, None]  # name, first value, selected value
        elif tag == "textarea":
            self.textarea = [a["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, first, chosen = self.select
            self.fields.append((name, chosen if chosen is not None else first or ""))
            self.select = None



def form_fields(html: str, action: str, page: str | None = None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(fields as submitted by default, offered checkbox/radio values) of the form posting to ``action``.

    A form without an action posts to its own page: pass that page's path as ``page``.
    """
    parser = _FormParser(action, page)
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields, parser.choices


# --- the rest of the deployment: Redis, an SMTP sink, the queue worker ------------------------------

REDIS_SERVER = "/usr/bin/redis-server"


class Redis:
    """A private ``redis-server`` on a free loopback port (no persistence); ``url(db)`` names one database.

    Daemonized with its pidfile, log and working folder in a temp folder, and
    stopped by that pid when the ``with`` block ends.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.work = Path(tempfile.mkdtemp(prefix="mentormatch-redis-"))
        self.pidfile, self.log = self.work / "redis.pid", self.work / "redis.log"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> "Redis":
        if not os.path.exists(REDIS_SERVER):
            raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
        try:
            subprocess.run([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no", "--dir", str(self.work), "--daemonize", "yes",
                            "--pidfile", str(self.pidfile), "--logfile", str(self.log)],
                           check=True, capture_output=True, text=True)
            deadline = time.monotonic() + 10
            while not self.ping():
                if time.monotonic() > deadline:
                    raise SystemExit(f"redis-server did not answer on port {self.port}:\n"
                                     f"{self.log.read_text(errors='replace')[-2000:] if self.log.exists() else ''}")
                time.sleep(0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                    time.sleep(0.05)
                if Path(f"/proc/{pid}").exists():
                    os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.work, ignore_errors=True)


def email_key(recipient: str, subject: str, body: str) -> str:
    """One email's identity as the SMTP sink sees it and as its outbox row holds it (line endings aside)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    text = "\0".join((recipient.strip().lower(), subject.strip(), body))
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def _smtp_sink_main(delay: float = 0.0) -> None:
    """The sink's child process: aiosmtpd on a free port (printed first); SIGUSR1 prints its counts as JSON.

    ``delay``: seconds it takes to answer each message (after counting it), as a busy mail server would.
    """
    import asyncio
    from email import message_from_bytes, policy

    from aiosmtpd.smtp import SMTP

    class Counting:
        def __init__(self) -> None:
            self.messages, self.recipients, self.keys = 0, Counter(), Counter()

        async def handle_DATA(self, server, session, envelope):
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            body = "" if parsed.is_multipart() else parsed.get_content()
            subject = str(parsed.get("Subject", ""))
            self.messages += 1
            for rcpt in envelope.rcpt_tos:
                self.recipients[rcpt.lower()] += 1
                self.keys[email_key(rcpt, subject, body)] += 1
            if delay:
                await asyncio.sleep(delay)
            return "250 OK"

        def dump(self) -> None:
            print(json.dumps({"messages": self.messages, "recipients": self.recipients, "keys": self.keys}),
                  flush=True)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        handler = Counting()
        srv = await loop.create_server(lambda: SMTP(handler, hostname="sink.local", enable_SMTPUTF8=True),
                                       "127.0.0.1", 0)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGUSR1, handler.dump)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        print(srv.sockets[0].getsockname()[1], flush=True)
        await stop.wait()
        srv.close()

    asyncio.run(serve())


class SmtpSink:
    """A counting SMTP server (aiosmtpd) on a free loopback port, in a child process.

    ``stats()`` returns what it received so far: ``messages``, a Counter of
    ``recipients`` (one per envelope recipient) and a Counter of ``keys``
    (``email_key`` of recipient, subject and body), to compare with the outbox.
    ``delay``: seconds it waits before answering each message (counted on arrival).
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.host = "127.0.0.1"

    def __enter__(self) -> "SmtpSink":
        code = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
                f"import _server; _server._smtp_sink_main({self.delay!r})")
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)
        try:
            self.port = int(self._line(30))
        except BaseException:
            self.__exit__()
            raise
        return self

    def _line(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise RuntimeError("the SMTP sink did not answer")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the SMTP sink exited ({self.proc.poll()})")
        return line.strip()

    def stats(self) -> dict:
        self.proc.send_signal(signal.SIGUSR1)
        found = json.loads(self._line(30))
        return {"messages": found["messages"], "recipients": Counter(found["recipients"]),
                "keys": Counter(found["keys"])}

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def deployment_env(redis: Redis, sink: SmtpSink, **extra: str) -> dict[str, str]:
    """What gunicorn and the worker share in a deployment: the queue (db 0) and the limiter's store
    (db 1) in ``redis``, and ``sink`` as the mail server. Merge it into ``app_env``'s result."""
    return {"MENTORMATCH_QUEUE_URL": redis.url(0), "RATELIMIT_STORAGE_URI": redis.url(1),
            "MAIL_SERVER": sink.host, "MAIL_PORT": str(sink.port), **extra}


class QueueWorker:
    """``flask --app wsgi worker --workers N`` from the code snapshot, with ``env`` (gunicorn's, say).

    ``kill()`` SIGKILLs it (the fault test) and ``start()`` starts a new one;
    the ``with`` block's end stops it with SIGINT (Huey's graceful stop).
    """

    def __init__(self, env: dict[str, str], workers: int = 2, log: Path | None = None) -> None:
        self.cmd = [str(VENV_BIN / "flask"), "--app", "wsgi", "worker", "--workers", str(workers)]
        self.env = env
        self.log = log or Path(tempfile.mkstemp(prefix="worker-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> "QueueWorker":
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(self.cmd, cwd=code_dir(), env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        try:
            self.proc.wait(1.0)  # an import or configuration error ends it at once
        except subprocess.TimeoutExpired:
            return self
        raise SystemExit(f"the worker exited with {self.proc.returncode}; log: {self.log}\n"
                         f"{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> int:
        """SIGKILL the worker (no clean-up of any kind); returns its pid."""
        pid = self.proc.pid
        self.proc.kill()
        self.proc.wait()
        return pid

    def __enter__(self) -> "QueueWorker":
        return self.start()

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
