"""A mentee asks a suggested mentor, the mentor accepts, both see the active match."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def test_a_requested_mentor_accepts_and_both_see_the_active_match(browser: Browser, live_server, person):
    mentee = person("mentee", name="Tomás Reyes", specialties=["microbiology"], credentials_sought=["ascp_sm"])
    mentor = person("mentor", name="Grace Ho", specialties=["microbiology"], credentials=["ascp_mls", "ascp_sm"])
    person("mentor", name="Paul Field", specialties=["phlebotomy"], credentials=["amt_mt"])

    mentee_page = browser.new_context().new_page()
    _log_in(mentee_page, live_server, mentee.email)
    mentee_page.get_by_role("link", name="Find a mentor").click()
    first = mentee_page.locator("article.suggestion").first
    expect(first).to_contain_text("Grace Ho")
    expect(first).to_contain_text("You both work in microbiology")
    first.get_by_label("A short message to Grace Ho (optional)").fill("I am preparing for the SM exam.")
    first.get_by_role("button", name="Ask Grace Ho to mentor me").click()
    expect(mentee_page.get_by_text("Your request was sent to Grace Ho.")).to_be_visible()
    match_url = mentee_page.url

    mentor_page = browser.new_context().new_page()
    _log_in(mentor_page, live_server, mentor.email)
    expect(mentor_page.locator("nav .badge")).to_have_text("1")
    mentor_page.get_by_role("link", name="My matches").click()
    mentor_page.get_by_role("link", name="Tomás Reyes").click()
    expect(mentor_page.get_by_text("I am preparing for the SM exam.")).to_be_visible()
    mentor_page.get_by_role("button", name="Accept").click()
    expect(mentor_page.get_by_text("You are matched!")).to_be_visible()

    mentee_page.goto(match_url)
    expect(mentee_page.locator("hgroup")).to_contain_text("Active")
    mentee_page.get_by_role("link", name="My matches").click()
    active = mentee_page.locator("section", has=mentee_page.get_by_role("heading", name="Active"))
    expect(active).to_contain_text("Grace Ho")
