"""A real Huey consumer (``flask worker``) in a subprocess, on the test database and queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def worker_env(app, mail_port: int, **settings: str) -> dict[str, str]:
    """The environment a worker process needs to share this test's database, queue and mail server."""
    env = {**os.environ,
           "MENTORMATCH_ENV": "testing", "SECRET_KEY": app.config["SECRET_KEY"],
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "MENTORMATCH_QUEUE_URL": app.config["QUEUE_URL"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_port),
           # Tries back off from 1 s doubling to 8 s; a dead worker's claim lapses after 2 s.
           "MENTORMATCH_OUTBOX_RETRY_SECONDS": "1", "MENTORMATCH_OUTBOX_RETRY_MAX_SECONDS": "8",
           "MENTORMATCH_OUTBOX_CLAIM_SECONDS": "2", "MENTORMATCH_OUTBOX_SWEEP_GRACE_SECONDS": "0",
           "PYTHONUNBUFFERED": "1"}
    env.update(settings)
    return env


@pytest.fixture
def start_worker(app, tmp_path):
    """Factory: ``start_worker(mail_port, workers=1)`` runs ``flask worker`` until the test ends (or is killed)."""
    started: list[subprocess.Popen] = []

    def start(mail_port: int, workers: int = 1, **settings: str) -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")
        process = subprocess.Popen([*FLASK, "worker", "--workers", str(workers)], cwd=ROOT,
                                   env=worker_env(app, mail_port, **settings), stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def burst(app):
    """``burst(mail_port)``: one ``flask worker --burst`` process, run to its end."""

    def run(mail_port: int, **settings: str) -> str:
        done = subprocess.run([*FLASK, "worker", "--burst"], cwd=ROOT, env=worker_env(app, mail_port, **settings),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    return run


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)
