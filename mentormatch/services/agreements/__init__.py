"""Agreements: the terms a pair confirms, their goals and meetings, cadence, closing.

Split by feature: ``access`` (who may see or change an agreement), ``terms``
(versioned proposals and confirmations), ``goals``, ``meetings`` (log and
private notes), ``schedule`` (meetings proposed for a time, confirmed,
moved, cancelled, logged as held, with their emailed invitations), ``cadence``
(when the next meeting is due), ``calendar`` (.ics feed and invitations) and
``closing`` (end, feedback, activity record). Views import the names below;
``schedule`` is also imported as a module (``agreements.schedule.upcoming_for``).
"""

from mentormatch.services.agreements.access import AgreementError, agreement_for, other_party, today
from mentormatch.services.agreements.cadence import Cadence, PairSummary, cadence_for, cadence_of, pairs_of
from mentormatch.services.agreements.calendar import calendar_for
from mentormatch.services.agreements.closing import (
    END_REASONS, ActivityRecord, activity_record, end_agreement, feedback_of, leave_feedback,
)
from mentormatch.services.agreements.goals import GOAL_STATUSES, add_goal, set_goal_status
from mentormatch.services.agreements import schedule
from mentormatch.services.agreements.meetings import (
    MEETING_MODES, MeetingInput, MeetingView, agreed_topics, log_meeting, meetings_for, save_private_note,
)
from mentormatch.services.agreements.schedule import (
    ProposalInput, Schedule, ScheduledView, cancel_meeting, confirm_meeting, log_as_held, propose_meeting,
    propose_new_time, schedule_of, scheduled_meeting, starts_at_from, upcoming_for,
)
from mentormatch.services.agreements.terms import (
    Change, TermsInput, confirm_terms, default_terms, history, propose_terms, topic_choices, topic_label,
)

__all__ = [
    "END_REASONS", "GOAL_STATUSES", "MEETING_MODES", "ActivityRecord", "AgreementError", "Cadence", "Change",
    "MeetingInput", "MeetingView", "PairSummary", "ProposalInput", "Schedule", "ScheduledView", "TermsInput",
    "activity_record", "add_goal", "agreed_topics", "agreement_for", "cadence_for", "cadence_of", "calendar_for",
    "cancel_meeting", "confirm_meeting", "confirm_terms", "default_terms", "end_agreement", "feedback_of",
    "history", "leave_feedback", "log_as_held", "log_meeting", "meetings_for", "other_party", "pairs_of",
    "propose_meeting", "propose_new_time", "propose_terms", "save_private_note", "schedule", "schedule_of",
    "scheduled_meeting", "set_goal_status", "starts_at_from", "today", "topic_choices", "topic_label",
    "upcoming_for",
]
