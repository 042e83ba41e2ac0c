"""Closing an agreement, feedback, and the mentee's activity record.

Ending sets the agreement and its match to ended: the mentor's capacity
counts only active matches in the program (services.matches.active_count), so the place is
free again, while terms, goals and meetings stay readable. Meetings still to come are
called off, and the calendars that were invited hear of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementFeedback, AgreementStatus, AgreementVersion, GoalStatus, MatchStatus, Meeting, User,
    VersionStatus,
)
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import AgreementError, require_open, require_party, tell
from mentormatch.services.agreements.schedule import cancel_open_meetings
from mentormatch.services.agreements.terms import topic_label
from mentormatch.services.transactions import transaction

END_REASONS = (
    ("goals_achieved", "Goals achieved"),
    ("schedule", "Schedule"),
    ("not_a_fit", "Not a good fit"),
    ("left_organisation", "Left the organisation"),
    ("other", "Other"),
)
MAX_NOTE = 1000


def end_agreement(agreement: Agreement, user: User, reason: str, note: str = "") -> Agreement:
    """Either party or a coordinator of the pair's program ends the agreement with a reason."""
    if not (agreement.match.involves(user) or user.coordinates(agreement.match.program_id)):
        raise AgreementError("Only the pair or a coordinator can end this agreement.")
    require_open(agreement)
    if reason not in dict(END_REASONS):
        raise AgreementError("Choose why the agreement ends.")
    if len(note) > MAX_NOTE:
        raise AgreementError(f"The note is limited to {MAX_NOTE} characters.")
    with transaction():
        if (waiting := agreement.pending_terms) is not None:
            waiting.status = VersionStatus.SUPERSEDED
        agreement.status = AgreementStatus.ENDED
        agreement.ended_at = utcnow()
        agreement.ended_by_id = user.id
        agreement.end_reason = reason
        agreement.end_note = note.strip()
        match = agreement.match
        match.status = MatchStatus.ENDED
        match.closed_by_id = user.id
        cancel_open_meetings(agreement, user)
        for party in (match.mentee, match.mentor):
            if party.id != user.id:
                tell(party, f"{user.name} ended the mentoring agreement between {match.mentee.name} and "
                            f"{match.mentor.name}. You can leave feedback on it.", agreement)
    return agreement


def leave_feedback(agreement: Agreement, user: User, rating: int, comment: str = "") -> AgreementFeedback:
    """A party rates an ended agreement (1-5) once; coordinators read it."""
    require_party(agreement, user)
    if not agreement.is_ended:
        raise AgreementError("Feedback opens when the agreement ends.")
    if rating not in range(1, 6):
        raise AgreementError("Rate the mentorship from 1 to 5.")
    if len(comment) > MAX_NOTE:
        raise AgreementError(f"The comment is limited to {MAX_NOTE} characters.")
    if feedback_of(agreement, user):
        raise AgreementError("You have already left feedback on this agreement.")
    with transaction():
        feedback = AgreementFeedback(agreement_id=agreement.id, author_id=user.id, rating=rating,
                                     comment=comment.strip())
        db.session.add(feedback)
    return feedback


def feedback_of(agreement: Agreement, author: User | None = None) -> list[AgreementFeedback]:
    """All feedback on the agreement (coordinators), or one author's own."""
    query = db.select(AgreementFeedback).where(AgreementFeedback.agreement_id == agreement.id)
    if author is not None:
        query = query.where(AgreementFeedback.author_id == author.id)
    return list(db.session.scalars(query.order_by(AgreementFeedback.created_at)))


@dataclass(frozen=True)
class RecordedMeeting:
    held_on: date
    duration_minutes: int
    mode: str
    topics: list[str]  # labels


@dataclass(frozen=True)
class ActivityRecord:
    agreement: Agreement
    terms: AgreementVersion | None
    meetings: list[RecordedMeeting]  # oldest first
    total_minutes: int
    goals_achieved: list[tuple[str, date | None]]  # description, achieved on
    issued_on: date

    @property
    def total_hours(self) -> str:
        return f"{self.total_minutes / 60:.1f}"


def activity_record(agreement: Agreement, on: date | None = None) -> ActivityRecord:
    """Evidence for a portfolio: the pair, dates, meetings with durations and topics, goals achieved.

    Notes are left out on purpose: shared notes are the pair's, private notes their author's.
    """
    meetings = db.session.scalars(db.select(Meeting).where(Meeting.agreement_id == agreement.id)
                                  .order_by(Meeting.held_on, Meeting.id)).all()
    held = [RecordedMeeting(m.held_on, m.duration_minutes, m.mode, [topic_label(t) for t in m.topics])
            for m in meetings]
    achieved = [(g.description, g.achieved_on) for g in agreement.goals if g.status == GoalStatus.ACHIEVED]
    return ActivityRecord(agreement, agreement.current_terms, held, sum(m.duration_minutes for m in held),
                          achieved, on or utcnow().date())
