"""Scheduling meetings: one of the pair proposes a time, the other confirms it or proposes another.

Rules:
- Either party proposes while the agreement is open: a time after now (and
  within a year), 5 to 480 minutes, in person or virtual, a place or a video
  link (http or https). An ordinary meeting needs confirmed terms and a date
  (in the proposer's zone) from the agreed start on; a kick-off meeting (one
  per agreement) may come before both.
- Only the other person confirms, naming the SEQUENCE they read, so a time
  moved meanwhile is never confirmed unseen. Proposing another time keeps the
  row, its UID and its calendar event: the proposer changes, the status goes
  back to proposed and SEQUENCE goes up. Either person cancels.
- Calendars hear of a meeting once it is confirmed: both people get a
  METHOD:REQUEST invitation, again (higher SEQUENCE) when a new time is
  confirmed, and a METHOD:CANCEL if a meeting that was ever confirmed is
  cancelled. ``confirmed_by_id`` stays set after a new time is proposed: it
  says an invitation went out, so a cancellation must reach the calendars.
- Once its end has passed, either person logs it as held in one click: the
  meeting log gets the entry and the row points at it. Every change locks the
  agreement and re-reads the row, so a double click logs one meeting.

Every time is stored in UTC; each person reads it in their own zone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from mentormatch.extensions import db
from mentormatch.models import Agreement, Meeting, Notification, ScheduledMeeting, User
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import AgreementError, other_party, require_open, require_party
from mentormatch.services.agreements.calendar import CANCEL, REQUEST, aware, ends_at
from mentormatch.services.agreements.invitations import queue_invitations, when
from mentormatch.services.agreements.meetings import (
    MAX_MINUTES, MEETING_MODES, MIN_MINUTES, MeetingInput, kickoff_logged, record_meeting,
)
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.transactions import lock, transaction
from mentormatch.zones import zone_of

PROPOSED, CONFIRMED, CANCELLED, HELD = "proposed", "confirmed", "cancelled", "held"
OPEN = (PROPOSED, CONFIRMED)
STATUS_LABELS = {PROPOSED: "Proposed", CONFIRMED: "Confirmed", CANCELLED: "Cancelled", HELD: "Held"}
MAX_OPEN = 12  # proposed or confirmed meetings per agreement, upcoming or waiting to be logged: the page stays short
MAX_AHEAD = timedelta(days=366)
MAX_LOCATION, MAX_NOTE = 300, 1000


def starts_at_from(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC moment of ``day`` at ``clock`` in ``zone``; a wall time the clocks skip is refused."""
    local = datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=zone)
    moment = local.astimezone(timezone.utc)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise AgreementError(f"{clock:%H:%M} does not exist on {day.day} {day:%b %Y} in {zone.key}: "
                             "the clocks go forward then. Choose another time.")
    return moment


# --- proposals ------------------------------------------------------------------------------------

@dataclass
class ProposalInput:
    starts_at: datetime  # UTC, aware
    duration_minutes: int
    mode: str  # in_person or virtual
    location: str = ""  # a place, or the video link
    note: str = ""
    kickoff: bool = False


def is_video_link(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text)


def _check(agreement: Agreement, user: User, proposal: ProposalInput, now: datetime) -> ProposalInput:
    location, note = proposal.location.strip(), proposal.note.strip()
    if not MIN_MINUTES <= proposal.duration_minutes <= MAX_MINUTES:
        raise AgreementError(f"A meeting lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.")
    if proposal.mode not in dict(MEETING_MODES):
        raise AgreementError("Say whether you will meet in person or virtually.")
    if len(location) > MAX_LOCATION or "\n" in location or "\r" in location:
        raise AgreementError(f"The place or link is one line of up to {MAX_LOCATION} characters.")
    if proposal.mode == "virtual" and location and not is_video_link(location):
        raise AgreementError("A video link starts with https:// (or http://), e.g. https://meet.example.org/abc.")
    if len(note) > MAX_NOTE:
        raise AgreementError(f"The note is limited to {MAX_NOTE} characters.")
    starts_at = aware(proposal.starts_at)
    zone = zone_of(user)
    if starts_at <= now:
        raise AgreementError(f"That time has already passed (it is now {when(now, zone)}): "
                             "choose a later date or time.")
    if starts_at > now + MAX_AHEAD:
        raise AgreementError("Propose a time within the next year.")
    terms = agreement.current_terms
    if not proposal.kickoff:
        if terms is None:
            raise AgreementError("Confirm your agreement's terms first; before that you can schedule "
                                 "only your kick-off meeting.")
        if starts_at.astimezone(zone).date() < terms.start_date:
            raise AgreementError(f"A meeting cannot be before the agreement starts "
                                 f"({terms.start_date.strftime('%d %b %Y')}), unless it is your kick-off meeting.")
    return ProposalInput(starts_at, proposal.duration_minutes, proposal.mode, location, note, proposal.kickoff)


