"""The meeting log: either party logs a meeting, both see it; private notes stay with their author.

A kick-off meeting (one per agreement) may be logged before the agreed start
date and before the terms are confirmed: it is often where the pair agree
them. Every other meeting needs confirmed terms and a date from the start on.

A private note is stored apart from the meeting (models.meeting.PrivateNote)
and read only by ``meetings_for`` with the viewer's own id, so neither the
other party nor a coordinator can ever be shown it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mentormatch.extensions import db
from mentormatch.models import Agreement, Meeting, PrivateNote, User
from mentormatch.services.agreements.access import (
    AgreementError, other_party, require_open, require_party, today,
)
from mentormatch.services.notifications import Kind, notify
from mentormatch.services.transactions import lock, transaction

MIN_MINUTES, MAX_MINUTES = 5, 480
MAX_NOTES = 4000
MEETING_MODES = (("in_person", "In person"), ("virtual", "Virtual"))


@dataclass
class MeetingInput:
    held_on: date
    duration_minutes: int
    mode: str
    topics: list[str]
    shared_notes: str = ""
    private_note: str = ""
    submission_key: str | None = None  # the form's idempotency key: a second submission logs nothing new
    kickoff: bool = False


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    private_note: str | None  # the viewer's own private note, never anyone else's


def agreed_topics(agreement: Agreement) -> list[str]:
    """The topics a meeting may cover: the current terms', or before them the proposal's (a kick-off)."""
    terms = agreement.current_terms or agreement.pending_terms
    return list(terms.topics) if terms else []


def _check(agreement: Agreement, entry: MeetingInput, on: date, *, topics_required: bool = True) -> None:
    terms = agreement.current_terms
    if terms is None and not entry.kickoff:
        raise AgreementError("Confirm your agreement's terms before logging meetings; "
                             "only your kick-off meeting can be logged before.")
    if entry.held_on > on:
        raise AgreementError("A meeting date cannot be in the future.")
    if terms is not None and not entry.kickoff and entry.held_on < terms.start_date:
        raise AgreementError(f"The meeting date cannot be before the agreement starts "
                             f"({terms.start_date.strftime('%d %b %Y')}), unless it was your kick-off meeting.")
    if not MIN_MINUTES <= entry.duration_minutes <= MAX_MINUTES:
        raise AgreementError(f"A meeting lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.")
    if entry.mode not in dict(MEETING_MODES):
        raise AgreementError("Say whether you met in person or virtually.")
    if not entry.topics and topics_required and not entry.kickoff:
        raise AgreementError("Choose at least one topic you covered.")
    if any(topic not in agreed_topics(agreement) for topic in entry.topics):
        raise AgreementError("Topics covered must come from the agreement's topics.")
    if len(entry.shared_notes) > MAX_NOTES or len(entry.private_note) > MAX_NOTES:
        raise AgreementError(f"Notes are limited to {MAX_NOTES} characters.")


def kickoff_logged(agreement: Agreement) -> Meeting | None:
    """The agreement's kick-off meeting, if one is logged."""
    return db.session.scalar(db.select(Meeting).where(Meeting.agreement_id == agreement.id,
                                                      Meeting.kickoff.is_(True)).limit(1))


def log_meeting(agreement: Agreement, user: User, entry: MeetingInput, on: date | None = None) -> Meeting:
    """``user`` logs a meeting the pair held; the other party is told and sees it.

    A form submitted twice (a double click, a resent request) carries the same
    ``submission_key``: the second finds the meeting the first logged and returns it.
    """
    require_party(agreement, user)
    require_open(agreement)
    _check(agreement, entry, on or today())
    with transaction():
        lock(agreement)  # two submissions with one key: the second waits, then finds the first's meeting
        if entry.submission_key and (logged := _logged_with(agreement, entry.submission_key)) is not None:
            return logged
        return record_meeting(agreement, user, entry, on or today())


def record_meeting(agreement: Agreement, user: User, entry: MeetingInput, on: date, *,
                   topics_required: bool = True) -> Meeting:
    """Inside a transaction holding the agreement's lock: check and add the meeting, tell the other party."""
    require_open(agreement)
    _check(agreement, entry, on, topics_required=topics_required)
    if entry.kickoff and (kickoff := kickoff_logged(agreement)) is not None:
        raise AgreementError(f"Your kick-off meeting is already logged ({kickoff.held_on.strftime('%d %b %Y')}).")
    meeting = Meeting(agreement_id=agreement.id, logged_by_id=user.id, held_on=entry.held_on,
                      duration_minutes=entry.duration_minutes, mode=entry.mode,
                      topics=list(dict.fromkeys(entry.topics)), shared_notes=entry.shared_notes.strip(),
                      submission_key=entry.submission_key or None, kickoff=entry.kickoff)
    db.session.add(meeting)
    db.session.flush()
    if entry.private_note.strip():
        db.session.add(PrivateNote(meeting_id=meeting.id, author_id=user.id, text=entry.private_note.strip()))
    kind = "kick-off meeting" if entry.kickoff else "meeting"
    notify(other_party(agreement, user), Kind.AGREEMENT,
           f"{user.name} logged your {kind} of {entry.held_on.strftime('%d %b %Y')}.", agreement.match_id,
           path=f"/agreements/{agreement.id}#meetings")
    return meeting


def _logged_with(agreement: Agreement, key: str) -> Meeting | None:
    return db.session.scalar(db.select(Meeting).where(Meeting.agreement_id == agreement.id,
                                                      Meeting.submission_key == key))


def save_private_note(agreement: Agreement, user: User, meeting_id: int, text: str) -> None:
    """Write (or clear) ``user``'s own private note on one of the agreement's meetings."""
    require_party(agreement, user)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.agreement_id != agreement.id:
        raise AgreementError("That meeting is not part of this agreement.")
    if len(text) > MAX_NOTES:
        raise AgreementError(f"Notes are limited to {MAX_NOTES} characters.")
    with transaction():
        lock(user)  # two saves at once (two tabs): the second updates the note the first wrote
        note = db.session.scalar(db.select(PrivateNote).where(
            PrivateNote.meeting_id == meeting_id, PrivateNote.author_id == user.id))
        if not text.strip():
            if note is not None:
                db.session.delete(note)
        elif note is None:
            db.session.add(PrivateNote(meeting_id=meeting_id, author_id=user.id, text=text.strip()))
        else:
            note.text = text.strip()


def meetings_for(agreement: Agreement, viewer: User) -> list[MeetingView]:
    """The agreement's meetings, newest first, each with the viewer's own private note (two queries)."""
    meetings = db.session.scalars(db.select(Meeting).where(Meeting.agreement_id == agreement.id)
                                  .order_by(Meeting.held_on.desc(), Meeting.id.desc())).all()
    notes = dict(db.session.execute(db.select(PrivateNote.meeting_id, PrivateNote.text).where(
        PrivateNote.author_id == viewer.id, PrivateNote.meeting_id.in_([m.id for m in meetings]))).all())
    return [MeetingView(m, notes.get(m.id)) for m in meetings]
