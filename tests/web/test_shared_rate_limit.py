"""Two gunicorn workers share one login rate limit through Redis.

Each sync worker is its own process: with ``memory://`` storage each keeps
its own counts, so an attacker gets the per-account limit once per worker.
This test runs the production app under ``gunicorn -w 2`` with the limits in
the Redis server scripts/test starts (``TEST_REDIS_URL``), makes sure both
workers answer some of the wrong-password attempts for one account, and
expects only the per-account limit of them to be tried.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import in_ci

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PER_ACCOUNT = 3  # MENTORMATCH_LOGIN_RATE_LIMIT_PER_ACCOUNT below
ATTEMPTS = 8


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        message = "TEST_REDIS_URL is not set (scripts/test starts a Redis server)"
        if in_ci():
            pytest.fail(message + " (CI=true)")
        pytest.skip(message)
    # A database of its own, clear of the queue (0) and the suite's rate limits (1).
    return url if urlsplit(url).path.strip("/") else url.rstrip("/") + "/2"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(command: subprocess.Popen) -> None:
    output, _ = command.communicate(timeout=60)
    assert command.returncode == 0, f"{' '.join(command.args[3:5])} failed:\n{output}"


def _gunicorn_options() -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    # Recent gunicorn opens a control socket in ~/.gunicorn unless told not to.
    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


@pytest.fixture
def server(tmp_path):
    """A production-like gunicorn with two sync workers; yields (port, access log path, account email)."""
    storage = _redis_url()
    gunicorn = BIN / "gunicorn"
    if not gunicorn.exists():
        pytest.fail(f"{gunicorn} is missing (it is a dependency of the project)")
    port = _free_port()
    env = {
        **os.environ,
        "MENTORMATCH_ENV": "production",
        "MENTORMATCH_HTTPS": "0",  # plain http on loopback: Secure cookies would never come back
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "MENTORMATCH_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",  # not the checkout's instance/
        "MENTORMATCH_BASE_URL": f"http://127.0.0.1:{port}",
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_STORAGE_URI": storage,
        # Per hour, so a slow machine cannot see the window end mid-test.
        "MENTORMATCH_LOGIN_RATE_LIMIT_PER_ACCOUNT": f"{PER_ACCOUNT} per hour",
        "MENTORMATCH_LOGIN_RATE_LIMIT": "100 per minute",  # the per-address limit stays out of the way
    }
    email = f"coordinator-{secrets.token_hex(4)}@example.org"  # its own counter even in a shared store
    # Each start of the app takes seconds: migrate and create the account while the workers boot.
    upgrade = _flask(env, "db", "upgrade")

    access_log, output = tmp_path / "access.log", tmp_path / "gunicorn.log"
    with open(output, "w") as out:
        proc = subprocess.Popen(
            [str(gunicorn), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", *_gunicorn_options(),
             "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    create = None
    try:
        _finish(upgrade)
        create = _flask(env, "create-admin", "--email", email, "--name", "Cora Ordinator", "--password",
                        "correct horse 12")
        _finish(create)
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"gunicorn exited:\n{output.read_text()}"
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer /healthz:\n{output.read_text()}"
            time.sleep(0.1)
        yield port, access_log, email
    finally:
        for command in (upgrade, create):
            if command is not None and command.poll() is None:
                command.kill()
                command.wait()
        proc.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _request(port, method, path, body=None, cookie=""):
    """One request on a new connection: (status, text, session cookie or "")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        set_cookie = response.getheader("Set-Cookie") or ""
        return response.status, text, set_cookie.split(";", 1)[0] if set_cookie.startswith("session=") else ""
    finally:
        conn.close()


def _hold_a_worker(port) -> socket.socket:
    """Open a connection and send half a request: a sync worker accepts it and waits for the rest,
    so until it is closed, new connections go to the other worker."""
    held = socket.create_connection(("127.0.0.1", port))
    held.sendall(b"GET /healthz HTTP/1.1\r\n")
    time.sleep(0.3)  # let a worker accept it
    return held


def _pids_of_login_posts(access_log: Path) -> list[str]:
    """The worker (process id) that answered each login attempt, from gunicorn's access log."""
    deadline = time.monotonic() + 5  # a worker logs a request just after answering it
    while True:
        pids = [line.split()[0] for line in access_log.read_text().splitlines() if " POST /auth/login " in line]
        if len(pids) >= ATTEMPTS or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def test_two_workers_share_the_per_account_login_limit(server):
    port, access_log, email = server
    status, page, cookie = _request(port, "GET", "/auth/login")
    assert status == 200 and cookie
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    answers: list[tuple[int, str]] = []

    def attempt():
        nonlocal cookie
        form = urlencode({"csrf_token": token, "email": email, "password": "not the password"})
        status, text, new_cookie = _request(port, "POST", "/auth/login", form, cookie)
        cookie = new_cookie or cookie
        answers.append((status, text))

    # Half the attempts while one worker is held, half while the other is: both answer some.
    first = _hold_a_worker(port)
    for _ in range(ATTEMPTS // 2):
        attempt()
    second = _hold_a_worker(port)  # the worker that answered so far is the only free one
    first.close()
    for _ in range(ATTEMPTS - ATTEMPTS // 2):
        attempt()
    second.close()

    pids = _pids_of_login_posts(access_log)
    assert len(pids) == ATTEMPTS
    first_half, second_half = set(pids[:ATTEMPTS // 2]), set(pids[ATTEMPTS // 2:])
    assert len(first_half) == len(second_half) == 1 and first_half != second_half, (
        f"the attempts were not split between the two workers: {pids}")

    tried = [text for status, text in answers if status == 200]
    refused = [text for status, text in answers if status == 429]
    assert all("Email or password is incorrect." in text for text in tried)
    assert all("Too many attempts" in text for text in refused)
    assert (len(tried), len(refused)) == (PER_ACCOUNT, ATTEMPTS - PER_ACCOUNT), (
        f"statuses {[status for status, _ in answers]} from workers {pids}: "
        f"more than {PER_ACCOUNT} attempts were tried, so the workers do not share one count")
