"""A coordinator in a real Chromium: the dashboard's charts render, then a queue action (a nudge) works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mentormatch.extensions import db
from tests.browser.test_accessibility import serious_violations
from tests.services.test_console_stats import build_program

pytestmark = pytest.mark.browser


@pytest.fixture
def program(app):
    with app.app_context():
        ids = build_program(3)
        db.session.remove()
    return ids


def test_coordinator_sees_the_dashboard_charts_and_nudges_a_pair_behind_cadence(
        page: Page, live_server: str, program, browser_login):
    browser_login(program["coordinator"])
    page.goto(f"{live_server}/coordinator/")
    expect(page.get_by_role("heading", name=re.compile(r": dashboard$"))).to_be_visible()
    charts = page.locator("img.chart")
    expect(charts).to_have_count(3)
    for k in range(3):
        # The SVG decoded and drew at its size: the CSP let the data: image through.
        assert charts.nth(k).evaluate("img => img.complete && img.naturalWidth > 0")
    assert "specialty" in charts.first.get_attribute("alt")
    assert serious_violations(page) == []

    page.get_by_role("navigation", name="Coordinator area").get_by_role("link", name="Behind cadence").click()
    expect(page.get_by_role("heading", name="Pairs behind their cadence")).to_be_visible()
    rows = page.locator("tbody tr")
    before = rows.count()
    assert before >= 1
    page.get_by_role("button", name="Send a nudge").first.click()
    expect(page.get_by_role("status")).to_contain_text("Nudge sent to")
    assert serious_violations(page) == []

    page.get_by_role("navigation", name="Coordinator area").get_by_role("link", name="Audit log").click()
    expect(page.locator("tbody tr").first).to_contain_text("Nudge sent")


def test_console_pages_have_no_serious_accessibility_violations(page: Page, live_server: str, program, browser_login):
    browser_login(program["coordinator"])
    for path in ("/coordinator/queues/unmatched", f"/coordinator/queues/unmatched/{program['waiting_mentee_id']}/candidates",
                 "/coordinator/queues/waiting?days=0", "/coordinator/queues/declined", "/coordinator/queues/cadence",
                 "/coordinator/queues/flagged", "/coordinator/people/", f"/coordinator/people/{program['mentee_id']}",
                 "/coordinator/roster/import", "/coordinator/exports/", "/coordinator/audit",
                 f"/coordinator/people/{program['mentee_id']}/deactivate",
                 f"/coordinator/people/{program['mentee_id']}/membership/end",
                 "/coordinator/pairs/new?mentee_q=test&mentor_q=test", "/coordinator/rounds"):
        page.goto(live_server + path)
        assert serious_violations(page) == [], path
