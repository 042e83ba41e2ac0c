"""Removing a deleted account's traces from what other people keep.

``services.account_deletion`` calls both functions inside its transaction.
Two kinds of trace:

- ``empty_what_they_wrote``: free text the person wrote on shared records:
  request messages, decline notes, shared meeting notes, the free-text
  topics and expectations of terms they proposed, end notes, feedback
  comments and their written survey answers (their 1–5 and yes/no answers
  stay in the program's totals, unnamed). It is emptied; the records stay, shown as by a "Former
  participant" (the account row is renamed);
- ``replace_name_and_email``: their name and email, baked into texts other
  people keep: notifications, reminders and emails, escalation reasons,
  goals, notes and flags others wrote, and the audit log. Each occurrence becomes "Former participant";
  review flags on them go, and so do emails addressed to them.

The audit log is append-only: on PostgreSQL its trigger (migration 0011)
lets an UPDATE through only while ``mentormatch.erasing_user`` names an
account already marked deleted, and only if the new row is exactly the old
one with that account's email and name replaced (and flag reasons about it
removed). ``_scrub_audit_log`` makes exactly that change.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, cast, or_

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementFeedback, AgreementGoal, AgreementVersion, AuditEntry, Escalation, Match, Meeting,
    Notification, OutboxEmail, Reminder, ReviewFlag, SurveyAnswer, SurveyResponse, User,
)

FORMER_PARTICIPANT = "Former participant"
REMOVED_REASON = "Removed when the account was deleted"
FLAG_ACTIONS = ("flagged", "flag_cleared")
FREE_TOPIC = "text:"


def _ids_of_their_matches(user: User):
    match_ids = db.select(Match.id).where(or_(Match.mentee_id == user.id, Match.mentor_id == user.id))
    return match_ids, db.select(Agreement.id).where(Agreement.match_id.in_(match_ids))


def replace_name_and_email(user: User) -> None:
    """Replace ``user``'s name and email everywhere others keep them by FORMER_PARTICIPANT.

    Call it after ``user.deleted_at`` is set (the audit trigger checks it)
    and before the name and email are replaced on the account itself.
    """
    needles = [n for n in (user.email, user.name) if n]  # email first: it may contain the name
    match_ids, agreement_ids = _ids_of_their_matches(user)
    db.session.execute(db.delete(ReviewFlag).where(ReviewFlag.user_id == user.id))
    db.session.execute(db.delete(OutboxEmail).where(OutboxEmail.recipient == user.email))
    db.session.execute(db.delete(Reminder).where(Reminder.user_id == user.id))
    for column, scope in (
        (Notification.text, None),
        (Reminder.text, None),
        (Escalation.reason, None),
        (OutboxEmail.subject, None),
        (OutboxEmail.body, None),
        (ReviewFlag.reason, None),
        (Match.message, Match.id.in_(match_ids)),
        (Match.decline_note, Match.id.in_(match_ids)),
        (Agreement.end_note, Agreement.id.in_(agreement_ids)),
        (AgreementVersion.expectations, AgreementVersion.agreement_id.in_(agreement_ids)),
        (AgreementGoal.description, AgreementGoal.agreement_id.in_(agreement_ids)),
        (Meeting.shared_notes, Meeting.agreement_id.in_(agreement_ids)),
        (AgreementFeedback.comment, AgreementFeedback.agreement_id.in_(agreement_ids)),
    ):
        _replace_in(column, needles, scope)
    for model in (AgreementVersion, Meeting):
        for row in db.session.scalars(db.select(model).where(model.agreement_id.in_(agreement_ids))):
            if (topics := scrubbed(row.topics, needles)) != row.topics:
                row.topics = topics
    _scrub_audit_log(user, needles)


def empty_what_they_wrote(user: User) -> None:
    """Empty the free text ``user`` wrote on records the other party keeps."""
    _, agreement_ids = _ids_of_their_matches(user)
    db.session.execute(db.update(Match).where(Match.mentee_id == user.id).values(message=""))
    db.session.execute(db.update(Match).where(Match.closed_by_id == user.id).values(decline_note=""))
    db.session.execute(db.update(Agreement).where(Agreement.ended_by_id == user.id).values(end_note=""))
    db.session.execute(db.update(AgreementFeedback).where(AgreementFeedback.author_id == user.id).values(comment=""))
    db.session.execute(db.update(Meeting).where(Meeting.logged_by_id == user.id).values(shared_notes=""))
    their_responses = db.select(SurveyResponse.id).where(SurveyResponse.user_id == user.id)
    db.session.execute(db.delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(their_responses),
                                                     SurveyAnswer.text.is_not(None)))
    versions = db.session.scalars(db.select(AgreementVersion).where(AgreementVersion.agreement_id.in_(agreement_ids))
                                  ).all()
    theirs = {t for v in versions if v.proposed_by_id == user.id for t in v.topics if t.startswith(FREE_TOPIC)}
    others = {t for v in versions if v.proposed_by_id != user.id for t in v.topics if t.startswith(FREE_TOPIC)}
    written = theirs - others  # a topic the other side proposed too is theirs as much
    for version in versions:
        if version.proposed_by_id == user.id:
            version.expectations = ""
        if written & set(version.topics):
            version.topics = [t for t in version.topics if t not in written]
    if written:
        for meeting in db.session.scalars(db.select(Meeting).where(Meeting.agreement_id.in_(agreement_ids))):
            if written & set(meeting.topics):
                meeting.topics = [t for t in meeting.topics if t not in written]


def _replace_in(column, needles: list[str], scope) -> None:
    """UPDATE the column's rows that contain a needle, replacing each needle (in order) by FORMER_PARTICIPANT."""
    value = column
    for needle in needles:
        value = db.func.replace(value, needle, FORMER_PARTICIPANT)
    if length := getattr(column.type, "length", None):  # "Former participant" may be longer than a short name
        value = db.func.substr(value, 1, length)
    found = or_(*(column.contains(n, autoescape=True) for n in needles))
    statement = db.update(column.class_).where(found).values({column.key: value})
    if scope is not None:
        statement = statement.where(scope)
    db.session.execute(statement.execution_options(synchronize_session=False))