def _check_kickoff(agreement: Agreement, proposal: ProposalInput, meeting_id: int | None = None) -> None:
    """Inside the lock: one kick-off meeting per agreement, logged or on the schedule."""
    if not proposal.kickoff:
        return
    if (logged := kickoff_logged(agreement)) is not None:
        raise AgreementError(f"Your kick-off meeting is already logged ({logged.held_on.strftime('%d %b %Y')}).")
    other = db.session.scalar(db.select(ScheduledMeeting).where(
        ScheduledMeeting.agreement_id == agreement.id, ScheduledMeeting.kickoff.is_(True),
        ScheduledMeeting.status.in_(OPEN), ScheduledMeeting.id != (meeting_id or 0)).limit(1))
    if other is not None:
        raise AgreementError("Your kick-off meeting is already on the schedule: propose another time for it instead.")


def _path(agreement: Agreement) -> str:
    return f"/agreements/{agreement.id}#schedule"


def _tell(user: User, text: str, agreement: Agreement) -> None:
    """Notify in the app and by email, linked to the agreement's schedule."""
    notify(user, Kind.AGREEMENT, text, agreement.match_id, path=_path(agreement))


def _tell_in_app(user: User, text: str, agreement: Agreement) -> None:
    """Notify in the app only: the invitation emailed alongside says the same."""
    db.session.add(Notification(user_id=user.id, kind=Kind.AGREEMENT, text=text, match_id=agreement.match_id,
                                path=_path(agreement)))


def _locked_meeting(agreement: Agreement, meeting_id: int) -> ScheduledMeeting:
    """Inside the agreement's lock: the row afresh (the lock made the session read it again)."""
    meeting = db.session.get(ScheduledMeeting, meeting_id, populate_existing=True)
    if meeting is None or meeting.agreement_id != agreement.id:
        raise AgreementError("That meeting is not on this agreement's schedule.")
    return meeting


def propose_meeting(agreement: Agreement, user: User, proposal: ProposalInput,
                    now: datetime | None = None) -> ScheduledMeeting:
    """``user`` proposes a meeting; the other person is told and confirms it or proposes another time."""
    require_party(agreement, user)
    require_open(agreement)
    proposal = _check(agreement, user, proposal, now or utcnow())
    with transaction():
        lock(agreement)  # the open-meetings cap and the one kick-off hold when two propose at once
        require_open(agreement)
        waiting = db.session.scalar(db.select(db.func.count()).select_from(ScheduledMeeting).where(
            ScheduledMeeting.agreement_id == agreement.id, ScheduledMeeting.status.in_(OPEN)))
        if waiting >= MAX_OPEN:
            raise AgreementError(f"You already have {MAX_OPEN} meetings on the schedule: log or cancel "
                                 "the past ones before proposing more.")
        _check_kickoff(agreement, proposal)
        stamp = utcnow()
        meeting = ScheduledMeeting(
            agreement_id=agreement.id, uid=f"meeting-{secrets.token_hex(12)}@mentormatch", sequence=0,
            status=PROPOSED, starts_at=proposal.starts_at, duration_minutes=proposal.duration_minutes,
            mode=proposal.mode, location=proposal.location, note=proposal.note, kickoff=proposal.kickoff,
            proposed_by_id=user.id, created_at=stamp, updated_at=stamp)
        db.session.add(meeting)
        db.session.flush()
        _ask_other(agreement, user, meeting, f"proposed a {'kick-off ' if meeting.kickoff else ''}meeting on")
    return meeting


