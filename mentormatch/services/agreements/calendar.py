"""The agreed meeting schedule as an iCalendar file.

One all-day recurring event (the pair agree a frequency, not a time of day)
from the start date, repeating by the agreed frequency until the planned end
date, or the day the agreement ended if that came first. The UID is stable
per agreement and SEQUENCE is the terms' version number, so importing the
file again after new terms updates the event instead of adding a second one.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from mentormatch import domain
from mentormatch.models import Agreement
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import AgreementError
from mentormatch.services.agreements.terms import topic_label

RRULE = {"weekly": ("WEEKLY", 1), "biweekly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1), "bimonthly": ("MONTHLY", 2)}


def calendar_for(agreement: Agreement, base_url: str = "") -> bytes:
    """The .ics bytes for the agreement's current terms."""
    terms = agreement.current_terms
    if terms is None:
        raise AgreementError("There is no agreed schedule yet: both of you need to confirm the terms.")
    until = terms.end_date
    if agreement.ended_at is not None:
        until = min(until, agreement.ended_at.date())
    freq, interval = RRULE[terms.frequency]
    match = agreement.match
    cal = Calendar()
    cal.add("prodid", "-//MentorMatch//Mentoring agreement//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"agreement-{agreement.id}@mentormatch")
    event.add("sequence", terms.number)
    event.add("dtstamp", utcnow())
    event.add("dtstart", terms.start_date)
    event.add("dtend", terms.start_date + timedelta(days=1))
    event.add("rrule", {"freq": freq, "interval": interval, "until": until})
    event.add("summary", f"Mentoring meeting: {match.mentee.name} & {match.mentor.name}")
    event.add("description", "\n".join([
        f"{domain.label(domain.MEETING_FREQUENCIES, terms.frequency)}, "
        f"{domain.label(domain.MEETING_MODES, terms.mode).lower()}.",
        "Topics: " + ", ".join(topic_label(t) for t in terms.topics),
        *([f"{base_url.rstrip('/')}/agreements/{agreement.id}"] if base_url else []),
    ]))
    event.add("transp", "TRANSPARENT")  # a reminder of the rhythm, not a booked slot
    cal.add_component(event)
    return cal.to_ical()
