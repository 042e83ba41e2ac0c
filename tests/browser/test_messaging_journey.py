"""A pair write to each other in a real browser, and one message is reported to the coordinator.

Dana (mentee) writes to Grace (mentor) from her home page; Grace sees one
unread message on her home page and the message marked "New" in the thread,
which is then read; she replies. Dana reports the reply with a reason, and the
program's coordinator sees that message and the reason alone, never the rest of
the conversation (nor the thread itself). axe-core checks the thread, the
report page and the coordinator's reported message; the thread must fit a phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from mentormatch.extensions import db
from mentormatch.models import Message
from tests.browser.test_accessibility import fits_a_phone, serious_violations
from tests.factories import PASSWORD, default_program, make_pair, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Distinctive bodies: no template text contains them, so no assertion passes by accident.
HELLO = "Hi Grace, could we go over the Levey-Jennings chart from lot 7731 before Thursday's QC huddle?"
REPLY = "Stop wasting my time with lot 7731 questions, Dana; figure the QC out yourself."
REASON = "The reply about lot 7731 was dismissive and made me uncomfortable asking again."
SENT = "Your message to Grace Ho is sent."
REPORTED = ("The message is reported. The program's coordinators will look at it; they see this message and "
            "your reason only, not the rest of your conversation.")


def _log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _pair(page: Page, name: str):
    """The home page's item for the pair with ``name``: its state, its next step and its buttons."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("link", name=name, exact=True))


def _message(page: Page, body: str):
    """The thread's item for the message with ``body``."""
    return page.locator("ol.thread > li").filter(has_text=body)


@pytest.fixture
def pair(app):
    with app.app_context():
        coordinator = make_user("coordinator", name="Morgan Lee", program=default_program())
        match = make_pair("Dana Okafor", "Grace Ho")
        found = {"match_id": match.id, "mentee": match.mentee.email, "mentor": match.mentor.email,
                 "coordinator": coordinator.email}
        db.session.remove()
    return found