def propose_new_time(agreement: Agreement, user: User, meeting_id: int, proposal: ProposalInput,
                     now: datetime | None = None) -> ScheduledMeeting:
    """``user`` proposes another time (or place) for a proposed or confirmed meeting; the other confirms it."""
    require_party(agreement, user)
    require_open(agreement)
    proposal = _check(agreement, user, proposal, now or utcnow())
    with transaction():
        lock(agreement)
        require_open(agreement)
        meeting = _locked_meeting(agreement, meeting_id)
        if meeting.status not in OPEN:
            raise AgreementError(f"This meeting is {STATUS_LABELS[meeting.status].lower()}; propose a new one instead.")
        same = (aware(meeting.starts_at), meeting.duration_minutes, meeting.mode, meeting.location, meeting.note,
                meeting.kickoff) == (proposal.starts_at, proposal.duration_minutes, proposal.mode,
                                     proposal.location, proposal.note, proposal.kickoff)
        if same:
            raise AgreementError("That is the time already on the schedule: change the date, time or details.")
        _check_kickoff(agreement, proposal, meeting.id)
        meeting.starts_at, meeting.duration_minutes, meeting.mode = (proposal.starts_at, proposal.duration_minutes,
                                                                     proposal.mode)
        meeting.location, meeting.note, meeting.kickoff = proposal.location, proposal.note, proposal.kickoff
        meeting.proposed_by_id, meeting.status = user.id, PROPOSED
        meeting.sequence += 1
        meeting.updated_at = utcnow()
        _ask_other(agreement, user, meeting, "proposed another time for your meeting:")
    return meeting


def _ask_other(agreement: Agreement, user: User, meeting: ScheduledMeeting, proposed: str) -> None:
    """Tell the other person of ``user``'s proposal, at its time in their zone, and what to do."""
    other = other_party(agreement, user)
    _tell(other, f"{user.name} {proposed} {when(meeting.starts_at, zone_of(other))}. Confirm it or propose "
                 "another time.", agreement)


# --- confirming, cancelling, logging ----------------------------------------------------------------

def confirm_meeting(agreement: Agreement, user: User, meeting_id: int, sequence: int,
                    now: datetime | None = None) -> ScheduledMeeting:
    """The other person confirms the time they read; both get the calendar invitation."""
    require_party(agreement, user)
    with transaction():
        lock(agreement)
        require_open(agreement)
        meeting = _locked_meeting(agreement, meeting_id)
        if meeting.status != PROPOSED:
            raise AgreementError(f"This meeting is already {STATUS_LABELS[meeting.status].lower()}.")
        if meeting.sequence != sequence:
            raise AgreementError("The time changed meanwhile; please read the new one before you confirm it.")
        if meeting.proposed_by_id == user.id:
            other = other_party(agreement, user)
            raise AgreementError(f"You proposed this time; {other.name} confirms it.")
        if aware(meeting.starts_at) <= (now or utcnow()):
            raise AgreementError("This time has passed: propose another time, or log the meeting as held if you met.")
        meeting.status, meeting.confirmed_by_id, meeting.updated_at = CONFIRMED, user.id, utcnow()
        queue_invitations(meeting, REQUEST, user)
        if meeting.proposed_by is not None:
            _tell_in_app(meeting.proposed_by, f"{user.name} confirmed your meeting on "
                                              f"{when(meeting.starts_at, zone_of(meeting.proposed_by))}.", agreement)
    return meeting


def cancel_meeting(agreement: Agreement, user: User, meeting_id: int) -> ScheduledMeeting:
    """Either person calls the meeting off; calendars that got the invitation get its cancellation."""
    require_party(agreement, user)
    with transaction():
        lock(agreement)
        require_open(agreement)
        meeting = _locked_meeting(agreement, meeting_id)
        if meeting.status not in OPEN:
            raise AgreementError(f"This meeting is already {STATUS_LABELS[meeting.status].lower()}.")
        _call_off(meeting, user)
    return meeting


def _call_off(meeting: ScheduledMeeting, by: User) -> None:
    agreement = meeting.agreement
    meeting.status, meeting.updated_at = CANCELLED, utcnow()
    meeting.sequence += 1
    other = other_party(agreement, by)
    text = f"{by.name} cancelled your meeting on {when(meeting.starts_at, zone_of(other))}."
    if meeting.confirmed_by_id is not None:  # an invitation went out: the calendars need the cancellation
        queue_invitations(meeting, CANCEL, by)
        _tell_in_app(other, text, agreement)
    else:
        _tell(other, text, agreement)


def cancel_open_meetings(agreement: Agreement, by: User) -> int:
    """Inside a transaction ending the agreement: call off its upcoming meetings (calendars told). Returns how many."""
    upcoming = [m for m in _open_rows(agreement) if ends_at(m) > utcnow()]
    party = by if agreement.match.involves(by) else agreement.match.mentee
    for meeting in upcoming:
        _call_off(meeting, party)
    return len(upcoming)


