"""A coordinator previews and publishes a round over the demo program; a proposed pair both accept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, User
from mentormatch.services import demo

pytestmark = pytest.mark.browser


def _log_in(browser: Browser, base_url: str, email: str):
    page = browser.new_context().new_page()
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    return page


def test_a_published_round_reaches_both_sides_and_becomes_active(app, browser: Browser, live_server):
    with app.app_context():
        demo.seed_demo()
        db.session.remove()

    coordinator = _log_in(browser, live_server, demo.COORDINATOR_EMAIL)
    coordinator.get_by_role("link", name="Start a matching round").click()
    coordinator.get_by_role("button", name="Preview").click()
    expect(coordinator.get_by_role("heading", name="Preview")).to_be_visible()
    matched = coordinator.locator("article", has_text="Mentees who would be matched").locator("h3")
    would_match = int(re.match(r"(\d+) of", matched.inner_text()).group(1))
    assert would_match > 0
    coordinator.get_by_role("button", name=re.compile(r"^Publish \d+ proposals?…$")).first.click()
    # Publishing asks first, saying what it will send.
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^Publish {would_match} proposals?\?$"))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Match).where(
            Match.origin == MatchOrigin.ROUND)) == 0
        db.session.remove()
    coordinator.get_by_role("button", name=f"Publish and send {2 * would_match} emails").click()
    expect(coordinator.get_by_text(re.compile(rf"is published: {would_match} proposals"))).to_be_visible()

    with app.app_context():
        match = db.session.scalars(db.select(Match).where(Match.origin == MatchOrigin.ROUND)
                                   .order_by(Match.score.desc())).first()
        mentee_email = db.session.get(User, match.mentee_id).email
        mentor_email = db.session.get(User, match.mentor_id).email
        match_id = match.id
        db.session.remove()

    for email in (mentee_email, mentor_email):
        page = _log_in(browser, live_server, email)
        page.get_by_role("link", name="Notifications").click()
        page.get_by_role("link", name=re.compile("proposes .* as your")).first.click()
        assert page.url.endswith(f"/matches/{match_id}")
        page.get_by_role("button", name="Accept").click()

    expect(page.locator("hgroup")).to_contain_text("Active")
    expect(page.get_by_role("link", name="Open the agreement")).to_be_visible()  # a link styled as a button
