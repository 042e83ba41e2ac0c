"""From a reminder to an answer, and out of one kind of email, in a real browser.

The scheduler runs (its clock set by the test) and Dana, a mentee whose pair
just started, finds the kick-off survey reminder among her notifications,
reads who will see her answers, answers on a phone and is thanked. Then,
logged out, she opens the "stop these emails" link of her digest: the page
asks first, one click stops survey emails and nothing else.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from mentormatch import clock
from mentormatch.extensions import db
from mentormatch.models import OutboxEmail, SurveyResponse
from mentormatch.services import automation, surveys
from mentormatch.services.reminders import preferences
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import fits_a_phone, serious_violations
from tests.factories import default_program, make_pair, make_user
from tests.services.test_reminders import at_chicago, confirmed_terms

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _checked(page, what: str) -> None:
    assert serious_violations(page) == [], what
    assert fits_a_phone(page), f"{what} is wider than a phone"


def test_a_reminder_leads_to_the_survey_and_its_link_stops_only_survey_emails(app, browser: Browser, live_server):
    with app.app_context():
        program = default_program()
        coordinator = make_user("coordinator", program=program)
        surveys.add_question(program, coordinator, "kickoff", "scale", "How clear are the goals you set together?")
        surveys.add_question(program, coordinator, "kickoff", "text", "What do you hope to get from it?")
        match = make_pair()
        start = clock.now().date()
        confirmed_terms(match, start, "monthly")
        mentee_email, mentee_id, agreement_id = match.mentee.email, match.mentee_id, match.agreement.id
        clock.set_to(at_chicago(start, 10))  # her morning, in Chicago: the digest may go
        automation.run_all(clock.now())
        digest = db.session.scalar(db.select(OutboxEmail).where(OutboxEmail.recipient == mentee_email,
                                                                OutboxEmail.idempotency_key.like("digest:%")))
        assert digest is not None and "kick-off survey" in digest.body
        db.session.remove()

    dana = browser.new_context(viewport=PHONE).new_page()
    log_in(dana, live_server, mentee_email)
    dana.goto(f"{live_server}/notifications/")
    dana.get_by_role("link", name=re.compile("kick-off survey")).click()
    expect(dana).to_have_url(re.compile(rf"/surveys/{agreement_id}/kickoff$"))
    expect(dana.get_by_role("complementary", name="Who sees your answers")).to_contain_text("only totals of 5")
    _checked(dana, "the survey page")
    dana.get_by_role("button", name="Send my answers").click()  # the scale question is required
    expect(dana.locator(".field-error").first).to_be_visible()
    dana.get_by_role("radio", name="4").check()
    dana.get_by_label("What do you hope to get from it?").fill("A plan for the MLS exam")
    dana.get_by_role("button", name="Send my answers").click()
    expect(dana.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)
                                 .where(SurveyResponse.user_id == mentee_id)) == 1
        db.session.remove()

    link = re.search(r"A program survey to answer: (\S+/unsubscribe/\S+)", digest.body).group(1)
    anonymous = browser.new_context(viewport=PHONE).new_page()
    anonymous.goto(link.replace("http://127.0.0.1:5000", live_server))
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Stop these reminder emails?")
    _checked(anonymous, "the unsubscribe page")
    with app.app_context():
        assert preferences.opted_out(mentee_id) == set()  # opening the link changed nothing
        db.session.remove()
    anonymous.get_by_role("button", name="Stop these emails").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("You will not get these emails any more")
    with app.app_context():
        assert preferences.opted_out(mentee_id) == {"survey"}
        db.session.remove()