def log_as_held(agreement: Agreement, user: User, meeting_id: int, now: datetime | None = None) -> Meeting:
    """Once its end has passed, the meeting goes into the log as held (on its date in ``user``'s zone).

    A second click (or the other person at the same moment) finds it held and gets the same log entry.
    """
    require_party(agreement, user)
    require_open(agreement)
    now = now or utcnow()
    with transaction():
        lock(agreement)
        meeting = _locked_meeting(agreement, meeting_id)
        if meeting.status == HELD and meeting.meeting is not None:
            return meeting.meeting
        if meeting.status not in OPEN:
            raise AgreementError(f"This meeting is {STATUS_LABELS[meeting.status].lower()}; there is nothing to log.")
        zone = zone_of(user)
        if ends_at(meeting) > now:
            raise AgreementError(f"You can log the meeting once it has ended ({when(ends_at(meeting), zone)}).")
        entry = MeetingInput(held_on=aware(meeting.starts_at).astimezone(zone).date(),
                             duration_minutes=meeting.duration_minutes, mode=meeting.mode, topics=[],
                             shared_notes=meeting.note, kickoff=meeting.kickoff)
        logged = record_meeting(agreement, user, entry, now.astimezone(zone).date(), topics_required=False)
        meeting.status, meeting.meeting_id, meeting.updated_at = HELD, logged.id, utcnow()
    return logged


# --- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduledView:
    """One scheduled meeting as ``viewer`` sees it: its end, and the buttons they get."""

    meeting: ScheduledMeeting
    ends_at: datetime
    ended: bool
    can_confirm: bool
    can_change: bool  # propose another time, cancel
    can_log: bool
    waiting_for: User | None  # whose answer the proposal waits for

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.meeting.status]


@dataclass(frozen=True)
class Schedule:
    upcoming: list[ScheduledView]  # proposed or confirmed, not ended yet, soonest first
    past: list[ScheduledView]  # ended but not logged yet


def _open_rows(agreement: Agreement) -> list[ScheduledMeeting]:
    return list(db.session.scalars(db.select(ScheduledMeeting).where(
        ScheduledMeeting.agreement_id == agreement.id, ScheduledMeeting.status.in_(OPEN))
        .order_by(ScheduledMeeting.starts_at, ScheduledMeeting.id)))


def schedule_of(agreement: Agreement, viewer: User, now: datetime | None = None) -> Schedule:
    """The agreement's open meetings for ``viewer`` (one query: at most ``MAX_OPEN`` rows)."""
    now = now or utcnow()
    acts = agreement.match.involves(viewer) and not agreement.is_ended
    upcoming, past = [], []
    for meeting in _open_rows(agreement):
        end = ends_at(meeting)
        ended = end <= now
        proposed = meeting.status == PROPOSED
        waiting = None
        if proposed and meeting.proposed_by_id is not None:
            match = agreement.match
            waiting = match.mentor if meeting.proposed_by_id == match.mentee_id else match.mentee
        view = ScheduledView(meeting, end, ended,
                             can_confirm=acts and proposed and not ended and meeting.proposed_by_id != viewer.id
                             and aware(meeting.starts_at) > now,
                             can_change=acts, can_log=acts and ended, waiting_for=waiting)
        (past if ended else upcoming).append(view)
    return Schedule(upcoming, past)


def scheduled_meeting(agreement: Agreement, meeting_id: int) -> ScheduledMeeting | None:
    """One of the agreement's scheduled meetings, or None (a 404)."""
    meeting = db.session.get(ScheduledMeeting, meeting_id)
    return meeting if meeting is not None and meeting.agreement_id == agreement.id else None


def upcoming_for(agreement_ids: list[int], now: datetime | None = None) -> dict[int, ScheduledMeeting]:
    """Per agreement, the next proposed or confirmed meeting that has not ended yet, in one query."""
    if not agreement_ids:
        return {}
    now = now or utcnow()
    rows = db.session.scalars(db.select(ScheduledMeeting).where(
        ScheduledMeeting.agreement_id.in_(agreement_ids), ScheduledMeeting.status.in_(OPEN),
        # no meeting lasts longer than MAX_MINUTES: older starts have ended (end time is not a column)
        ScheduledMeeting.starts_at > now - timedelta(minutes=MAX_MINUTES))
        .order_by(ScheduledMeeting.agreement_id, ScheduledMeeting.starts_at, ScheduledMeeting.id))
    found: dict[int, ScheduledMeeting] = {}
    for meeting in rows:
        if meeting.agreement_id not in found and ends_at(meeting) > now:
            found[meeting.agreement_id] = meeting
    return found
