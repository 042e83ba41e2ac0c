"""Database models: data and its invariants, no workflows."""

from mentormatch.models.agreement import Agreement, AgreementStatus, AgreementVersion, VersionStatus
from mentormatch.models.agreement_goal import AgreementFeedback, AgreementGoal, GoalStatus
from mentormatch.models.audit import AuditEntry, ReviewFlag
from mentormatch.models.automation import Escalation, Reminder, ReminderOptOut
from mentormatch.models.career import CeCertificate, CePolicy, CredentialRecord, ExamPlan
from mentormatch.models.identity import ScimToken, UserIdentity
from mentormatch.models.match import (
    PENDING, Match, MatchingRound, MatchOrigin, MatchStatus, Notification, RoundStatus,
)
from mentormatch.models.match import StoredPreview as StoredPreview
from mentormatch.models.meeting import Meeting, PrivateNote, ScheduledMeeting
from mentormatch.models.message import Message, MessageCursor
from mentormatch.models.outbox import OutboxEmail
from mentormatch.models.profile import Profile, ProfileTag, TagKind
from mentormatch.models.program import (
    Enrolment, Membership, MembershipStatus, MembershipTag, Program, ProgramCoordinator, ProgramRole,
)
from mentormatch.models.survey import SurveyAnswer, SurveyQuestion, SurveyResponse
from mentormatch.models.user import User
from mentormatch.models.user_session import UserSession

__all__ = [
    "PENDING", "Agreement", "CeCertificate", "CePolicy", "CredentialRecord", "ExamPlan", "AgreementFeedback", "AgreementGoal", "AgreementStatus", "AgreementVersion", "AuditEntry",
    "GoalStatus", "Match", "MatchOrigin", "MatchStatus", "MatchingRound", "Meeting", "Message", "MessageCursor", "Notification", "OutboxEmail",
    "Enrolment", "Membership", "MembershipStatus", "MembershipTag", "PrivateNote", "Profile", "ProfileTag", "Program",
    "ProgramCoordinator", "ProgramRole", "ReviewFlag", "RoundStatus", "ScheduledMeeting", "ScimToken", "TagKind", "User",
    "UserIdentity", "UserSession", "Escalation", "Reminder", "ReminderOptOut", "SurveyAnswer", "SurveyQuestion",
    "SurveyResponse",
    "VersionStatus",
]
