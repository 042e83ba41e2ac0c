"""A mentee asks a suggested mentor, the mentor accepts, both see the active match."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_accessibility import fits_a_phone, serious_violations
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
    person("mentor", name="Paul Field", specialties=["phlebotomy"], credentials=["amt_mls"])

    mentee_page = browser.new_context().new_page()
    _log_in(mentee_page, live_server, mentee.email)
    mentee_page.get_by_role("link", name="Find a mentor").click()
    first = mentee_page.locator("article.suggestion").first
    expect(first).to_contain_text("Grace Ho")
    expect(first).to_contain_text("You both work in microbiology")
    first.get_by_label("A short message to Grace Ho (optional)").fill("I am preparing for the SM exam.")
    first.get_by_role("button", name="Ask Grace Ho to mentor me").click()
    expect(mentee_page.get_by_text("Your request was sent to Grace Ho.")).to_be_visible()
    expect(mentee_page.locator("hgroup")).to_contain_text("Waiting for Grace Ho\u2019s answer")
    match_url = mentee_page.url
    # Home says what the request waits for and how old it is, with a Withdraw behind a confirmation.
    mentee_page.set_viewport_size({"width": 390, "height": 844})
    mentee_page.goto(f"{live_server}/home")
    request = mentee_page.locator("li.todo", has_text="Grace Ho")
    expect(request).to_contain_text("Waiting for Grace Ho\u2019s answer")
    expect(request).to_contain_text("sent just now")
    expect(request.get_by_role("button", name="Yes, withdraw my request")).to_be_hidden()
    assert fits_a_phone(mentee_page) and serious_violations(mentee_page) == []
    mentee_page.set_viewport_size({"width": 1280, "height": 800})

    mentor_page = browser.new_context().new_page()
    _log_in(mentor_page, live_server, mentor.email)
    expect(mentor_page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    expect(mentor_page.locator("li.todo", has_text="Tomás Reyes")).to_contain_text(
        "Tomás Reyes asked you to mentor them — your answer")
    mentor_page.get_by_role("link", name="My matches").click()
    mentor_page.get_by_role("link", name="Tomás Reyes").click()
    expect(mentor_page.get_by_text("I am preparing for the SM exam.")).to_be_visible()
    expect(mentor_page.locator("h2", has_text="The mentee who asked you")).to_be_visible()
    expect(mentor_page.get_by_text(mentee.email)).to_have_count(0)  # no address before the match is active
    mentor_page.get_by_role("button", name="Accept").click()
    expect(mentor_page.get_by_text("You are matched!")).to_be_visible()

    mentee_page.goto(match_url)
    expect(mentee_page.locator("hgroup")).to_contain_text("Active")
    expect(mentee_page.locator("h2", has_text="Your mentor")).to_be_visible()
    expect(mentee_page.get_by_role("link", name=mentor.email)).to_be_visible()
    expect(mentee_page.get_by_role("link", name="Messages", exact=True)).to_have_attribute(
        "href", match_url.removeprefix(live_server) + "/messages")
    mentee_page.get_by_role("link", name="My matches").click()
    active = mentee_page.locator("section", has=mentee_page.get_by_role("heading", name="Active"))
    expect(active).to_contain_text("Grace Ho")


def test_a_pairs_home_and_match_pages_pass_axe_and_fit_a_phone(page, live_server, app, browser_login):
    from mentormatch.extensions import db
    from mentormatch.models import Match, MatchOrigin, MatchStatus
    from mentormatch.services import messages
    from tests.factories import default_program, make_pair, make_user

    with app.app_context():
        match = make_pair("Dana Okafor", "Grace Hoang-Villanueva")
        messages.send_message(match, match.mentor, "Shall we meet on Tuesday?")
        db.session.add(Match(program_id=default_program().id, mentee_id=make_user("mentee", name="Sam Rivera").id,
                             mentor_id=match.mentor.id, origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED,
                             score=0.77))
        db.session.commit()
        mentee_email, mentor_email, match_id = match.mentee.email, match.mentor.email, match.id
        db.session.remove()
    page.set_viewport_size({"width": 390, "height": 844})
    for email, paths in ((mentee_email, ["/home", "/matches/", f"/matches/{match_id}", "/matches/suggestions"]),
                         (mentor_email, ["/home", "/matches/", f"/matches/{match_id}"])):
        browser_login(email)
        for path in paths:
            page.goto(live_server + path)
            assert fits_a_phone(page), (email, path)
            assert serious_violations(page) == [], (email, path)
        if email == mentee_email:
            page.goto(live_server + "/home")
            expect(page.get_by_role("link", name="Messages with Grace Hoang-Villanueva, 1 unread")).to_be_visible()
        page.context.clear_cookies()
