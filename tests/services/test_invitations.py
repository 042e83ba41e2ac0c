"""The emailed calendar invitations and the agreement's feed parse with icalendar and hold the right UTC times.

Dana (mentee, New York) proposes 09:00 her time on 12 Jan 2027; Grace (mentor,
Los Angeles) reads 06:00 PST; every calendar gets 14:00Z.
"""

from __future__ import annotations

import email
from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from mentormatch.extensions import db
from mentormatch.mail import Email, message
from mentormatch.models import OutboxEmail
from mentormatch.services import agreements, outbox as outbox_service
from mentormatch.services.agreements import AgreementError
from tests.mailserver import smtp_server
from tests.services.test_schedule import NINE_IN_NEW_YORK, NOW, agree, make_scheduling_pair, proposal

FOURTEEN_Z = NINE_IN_NEW_YORK


@pytest.fixture
def pair(app_ctx):
    return make_scheduling_pair()


@pytest.fixture
def agreed(pair):
    return agree(pair)


def invitations() -> list[OutboxEmail]:
    return list(db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.calendar.is_not(None))
                                   .order_by(OutboxEmail.id)))


def event_of(text: str | bytes):
    """The one VEVENT of an invitation, and the calendar's METHOD."""
    calendar = Calendar.from_ical(text)
    [vevent] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), vevent


def emailed_to(address: str) -> OutboxEmail:
    return next(e for e in reversed(invitations()) if e.recipient == address)


@pytest.fixture
def confirmed(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NOW)
    return mentee, mentor, agreement, meeting


def test_a_confirmed_meeting_emails_both_a_request_at_the_same_utc_moment(confirmed):
    mentee, mentor, agreement, meeting = confirmed
    for person in (mentee, mentor):
        method, vevent = event_of(emailed_to(person.email).calendar)
        assert method == "REQUEST"
        assert str(vevent["UID"]) == meeting.uid and vevent["SEQUENCE"] == 0
        assert vevent.decoded("DTSTART") == FOURTEEN_Z and vevent.decoded("DTSTART").utcoffset() == timedelta(0)
        assert vevent.decoded("DTEND") == FOURTEEN_Z + timedelta(hours=1)
        assert "DTSTAMP" in vevent and str(vevent["STATUS"]) == "CONFIRMED"
        assert str(vevent["SUMMARY"]) == "Mentoring meeting: Dana Okafor & Grace Ho"
        assert str(vevent["LOCATION"]) == "https://meet.example.org/dana-grace"
        assert f"/agreements/{agreement.id}" in str(vevent["DESCRIPTION"])
        assert str(vevent["ORGANIZER"]) == f"mailto:{mentee.email}"
        attendees = {str(a): a.params["PARTSTAT"] for a in vevent["ATTENDEE"]}
        assert attendees == {f"mailto:{mentee.email}": "ACCEPTED", f"mailto:{mentor.email}": "ACCEPTED"}
    # The raw text says UTC with a Z, not a zone a calendar might not know.
    assert "DTSTART:20270112T140000Z" in emailed_to(mentor.email).calendar


def test_each_person_reads_the_time_in_their_own_zone_in_the_email(confirmed):
    mentee, mentor, _, _ = confirmed
    grace, dana = emailed_to(mentor.email), emailed_to(mentee.email)
    assert grace.subject == "MentorMatch: Meeting confirmed: 12 Jan 2027, 06:00 PST"
    assert "When: 12 Jan 2027, 06:00 PST to 07:00 (60 minutes), in your time zone (America/Los_Angeles)" in grace.body
    assert "You confirmed your meeting with Dana Okafor." in grace.body
    assert "When: 12 Jan 2027, 09:00 EST to 10:00" in dana.body and "(America/New_York)" in dana.body
    assert "Grace Ho confirmed your meeting.\n" in dana.body and "invite.ics" in dana.body


def test_a_new_time_sends_a_request_with_the_same_uid_and_a_higher_sequence_then_a_cancel(confirmed):
    mentee, mentor, agreement, meeting = confirmed
    later = FOURTEEN_Z + timedelta(days=2)
    agreements.propose_new_time(agreement, mentor, meeting.id, proposal(starts_at=later, duration_minutes=45),
                                now=NOW)
    assert len(invitations()) == 2  # calendars keep the agreed time until the new one is confirmed
    agreements.confirm_meeting(agreement, mentee, meeting.id, 1, now=NOW)
    method, moved = event_of(emailed_to(mentor.email).calendar)
    assert (method, str(moved["UID"]), moved["SEQUENCE"]) == ("REQUEST", meeting.uid, 1)
    assert (moved.decoded("DTSTART"), moved.decoded("DTEND")) == (later, later + timedelta(minutes=45))
    assert str(moved["ORGANIZER"]) == f"mailto:{mentor.email}"  # the proposer of the time in force
    agreements.cancel_meeting(agreement, mentee, meeting.id)
    for person in (mentee, mentor):
        method, cancelled = event_of(emailed_to(person.email).calendar)
        assert (method, str(cancelled["UID"]), cancelled["SEQUENCE"]) == ("CANCEL", meeting.uid, 2)
        assert str(cancelled["STATUS"]) == "CANCELLED"
        assert cancelled.decoded("DTSTART") == later
    assert emailed_to(mentor.email).subject.startswith("MentorMatch: Meeting cancelled: 14 Jan 2027, 06:00 PST")
    assert len(invitations()) == 6


