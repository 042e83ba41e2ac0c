"""The kinds of reminder, in the order the preferences page and the digest list them."""

from __future__ import annotations

from typing import Final

MEETING_SOON = "meeting_soon"
MEETING_DUE = "meeting_due"
ANSWER_WAITING = "answer_waiting"
TERMS_WAITING = "terms_waiting"
GOAL_NEAR = "goal_near"
CREDENTIAL_EXPIRING = "credential_expiring"
SURVEY = "survey"

# code -> what the preferences page and the unsubscribe page call it
KINDS: Final[dict[str, str]] = {
    MEETING_SOON: "A meeting coming up (the day before)",
    MEETING_DUE: "A meeting due or overdue by your agreed frequency",
    ANSWER_WAITING: "A request or proposal waiting for your answer (after 3 and 10 days)",
    TERMS_WAITING: "Agreement terms waiting for your confirmation (after 3 and 10 days)",
    GOAL_NEAR: "A goal whose target date is a week away",
    CREDENTIAL_EXPIRING: "A credential or licence expiring (90 and 30 days before)",
    SURVEY: "A program survey to answer",
}


def label(kind: str) -> str:
    return KINDS.get(kind, kind)
