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
from mentormatch import clock  # noqa: E402
from mentormatch.services import automation, demo  # noqa: E402

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
            automation.run_all(clock.now())  # what the worker would do first: reminders, escalations
            pair = mentor_pair_to_show()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                shoot(browser, base, pair)
                browser.close()
        finally:
            server.shutdown()
    return 0


def mentor_pair_to_show() -> tuple[int, int]:
    """(match id, agreement id) of the demo mentor's pair with the most on its schedule."""
    from mentormatch.extensions import db
    from mentormatch.models import Agreement, Match, ScheduledMeeting, User

    mentor = db.session.scalar(db.select(User).where(User.email == demo.MENTOR_EMAIL))
    row = db.session.execute(
        db.select(Match.id, Agreement.id).join(Agreement, Agreement.match_id == Match.id)
        .join(ScheduledMeeting, ScheduledMeeting.agreement_id == Agreement.id)
        .where(Match.mentor_id == mentor.id).group_by(Match.id, Agreement.id)
        .order_by(db.func.count().desc(), Match.id)).first()
    return row[0], row[1]


def shoot(browser, base: str, pair: tuple[int, int]) -> None:
    match_id, agreement_id = pair
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
    coordinator.goto(base + "/coordinator/outcome-report")
    save(coordinator, "outcome-report.png")
    coordinator.goto(base + "/coordinator/escalations")
    save(coordinator, "escalations.png", full_page=False)

    mentor = logged_in(browser, base, demo.MENTOR_EMAIL, 900)
    mentor.goto(f"{base}/agreements/{agreement_id}#schedule")
    mentor.locator("#schedule").screenshot(path=str(OUT / "agreement-schedule.png"))
    print("wrote docs/screenshots/agreement-schedule.png")

    mentor_phone = logged_in(browser, base, demo.MENTOR_EMAIL, 844, width=390)
    mentor_phone.goto(base + "/home")
    save(mentor_phone, "home-phone.png", full_page=False)
    mentor_phone.locator('nav[aria-label="Main"] summary').click()
    save(mentor_phone, "menu-phone.png", full_page=False)
    mentor_phone.goto(f"{base}/matches/{match_id}/messages")
    save(mentor_phone, "messages-phone.png", full_page=False)


def logged_in(browser, base: str, email: str, height: int, width: int = 1280):
    """A new page logged in as ``email`` with the demo password."""
    page = browser.new_page(viewport={"width": width, "height": height})
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
