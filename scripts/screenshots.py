"""Refresh docs/screenshots/*.png from the demo program, in the system Chromium.

    .venv/bin/python scripts/screenshots.py

Serves the app on a temporary SQLite demo database (nothing touches
instance/), logs in as the demo mentee and saves full-page screenshots.
Needs Chromium (CHROMIUM_BIN, else ``chromium`` on PATH); never downloads one.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from mentormatch.app import create_app  # noqa: E402
from mentormatch.services import demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    chromium = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium")
    if not chromium:
        print("Chromium not found: apt-get install -y chromium, or set CHROMIUM_BIN", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "MENTORMATCH_ENV": "development",
            "SECRET_KEY": "screenshots",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.db",
        })
        with app.app_context():
            upgrade()
            demo.seed_demo()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                shoot(browser, base)
                browser.close()
        finally:
            server.shutdown()
    return 0


def shoot(browser, base: str) -> None:
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(base + "/")
    save(phone, "landing-phone.png")

    landing = browser.new_page(viewport={"width": 1280, "height": 1100})
    landing.goto(base + "/")
    save(landing, "landing.png")

    page = logged_in(browser, base, demo.MENTEE_EMAIL, 1100)
    page.goto(base + "/profile/edit")
    save(page, "profile-form.png")
    page.goto(base + "/matches/suggestions")
    save(page, "suggestions.png", full_page=False)  # the first few of ten suggestions

    both = logged_in(browser, base, demo.BOTH_ROLES_EMAIL, 900)
    both.goto(base + "/home")
    save(both, "home-two-programs.png")  # a mentor in one program, mentored in another: the switcher shows

    coordinator = logged_in(browser, base, demo.COORDINATOR_EMAIL, 800)
    coordinator.goto(base + "/coordinator/")
    save(coordinator, "coordinator-dashboard.png")


def logged_in(browser, base: str, email: str, height: int):
    """A new page logged in as ``email`` with the demo password."""
    page = browser.new_page(viewport={"width": 1280, "height": height})
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    return page


def save(page, name: str, full_page: bool = True) -> None:
    path = OUT / name
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
