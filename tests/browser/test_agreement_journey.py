"""A matched pair agree their terms and log a meeting, in a real browser.

The mentee proposes terms from her home page, the mentor confirms them and
logs their first meeting with a private note; the mentee then sees the
meeting and the cadence but never the mentor's private note. axe-core checks
the agreement page and the meeting form along the way.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from mentormatch.extensions import db
from mentormatch.services import agreements, matches
from tests.browser.test_accessibility import serious_violations
from tests.factories import PASSWORD, default_program, make_user

pytestmark = pytest.mark.browser

PRIVATE = "She is ready for the SH exam; suggest the BOC guide next time."


def _pair(page: Page, name: str):
    """The home page's item for the pair with ``name``: its state, its next step and its buttons."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("link", name=name, exact=True))


def _log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


@pytest.fixture
def matched(app):
    with app.app_context():
        mentee = make_user("mentee", name="Dana Okafor", meeting_frequency="biweekly")
        mentor = make_user("mentor", name="Grace Ho")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        emails = mentee.email, mentor.email
        db.session.remove()
    return emails


def test_a_pair_confirms_their_agreement_and_logs_a_meeting(browser: Browser, live_server: str, matched):
    mentee_email, mentor_email = matched
    today = agreements.today()

    mentee = browser.new_context().new_page()
    _log_in(mentee, live_server, mentee_email)
    mentee.goto(f"{live_server}/home")
    grace = _pair(mentee, "Grace Ho")
    expect(grace).to_contain_text("Agree how often you will meet and what you will work on.")
    expect(grace.get_by_role("link", name="Agree terms with Grace Ho")).to_be_visible()
    grace.get_by_role("link", name="Grace Ho", exact=True).click()
    mentee.get_by_role("link", name="Propose terms").click()
    # The form starts from the mentee's profile: every two weeks, six months.
    expect(mentee.get_by_label("How often you will meet")).to_have_value("biweekly")
    mentee.get_by_label("Start date").fill((today - timedelta(days=12)).isoformat())
    mentee.get_by_label("Planned end date").fill((today + timedelta(days=170)).isoformat())
    specialties = mentee.get_by_role("group", name="Topics: specialties")
    specialties.get_by_role("checkbox", name="Hematology", exact=True).check()
    mentee.get_by_label("Other topics (optional)").fill("QC charts")
    mentee.get_by_role("button", name="Propose these terms").click()
    expect(mentee.get_by_role("status")).to_contain_text("takes effect when Grace Ho confirms it")
    expect(mentee.get_by_text("Waiting for Grace Ho to confirm.")).to_be_visible()

    mentor = browser.new_context().new_page()
    _log_in(mentor, live_server, mentor_email)
    mentor.goto(f"{live_server}/home")
    dana = _pair(mentor, "Dana Okafor")
    expect(dana).to_contain_text("New terms wait for your confirmation.")
    dana.get_by_role("link", name="Review the terms proposed by Dana Okafor").click()
    assert serious_violations(mentor) == []
    mentor.get_by_role("button", name="Confirm these terms").click()
    expect(mentor.get_by_role("status")).to_have_text("You confirmed the terms. They are now your agreement.")
    terms = mentor.get_by_role("article").filter(has=mentor.get_by_role("heading", name="Agreed terms"))
    expect(terms).to_contain_text("Every two weeks, virtual")
    expect(terms).to_contain_text("QC charts")
    # Started 12 days ago, every 14 days, no meeting yet: due in 2 days, inside the 3-day window.
    expect(mentor.get_by_role("heading", name="Cadence: Due soon")).to_be_visible()
    expect(mentor.get_by_text("Next meeting due in 2 days")).to_be_visible()

    mentor.get_by_role("link", name="Log a meeting").click()
    assert serious_violations(mentor) == []
    mentor.get_by_label("Date of the meeting").fill(today.isoformat())
    mentor.get_by_label("Duration in minutes").fill("60")
    mentor.get_by_role("group", name="How you met").get_by_role("radio", name="Virtual").check()
    covered = mentor.get_by_role("group", name="Topics covered")
    covered.get_by_role("checkbox", name="Hematology", exact=True).check()
    covered.get_by_role("checkbox", name="QC charts").check()
    mentor.get_by_label("Shared notes (optional)").fill("Walked through Levey-Jennings charts.")
    mentor.get_by_label("My private note (optional)").fill(PRIVATE)
    mentor.get_by_role("button", name="Save meeting").click()
    expect(mentor.get_by_role("status")).to_have_text("Meeting logged. Dana Okafor can see it.")
    expect(mentor.get_by_role("heading", name="Cadence: On track")).to_be_visible()
    expect(mentor.get_by_role("textbox", name=re.compile("^My private note on"))).to_have_value(PRIVATE)

    mentee.goto(f"{live_server}/home")
    expect(grace).to_contain_text("On track")
    grace.get_by_role("link", name="Grace Ho", exact=True).click()
    meeting = mentee.locator("#meetings article").first
    expect(meeting).to_contain_text("60 minutes")
    expect(meeting).to_contain_text("Hematology, QC charts")
    expect(meeting).to_contain_text("Walked through Levey-Jennings charts.")
    expect(meeting).to_contain_text("logged by Grace Ho")
    assert PRIVATE not in mentee.content()