def test_the_mime_message_carries_the_invitation_inline_and_as_invite_ics(confirmed):
    mentee, _, _, meeting = confirmed
    row = emailed_to(mentee.email)
    parsed = email.message_from_string(message(Email(row.recipient, row.subject, row.body, row.calendar),
                                               "mentormatch@lab.example.org").as_string())
    assert parsed.get_content_type() == "multipart/mixed"
    parts = {part.get_content_type(): part for part in parsed.walk()}
    inline = parts["text/calendar"]
    assert inline.get_param("method") == "REQUEST" and inline.get_content_charset() == "utf-8"
    assert "09:00 EST" in parts["text/plain"].get_payload(decode=True).decode()
    [attached] = [part for part in parsed.walk() if part.get_filename() == "invite.ics"]
    for part in (inline, attached):
        method, vevent = event_of(part.get_payload(decode=True))
        assert method == "REQUEST" and str(vevent["UID"]) == meeting.uid


def test_an_email_without_invitation_stays_one_plain_text_part():
    built = message(Email("dana@lab.example.org", "Hello", "Plain body"), "mentormatch@lab.example.org")
    assert built.get_content_type() == "text/plain" and not built.is_multipart()


def test_delivery_sends_the_invitation_over_smtp(app, confirmed, monkeypatch):
    mentee, _, _, _ = confirmed
    with smtp_server() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        ids = [row.id for row in invitations()]
        assert outbox_service.deliver(ids).sent == 2
    received = {to[0]: email.message_from_string(text) for to, text in server.messages}
    inline = next(p for p in received[mentee.email].walk() if p.get_content_type() == "text/calendar")
    assert inline.get_param("method") == "REQUEST"
    assert event_of(inline.get_payload(decode=True))[1].decoded("DTSTART") == FOURTEEN_Z


def test_queue_emails_in_bulk_keeps_the_invitation(app_ctx):
    from mentormatch.services.transactions import transaction

    with transaction():
        outbox_service.queue_emails([Email("a@lab.example.org", "s", "b", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
                                     Email("b@lab.example.org", "s", "b")])
    rows = db.session.scalars(db.select(OutboxEmail.calendar).order_by(OutboxEmail.id)).all()
    assert rows == ["BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", None]


# The agreement's feed.

def test_the_feed_holds_confirmed_and_held_meetings_at_their_times_but_not_proposals(confirmed):
    mentee, mentor, agreement, meeting = confirmed
    agreements.propose_meeting(agreement, mentor, proposal(starts_at=FOURTEEN_Z + timedelta(days=7)), now=NOW)
    cancelled = agreements.propose_meeting(agreement, mentor, proposal(starts_at=FOURTEEN_Z + timedelta(days=8)),
                                           now=NOW)
    agreements.cancel_meeting(agreement, mentee, cancelled.id)
    feed = Calendar.from_ical(agreements.calendar_for(agreement, "https://mm.example.org"))
    assert str(feed["METHOD"]) == "PUBLISH"
    rhythm, *timed = feed.walk("VEVENT")
    assert rhythm.decoded("DTSTART") == date(2027, 1, 4) and "RRULE" in rhythm  # the agreed rhythm, all day
    assert str(rhythm["TRANSP"]) == "TRANSPARENT"
    assert [(str(e["UID"]), e["SEQUENCE"], e.decoded("DTSTART")) for e in timed] == [(meeting.uid, 0, FOURTEEN_Z)]
    agreements.log_as_held(agreement, mentee, meeting.id, now=FOURTEEN_Z + timedelta(hours=1))
    timed = Calendar.from_ical(agreements.calendar_for(agreement)).walk("VEVENT")[1:]
    assert [str(e["UID"]) for e in timed] == [meeting.uid]


def test_before_terms_the_feed_holds_the_confirmed_kickoff_alone(pair):
    mentee, mentor, agreement = pair
    with pytest.raises(AgreementError, match="no agreed schedule"):
        agreements.calendar_for(agreement)
    kickoff = agreements.propose_meeting(agreement, mentee, proposal(kickoff=True), now=NOW)
    agreements.confirm_meeting(agreement, mentor, kickoff.id, 0, now=NOW)
    [vevent] = Calendar.from_ical(agreements.calendar_for(agreement)).walk("VEVENT")
    assert str(vevent["SUMMARY"]).startswith("Kick-off mentoring meeting")
    assert vevent.decoded("DTSTART") == datetime(2027, 1, 12, 14, 0, tzinfo=timezone.utc)
