"""Browser fixtures: a real Chromium (Playwright) against the app on a live server.

pytest-playwright ignores environment variables for the browser path and
``playwright install`` cannot download here, so the launch arguments point it
at the system Chromium (``CHROMIUM_BIN``, else ``chromium`` on PATH). Without
one the browser tests skip, except in CI where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import in_ci
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The Chromium to drive: ``CHROMIUM_BIN`` if set, else ``chromium`` on PATH."""
    configured = os.environ.get("CHROMIUM_BIN")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    executable = find_chromium()
    if executable is None:
        message = "Chromium not found: install it (apt-get install -y chromium) or set CHROMIUM_BIN"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    args = [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]
    return {**browser_type_launch_args, "executable_path": executable, "args": args}


@pytest.fixture(scope="session")
def _live_server(_app: Flask) -> Iterator[str]:
    """One threaded werkzeug server on a free port for the whole session."""
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask, _live_server: str) -> Iterator[str]:
    """The base URL of the app, with CSRF on as in production; tables are emptied afterwards.

    (Requesting ``app`` is what empties the tables and switches CSRF back off.)
    """
    app.config["WTF_CSRF_ENABLED"] = True
    yield _live_server


def log_in(page, live_server: str, email: str, password: str = PASSWORD) -> None:
    """Log any page (of any browser context) in through the real login form."""
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


@pytest.fixture
def browser_login(page, live_server):
    """Log the page in through the real login form."""

    def do_login(email: str, password: str = PASSWORD) -> None:
        log_in(page, live_server, email, password)

    return do_login
