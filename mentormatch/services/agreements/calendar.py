"""An agreement's meetings as iCalendar: the downloadable feed, and the invitation a confirmed meeting emails.

The feed (METHOD:PUBLISH) holds every confirmed or held scheduled meeting as
a timed event at its UTC time, under the meeting's own UID and SEQUENCE, so
importing it after an invitation updates the event the invitation made
instead of adding a second one. While terms are confirmed it also keeps one
all-day recurring event for the agreed rhythm (the pair agree a frequency,
not a time of day): marked free (TRANSPARENT), it is a reminder of when the
next meeting is due, whatever the pair booked. Its UID is stable per agreement
and its SEQUENCE is the terms' version number.

An invitation (METHOD:REQUEST, or CANCEL once it is called off) carries the
same UID for the meeting's whole life and its current SEQUENCE, the proposer
as ORGANIZER and both people as ATTENDEEs who accepted, which is what
Outlook and Google Calendar need to add, move or remove the one event.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event, vCalAddress, vText

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import Agreement, ScheduledMeeting, User
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import AgreementError
from mentormatch.services.agreements.terms import topic_label

RRULE = {"weekly": ("WEEKLY", 1), "biweekly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1),
         "every_two_months": ("MONTHLY", 2)}
IN_FEED = ("confirmed", "held")
REQUEST, CANCEL = "REQUEST", "CANCEL"


def aware(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands it back without its zone)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def ends_at(meeting: ScheduledMeeting) -> datetime:
    return aware(meeting.starts_at) + timedelta(minutes=meeting.duration_minutes)


def agreement_link(agreement: Agreement, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/agreements/{agreement.id}" if base_url else ""


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//MentorMatch//Mentoring agreement//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def _rhythm_event(agreement: Agreement, base_url: str) -> Event:
    """The agreed frequency as an all-day recurring event, until the planned end or the day it ended."""
    terms = agreement.current_terms
    until = terms.end_date
    if agreement.ended_at is not None:
        until = min(until, agreement.ended_at.date())
    freq, interval = RRULE[terms.frequency]
    match = agreement.match
    event = Event()
    event.add("uid", f"agreement-{agreement.id}@mentormatch")
    event.add("sequence", terms.number)
    event.add("dtstamp", utcnow())
    event.add("dtstart", terms.start_date)
    event.add("dtend", terms.start_date + timedelta(days=1))
    event.add("rrule", {"freq": freq, "interval": interval, "until": until})
    event.add("summary", f"Mentoring meeting due: {match.mentee.name} & {match.mentor.name}")
    link = agreement_link(agreement, base_url)
    event.add("description", "\n".join([
        f"{domain.label(domain.MEETING_FREQUENCIES, terms.frequency)}, "
        f"{domain.label(domain.MEETING_MODES, terms.mode).lower()}.",
        "Topics: " + ", ".join(topic_label(t) for t in terms.topics),
        *([f"Schedule your meetings at {link}"] if link else []),
    ]))
    event.add("transp", "TRANSPARENT")  # a reminder of the rhythm, not a booked slot
    return event


def meeting_event(meeting: ScheduledMeeting, base_url: str, *, cancelled: bool = False) -> Event:
    """One scheduled meeting as a timed event in UTC, under its stable UID and current SEQUENCE."""
    agreement = meeting.agreement
    match = agreement.match
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", aware(meeting.starts_at))
    event.add("dtend", ends_at(meeting))
    kind = "Kick-off mentoring meeting" if meeting.kickoff else "Mentoring meeting"
    event.add("summary", f"{kind}: {match.mentee.name} & {match.mentor.name}")
    if meeting.location:
        event.add("location", meeting.location)
    link = agreement_link(agreement, base_url)
    how = domain.label(domain.MEETING_MODES, meeting.mode)
    event.add("description", "\n".join([
        f"{how}{': ' + meeting.location if meeting.location else ''}.",
        *([meeting.note] if meeting.note else []),
        *([f"Your mentoring agreement: {link}"] if link else []),
    ]))
    if link:
        event.add("url", link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _address(user: User, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.name)
    for name, value in params.items():
        address.params[name.replace("_", "-")] = vText(value)
    return address


def invitation(meeting: ScheduledMeeting, method: str, base_url: str) -> str:
    """The iCalendar text emailed to both people: REQUEST for a confirmed time, CANCEL when called off."""
    match = meeting.agreement.match
    organizer = meeting.proposed_by or meeting.confirmed_by or match.mentee
    event = meeting_event(meeting, base_url, cancelled=method == CANCEL)
    event.add("organizer", _address(organizer))
    for person in (match.mentee, match.mentor):
        event.add("attendee", _address(person, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE"))
    cal = _calendar(method)
    cal.add_component(event)
    return cal.to_ical().decode()


def calendar_for(agreement: Agreement, base_url: str = "") -> bytes:
    """The .ics feed: the agreed rhythm (once terms are confirmed) and the confirmed and held meetings."""
    meetings = db.session.scalars(db.select(ScheduledMeeting).where(
        ScheduledMeeting.agreement_id == agreement.id, ScheduledMeeting.status.in_(IN_FEED))
        .order_by(ScheduledMeeting.starts_at, ScheduledMeeting.id)).all()
    if agreement.current_terms is None and not meetings:
        raise AgreementError("There is no agreed schedule yet: both of you need to confirm the terms, "
                             "or a meeting time.")
    cal = _calendar("PUBLISH")
    if agreement.current_terms is not None:
        cal.add_component(_rhythm_event(agreement, base_url))
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, base_url))
    return cal.to_ical()