def scrubbed(value: Any, needles: list[str]) -> Any:
    """``value`` (text or decoded JSON) with each needle replaced, in order, in every string and key."""
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, FORMER_PARTICIPANT)
        return value
    if isinstance(value, list):
        return [scrubbed(v, needles) for v in value]
    if isinstance(value, dict):
        return {scrubbed(k, needles): scrubbed(v, needles) for k, v in value.items()}
    return value


def _without_flag_reason(entry: AuditEntry, user: User, values: dict) -> dict:
    """A flag entry about ``user`` keeps that a flag was set or cleared, not why."""
    if entry.target_type == "user" and entry.target_id == user.id and entry.action in FLAG_ACTIONS \
            and "reason" in values:
        return {**values, "reason": REMOVED_REASON}
    return values


def _scrub_audit_log(user: User, needles: list[str]) -> None:
    """Replace ``user``'s email and name in the entries that hold them; the trigger checks it is only that."""
    db.session.flush()  # the trigger reads users.deleted_at
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT set_config('mentormatch.erasing_user', :id, true)"),
                           {"id": str(user.id)})
    # JSON columns hold non-ASCII as \u escapes: look for the escaped form too.
    patterns = {p for n in needles for p in (n, json.dumps(n)[1:-1])}
    holds = [c.contains(p, autoescape=True) for p in patterns
             for c in (AuditEntry.actor_name, AuditEntry.summary, cast(AuditEntry.before, Text),
                       cast(AuditEntry.after, Text))]
    about = (AuditEntry.target_type == "user") & (AuditEntry.target_id == user.id)
    for entry in db.session.scalars(db.select(AuditEntry).where(or_(about, *holds))):
        # Cut to the column's length, as the trigger does ("Former participant" may be longer than the name).
        actor_name = scrubbed(entry.actor_name, needles)[:AuditEntry.actor_name.type.length]
        summary = scrubbed(entry.summary, needles)[:AuditEntry.summary.type.length]
        before = scrubbed(_without_flag_reason(entry, user, entry.before), needles)
        after = scrubbed(_without_flag_reason(entry, user, entry.after), needles)
        if (actor_name, summary, before, after) != (entry.actor_name, entry.summary, entry.before, entry.after):
            entry.actor_name, entry.summary, entry.before, entry.after = actor_name, summary, before, after
    db.session.flush()
