"""A pair schedules a meeting in a real browser: one proposes, the other confirms, then it is logged as held.

Dana (mentee, New York) proposes 09:00 her time; Grace (mentor, Los Angeles)
sees it three hours earlier in her zone and confirms it; both invitations
land in the outbox with their .ics. Once the time has passed, Dana logs it
as held in one click. axe-core and the phone width check each schedule page.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from mentormatch.extensions import db
from mentormatch.models import Meeting, OutboxEmail, ScheduledMeeting
from mentormatch.models.user import utcnow
from mentormatch.web.times import local_time
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import fits_a_phone, serious_violations
from tests.web.test_schedule import pair

pytestmark = pytest.mark.browser

NEW_YORK, LOS_ANGELES = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
DAY = (utcnow() + timedelta(days=10)).astimezone(NEW_YORK).date()
STARTS_AT = datetime.combine(DAY, time(9, 0), tzinfo=NEW_YORK).astimezone(timezone.utc)
PHONE = {"width": 390, "height": 844}




def _checked(page: Page, what: str) -> None:
    assert serious_violations(page) == [], what
    assert fits_a_phone(page), f"{what} is wider than a phone"


agreed = pair  # Dana (New York) and Grace (Los Angeles), terms confirmed: the web tests' pair


def test_one_proposes_the_other_confirms_and_it_is_logged_as_held(app, browser: Browser, live_server: str, agreed):
    mentee_email, mentor_email, agreement_id = agreed
    agreement_page = f"{live_server}/agreements/{agreement_id}"

    dana = browser.new_context(viewport=PHONE).new_page()
    log_in(dana, live_server, mentee_email)
    dana.goto(agreement_page)
    schedule = dana.locator("#schedule")
    expect(schedule).to_contain_text("No upcoming meeting on the schedule.")
    _checked(dana, "the empty schedule")
    schedule.get_by_role("link", name="Propose a meeting").click()
    _checked(dana, "the proposal form")
    dana.get_by_label("Date (America/New_York time)").fill(DAY.isoformat())
    dana.get_by_label("Start time (America/New_York time)").fill("09:00")
    dana.get_by_label("Duration in minutes").fill("60")
    dana.get_by_role("group", name="How you will meet").get_by_role("radio", name="Virtual").check()
    dana.get_by_label("Place or video link (optional)").fill("not a link")
    dana.get_by_role("button", name="Propose this meeting").click()
    expect(dana.get_by_text("A video link starts with https://").first).to_be_visible()
    expect(dana.get_by_label("Start time (America/New_York time)")).to_have_value("09:00")  # the form is kept
    _checked(dana, "the proposal form with an error")
    dana.get_by_label("Place or video link (optional)").fill("https://meet.example.org/dana-grace")
    dana.get_by_role("button", name="Propose this meeting").click()
    expect(dana.get_by_role("status")).to_contain_text("Meeting proposed. Grace Ho can confirm it")
    expect(dana.locator("#schedule")).to_contain_text(local_time(STARTS_AT, zone=NEW_YORK))
    expect(dana.locator("#schedule")).to_contain_text("waiting for Grace Ho to confirm")
    _checked(dana, "the schedule with a proposal")

    grace = browser.new_context(viewport=PHONE).new_page()
    log_in(grace, live_server, mentor_email)
    grace.goto(agreement_page)
    proposed = grace.locator("#schedule article").first
    in_los_angeles = local_time(STARTS_AT, zone=LOS_ANGELES)
    assert in_los_angeles.split(", ")[1].startswith("06:00 P")  # three hours before New York
    expect(proposed).to_contain_text(in_los_angeles)
    expect(proposed).to_contain_text("waiting for you to confirm")
    _checked(grace, "the schedule awaiting my answer")
    proposed.get_by_role("button", name="Confirm this time").click()
    expect(grace.get_by_role("status")).to_have_text("Meeting confirmed. You both get a calendar invitation by email.")
    expect(grace.locator("#schedule article").first).to_contain_text("Confirmed")

    with app.app_context():
        meeting = db.session.scalar(db.select(ScheduledMeeting))
        invitations = db.session.execute(db.select(OutboxEmail.recipient, OutboxEmail.body, OutboxEmail.calendar)
                                         .where(OutboxEmail.calendar.is_not(None))).all()
        uid, meeting_id = meeting.uid, meeting.id
        db.session.remove()
    assert sorted(row.recipient for row in invitations) == sorted([mentee_email, mentor_email])
    for row in invitations:
        calendar = Calendar.from_ical(row.calendar)
        [event] = calendar.walk("VEVENT")
        assert str(calendar["METHOD"]) == "REQUEST" and str(event["UID"]) == uid
        assert event.decoded("DTSTART") == STARTS_AT
    grace_email = next(row for row in invitations if row.recipient == mentor_email)
    assert in_los_angeles in grace_email.body and "America/Los_Angeles" in grace_email.body

    grace.locator("#schedule article").first.get_by_role("link", name="Cancel the meeting").click()
    expect(grace.get_by_role("heading", name="Cancel the meeting?")).to_be_visible()
    _checked(grace, "the cancellation question")
    grace.get_by_role("link", name="No, keep it").click()
    expect(grace.locator("#schedule article").first).to_contain_text("Confirmed")
    grace.locator("#schedule article").first.get_by_role("link", name="Propose another time").click()
    expect(grace.get_by_label("Start time (America/Los_Angeles time)")).to_have_value("06:00")
    _checked(grace, "the another-time form")

    with app.app_context():  # the meeting took place: its time is now two hours ago
        db.session.get(ScheduledMeeting, meeting_id).starts_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        db.session.remove()
    dana.goto(agreement_page)
    past = dana.locator("#schedule").get_by_role("article").first
    expect(dana.get_by_role("heading", name="Past meetings not logged yet")).to_be_visible()
    _checked(dana, "the schedule with a past meeting")
    past.get_by_role("button", name="Log as held").click()
    expect(dana.get_by_role("status")).to_have_text("Meeting logged as held. Grace Ho can see it.")
    assert re.search(r"#meeting-\d+$", dana.url)
    expect(dana.locator("#meetings article").first).to_contain_text("60 minutes")
    expect(dana.locator("#schedule")).to_contain_text("No upcoming meeting on the schedule.")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
        assert db.session.get(ScheduledMeeting, meeting_id).status == "held"
        db.session.remove()
