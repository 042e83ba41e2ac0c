"""The emails that carry a meeting's calendar invitation (or its cancellation) to both people.

Each person reads the time in their own zone, named (``mentormatch.zones``,
as the pages do); the attached iCalendar text holds it in UTC.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from mentormatch.mail import Email
from mentormatch.models import ScheduledMeeting, User
from mentormatch.services.agreements.calendar import REQUEST, agreement_link, aware, ends_at, invitation
from mentormatch.services.outbox import queue_email
from mentormatch.zones import written, zone_of


def when(moment: datetime, zone: ZoneInfo) -> str:
    """'3 Dec 2026, 06:00 PST': the moment in ``zone``, labelled (as the pages' ``local_time``)."""
    return written(moment, zone)


def queue_invitations(meeting: ScheduledMeeting, method: str, by: User) -> None:
    """Email both people the invitation (or its cancellation), each with the time in their own zone."""
    base = current_app.config["BASE_URL"]
    calendar = invitation(meeting, method, base)
    match = meeting.agreement.match
    link = agreement_link(meeting.agreement, base) + "#schedule"
    for person in (match.mentee, match.mentor):
        zone = zone_of(person)
        other = match.mentor if person.id == match.mentee_id else match.mentee
        start = when(meeting.starts_at, zone)
        end = f"{aware(ends_at(meeting)).astimezone(zone):%H:%M}"
        how = "In person" if meeting.mode == "in_person" else "Virtual"
        if method == REQUEST:
            subject = f"MentorMatch: Meeting confirmed: {start}"
            news = (f"{by.name} confirmed your meeting." if by.id != person.id
                    else f"You confirmed your meeting with {other.name}.")
            action = "The calendar invitation is attached (invite.ics): open it to add the meeting to your calendar."
        else:
            subject = f"MentorMatch: Meeting cancelled: {start}"
            news = (f"{by.name} cancelled your meeting." if by.id != person.id
                    else f"You cancelled your meeting with {other.name}.")
            action = "The attached cancellation (invite.ics) removes it from your calendar."
        lines = [f"Hello {person.name},", "", news, "",
                 f"When: {start} to {end} ({meeting.duration_minutes} minutes), in your time zone ({zone.key})",
                 f"How: {how}{': ' + meeting.location if meeting.location else ''}",
                 *([f"Note: {meeting.note}"] if meeting.note else []), "", action, "", link, "", "-- MentorMatch"]
        queue_email(Email(person.email, subject, "\n".join(lines), calendar))