def test_a_pair_writes_and_a_reported_message_reaches_the_coordinator_alone(
        app, browser: Browser, live_server: str, pair):
    thread_url = f"{live_server}/matches/{pair['match_id']}/messages"

    # 1. Dana writes first, on a phone.
    dana = browser.new_context(viewport=PHONE).new_page()
    _log_in(dana, live_server, pair["mentee"])
    dana.goto(f"{live_server}/home")
    _pair(dana, "Grace Ho").get_by_role("link", name="Messages with Grace Ho", exact=True).click()
    dana.wait_for_url(thread_url)
    expect(dana.get_by_role("heading", name="Messages with Grace Ho", level=1)).to_be_visible()
    expect(dana.get_by_text("No messages yet: say hello and suggest a time for your first meeting.")).to_be_visible()
    contact = dana.locator("p.partner-contact")
    expect(contact).to_contain_text("Email Grace Ho directly:")
    expect(contact.get_by_role("link", name=pair["mentor"])).to_have_attribute("href", f"mailto:{pair['mentor']}")
    dana.get_by_label("Your message").fill(HELLO)
    dana.get_by_role("button", name="Send").click()
    expect(dana.get_by_role("status")).to_have_text(SENT)
    assert dana.url == f"{thread_url}#latest"
    mine = _message(dana, HELLO)
    expect(mine).to_have_count(1)
    expect(mine.locator(".message-meta strong")).to_have_text("You")
    expect(mine.get_by_role("link", name=re.compile("^Report to the coordinators"))).to_have_count(0)  # her own
    expect(mine.locator(".message-new")).to_have_count(0)

    # 2. Grace sees one unread message on her home page and in the thread, marked New; then it is read.
    grace = browser.new_context().new_page()
    _log_in(grace, live_server, pair["mentor"])
    grace.goto(f"{live_server}/home")
    dana_item = _pair(grace, "Dana Okafor")
    expect(dana_item).to_contain_text("1 unread message from Dana Okafor.")
    unread_link = dana_item.get_by_role("link", name="Messages with Dana Okafor, 1 unread", exact=True)
    expect(unread_link).to_have_text("Messages (1)")
    unread_link.click()
    grace.wait_for_url(thread_url)
    theirs = _message(grace, HELLO)
    expect(theirs.locator(".message-meta strong")).to_have_text("Dana Okafor")
    expect(theirs.locator(".message-new")).to_have_text("New")
    expect(grace.locator("p.partner-contact")).to_contain_text(f"Email Dana Okafor directly: {pair['mentee']}")
    grace.goto(f"{live_server}/home")
    expect(dana_item).not_to_contain_text("unread message")
    read_link = dana_item.get_by_role("link", name="Messages with Dana Okafor", exact=True)
    expect(read_link).to_have_text("Messages")
    read_link.click()
    grace.wait_for_url(thread_url)
    expect(_message(grace, HELLO).locator(".message-new")).to_have_count(0)  # seen on the first visit
    grace.get_by_label("Your message").fill(REPLY)
    grace.get_by_role("button", name="Send").click()
    expect(grace.get_by_role("status")).to_have_text("Your message to Dana Okafor is sent.")
    expect(_message(grace, REPLY).locator(".message-meta strong")).to_have_text("You")
    expect(grace.locator("ol.thread > li")).to_have_count(2)

    # 3. Dana sees the reply, new, and reports it with a reason.
    dana.goto(f"{live_server}/home")
    expect(_pair(dana, "Grace Ho")).to_contain_text("1 unread message from Grace Ho.")
    dana.goto(thread_url)
    reply = _message(dana, REPLY)
    expect(reply.locator(".message-meta strong")).to_have_text("Grace Ho")
    expect(reply.locator(".message-new")).to_have_text("New")
    expect(dana.locator("ol.thread > li").last).to_have_attribute("id", "latest")
    assert serious_violations(dana) == [], "the thread"
    assert fits_a_phone(dana), "the thread is wider than a phone"
    reply.get_by_role("link", name=re.compile("^Report to the coordinators")).click()
    with app.app_context():
        reply_id = db.session.scalar(db.select(Message.id).where(Message.body == REPLY))
        db.session.remove()
    dana.wait_for_url(f"{thread_url}/{reply_id}/report")
    expect(dana.get_by_role("heading", name="Report a message to the coordinators")).to_be_visible()
    reported = dana.get_by_role("article").filter(has=dana.get_by_role("heading", name="The message from Grace Ho"))
    expect(reported).to_contain_text(REPLY)
    expect(dana.get_by_text("Grace Ho is not told that you reported it")).to_be_visible()
    assert HELLO not in dana.content()  # the report page shows the one message
    assert serious_violations(dana) == [], "the report page"
    assert fits_a_phone(dana), "the report page is wider than a phone"
    dana.get_by_role("button", name="Report this message").click()  # no reason yet
    expect(dana.get_by_text("Say in a few words what is wrong, so the coordinators can help.")).to_be_visible()
    dana.get_by_label("What is wrong with this message?").fill(REASON)
    dana.get_by_role("button", name="Report this message").click()
    dana.wait_for_url(thread_url)
    expect(dana.get_by_role("status")).to_have_text(REPORTED)
    reply = _message(dana, REPLY)
    expect(reply).to_contain_text("You reported this message to the coordinators.")
    expect(reply.get_by_role("link", name=re.compile("^Report to the coordinators"))).to_have_count(0)
    assert fits_a_phone(dana), "the thread with a report is wider than a phone"

    # 4. The coordinator sees the reported message and the reason, never the rest of the conversation.
    morgan = browser.new_context().new_page()
    _log_in(morgan, live_server, pair["coordinator"])
    morgan.goto(f"{live_server}/coordinator/")
    morgan.get_by_role("navigation", name="Coordinator area").get_by_role("link", name="Reported messages").click()
    morgan.wait_for_url(f"{live_server}/coordinator/messages/reported")
    expect(morgan.get_by_role("heading", name="Reported messages in Test program")).to_be_visible()
    items = morgan.locator("ul.reported-list > li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Pair: Dana Okafor (mentee) & Grace Ho (mentor).")
    expect(items.first).to_contain_text(f"Reason: {REASON}")
    assert HELLO not in morgan.content()
    items.first.get_by_role("link", name="Message from Grace Ho to Dana Okafor").click()
    morgan.wait_for_url(f"{live_server}/coordinator/messages/{reply_id}")
    expect(morgan.get_by_role("heading", name="Reported message", level=1)).to_be_visible()
    heading = morgan.get_by_role("heading", name="From Grace Ho to Dana Okafor")
    expect(morgan.get_by_role("article").filter(has=heading)).to_contain_text(REPLY)
    facts = morgan.locator("dl.profile")
    expect(facts).to_contain_text("Reason given")
    expect(facts).to_contain_text(REASON)
    expect(facts).to_contain_text("Reported by")
    expect(facts.locator("dd").first).to_contain_text("Dana Okafor")
    assert HELLO not in morgan.content()
    assert serious_violations(morgan) == [], "the coordinator's reported message"
    # Dana's own message was never reported: it is not found, and the thread is the pair's alone.
    with app.app_context():
        hello_id = db.session.scalar(db.select(Message.id).where(Message.body == HELLO))
        db.session.remove()
    assert morgan.goto(f"{live_server}/coordinator/messages/{hello_id}").status == 404
    assert morgan.goto(thread_url).status == 404
    assert HELLO not in morgan.content() and REPLY not in morgan.content()
