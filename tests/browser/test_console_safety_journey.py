"""A coordinator in a real Chromium at phone width: changes that ask first, a nudge a day, pairing by name search,
chart data tables and the roster's accepted values; every page passes axe and fits 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, User
from tests.browser.test_accessibility import fits_a_phone, serious_violations
from tests.factories import make_user
from tests.services.test_console_stats import build_program

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def program(app):
    with app.app_context():
        ids = build_program(3)
        ids["dee"] = make_user("mentee", name="Dee Quietly", email="dee.quietly@lab.example.org").id
        ids["lee"] = make_user("mentor", name="Lee Fairweather", email="lee.f@lab.example.org", capacity=2).id
        db.session.remove()
    return ids


def _checked(page: Page, where: str) -> None:
    assert serious_violations(page) == [], where
    assert fits_a_phone(page), where


def test_deactivating_asks_first_and_keeping_it_changes_nothing(page: Page, live_server: str, program, app,
                                                                   browser_login):
    page.set_viewport_size(PHONE)
    browser_login(program["coordinator"])
    page.goto(f"{live_server}/coordinator/people/{program['dee']}")
    page.get_by_role("link", name="Deactivate account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Dee Quietly's account?")
    expect(page.get_by_role("navigation", name="Coordinator area")).to_be_attached()
    _checked(page, "deactivation page")
    page.get_by_role("link", name=re.compile("^Keep it")).click()
    with app.app_context():
        assert db.session.get(User, program["dee"]).active
    page.get_by_role("link", name="Deactivate account…").click()
    page.get_by_role("button", name="Deactivate the account").click()
    expect(page.get_by_role("status")).to_contain_text("Dee Quietly is deactivated")
    with app.app_context():
        assert not db.session.get(User, program["dee"]).active


def test_a_pair_is_found_by_name_chosen_and_proposed(page: Page, live_server: str, program, app, browser_login):
    page.set_viewport_size(PHONE)
    browser_login(program["coordinator"])
    page.goto(f"{live_server}/coordinator/pairs/new")
    page.get_by_label("Find the mentee by name or email").fill("quiet")
    page.get_by_label("Find the mentor by name or email").fill("FAIRWEATHER")
    page.get_by_role("button", name="Search").first.click()
    expect(page.get_by_role("radio", name=re.compile("^Dee Quietly"))).to_be_checked()  # the only one found
    expect(page.get_by_role("radio", name=re.compile("^Lee Fairweather .*2 free places"))).to_be_checked()
    _checked(page, "pair by hand with results")
    page.get_by_role("button", name="Propose this pair").click()
    expect(page.get_by_role("status")).to_contain_text("Proposed Dee Quietly and Lee Fairweather")
    with app.app_context():
        assert db.session.scalar(db.select(Match.id).where(Match.mentee_id == program["dee"],
                                                           Match.origin == MatchOrigin.MANUAL)) is not None


def test_a_nudge_goes_once_a_day_and_ending_a_pair_asks_first(page: Page, live_server: str, program, browser_login):
    page.set_viewport_size(PHONE)
    browser_login(program["coordinator"])
    page.goto(f"{live_server}/coordinator/queues/cadence")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Last nudged")
    row.get_by_role("button", name=re.compile("^Send a nudge")).click()
    expect(page.get_by_role("status")).to_contain_text("Nudge sent to")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("The next nudge can go from")
    expect(row.get_by_role("button", name=re.compile("^Send a nudge"))).to_have_count(0)
    _checked(page, "cadence queue")
    row.get_by_role("link", name=re.compile("^End or re-match")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^End the pair .* and .*\?$"))
    _checked(page, "end a pair")
    page.get_by_role("button", name="End the pair").click()  # no reason chosen: explained, nothing ended
    expect(page.get_by_role("alert").or_(page.locator(".flash-error")).first).to_contain_text("Choose why the pair ends")


def test_charts_have_data_tables_and_the_import_lists_what_it_accepts(page: Page, live_server: str, program,
                                                                      browser_login):
    page.set_viewport_size(PHONE)
    browser_login(program["coordinator"])
    page.goto(f"{live_server}/coordinator/")
    tables = page.locator("details", has=page.locator("summary", has_text="Data table"))
    expect(tables).to_have_count(3)
    for k in range(3):
        tables.nth(k).locator("summary").click()
    expect(tables.first.get_by_role("rowheader", name="Hematology", exact=True)).to_be_visible()
    _checked(page, "dashboard with its data tables open")
    page.goto(f"{live_server}/coordinator/roster/import")
    page.get_by_text("Columns and accepted values").click()
    expect(page.get_by_text("Immunohematology / blood bank")).to_be_visible()
    expect(page.get_by_role("link", name="Download a template CSV")).to_be_visible()
    _checked(page, "roster import with the accepted values open")
    page.goto(f"{live_server}/coordinator/rounds/new")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name=re.compile(r"^Publish \d+ proposals?…$")).first.click()  # Dee is waiting
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Publish \d+ proposals?\?$"))
    _checked(page, "publish confirmation")
