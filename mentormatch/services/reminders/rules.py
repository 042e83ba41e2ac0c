"""What is due to be reminded at one moment: a pure read of the database, no writes.

Each rule gives ``Due`` items carrying their idempotency key (person, kind,
subject, period); ``services.reminders.raising`` writes each once. The rules:

- meeting_soon: a proposed or confirmed scheduled meeting starting in the
  next 24 hours, to both of the pair (period "24h");
- meeting_due: an active agreement's next meeting by its agreed frequency
  (``agreements.cadence``): once when it is due soon (period "due:<date>")
  and once when it is overdue ("overdue:<date>"), in the recipient's own day;
  logging a meeting moves the due date and so opens new periods;
- answer_waiting: a pending match waiting for this person's answer, 3 days
  after it was made ("3d") and 10 days after ("10d");
- terms_waiting: proposed agreement terms waiting for the other side's
  confirmation, 3 and 10 days after they were proposed;
- goal_near: an open goal (not achieved or dropped) of an active agreement
  whose target date is 7 days or less away (and not past), to both;
- credential_expiring: a credential or licence of an active account expiring
  in 90 days or less ("90d") and in 30 days or less ("30d");
- survey: an open survey occasion the person has not answered
  (``services.surveys.due``), once per occasion.

Only active accounts are reminded. Every rule reads in one query, whatever
the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased

from mentormatch import zones
from mentormatch.extensions import db
from mentormatch.plain_text import count_of
from mentormatch.models import (
    PENDING, Agreement, AgreementGoal, AgreementStatus, AgreementVersion, CredentialRecord, GoalStatus, Match,
    MatchStatus, Meeting, Profile, ScheduledMeeting, User, VersionStatus,
)
from mentormatch.services import surveys
from mentormatch.services.agreements.cadence import DUE_SOON, OVERDUE, cadence_of
from mentormatch.services.credentials import label as credential_label
from mentormatch.services.reminders import kinds

WAITING_DAYS = (10, 3)  # answer_waiting and terms_waiting: the later mark first
EXPIRY_DAYS = (30, 90)  # credential_expiring: the nearer mark first
GOAL_DAYS = 7


@dataclass(frozen=True)
class Due:
    user_id: int
    program_id: int | None
    kind: str
    subject: str
    period: str
    text: str
    path: str | None

    @property
    def key(self) -> tuple[int, str, str, str]:
        return self.user_id, self.kind, self.subject, self.period


class People:
    """Names and time zones of the people the rules mention, read in one query."""

    def __init__(self, ids: set[int]) -> None:
        rows = db.session.execute(db.select(User.id, User.name, User.active, User.deleted_at, Profile.time_zone)
                                  .outerjoin(Profile, Profile.user_id == User.id)
                                  .where(User.id.in_(ids))) if ids else []
        self._rows = {row.id: row for row in rows}

    def active(self, user_id: int | None) -> bool:
        row = self._rows.get(user_id)
        return row is not None and row.active and row.deleted_at is None

    def name(self, user_id: int | None) -> str:
        row = self._rows.get(user_id)
        return row.name if row else "your partner"

    def zone(self, user_id: int):
        row = self._rows.get(user_id)
        return zones.zone_named(row.time_zone if row else None)

    def today(self, user_id: int, now: datetime) -> date:
        return zones.local_date(now, self.zone(user_id))


def _when(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {count_of(days, 'day')}"


def _age_mark(created: datetime, now: datetime) -> int | None:
    """10 or 3 once that many days have passed since ``created``; None before 3."""
    age = now - zones.in_zone(created, zones.UTC)
    return next((mark for mark in WAITING_DAYS if age >= timedelta(days=mark)), None)


def meetings_soon(now: datetime) -> list[Due]:
    rows = db.session.execute(
        db.select(ScheduledMeeting.id, ScheduledMeeting.agreement_id, ScheduledMeeting.starts_at, Match.program_id,
                  Match.mentee_id, Match.mentor_id)
        .join(Agreement, Agreement.id == ScheduledMeeting.agreement_id).join(Match, Match.id == Agreement.match_id)
        .where(ScheduledMeeting.status.in_(("proposed", "confirmed")), ScheduledMeeting.starts_at > now,
               ScheduledMeeting.starts_at <= now + timedelta(hours=24), Match.status == MatchStatus.ACTIVE)).all()
    people = People({r.mentee_id for r in rows} | {r.mentor_id for r in rows})
    due = []
    for row in rows:
        for me, other in ((row.mentee_id, row.mentor_id), (row.mentor_id, row.mentee_id)):
            if people.active(me):
                at = zones.written(row.starts_at, people.zone(me))
                due.append(Due(me, row.program_id, kinds.MEETING_SOON, f"meeting:{row.id}", "24h",
                               f"Your meeting with {people.name(other)} is on {at}.",
                               f"/agreements/{row.agreement_id}#schedule"))
    return due


def _active_pairs():
    """Active agreements with their current terms' frequency and start, and their last meeting."""
    terms = aliased(AgreementVersion)
    current = (db.select(func.max(AgreementVersion.number))
               .where(AgreementVersion.agreement_id == Agreement.id, AgreementVersion.status == VersionStatus.CONFIRMED)
               .scalar_subquery())
    last = db.select(func.max(Meeting.held_on)).where(Meeting.agreement_id == Agreement.id).scalar_subquery()
    return db.session.execute(
        db.select(Agreement.id, Match.program_id, Match.mentee_id, Match.mentor_id, terms.frequency,
                  terms.start_date, last.label("last_meeting"))
        .join(Match, Match.id == Agreement.match_id)
        .join(terms, and_(terms.agreement_id == Agreement.id, terms.number == current))
        .where(Agreement.status == AgreementStatus.ACTIVE, Match.status == MatchStatus.ACTIVE)).all()


def meetings_due(now: datetime) -> list[Due]:
    rows = _active_pairs()
    people = People({r.mentee_id for r in rows} | {r.mentor_id for r in rows})
    due = []
    for row in rows:
        for me, other in ((row.mentee_id, row.mentor_id), (row.mentor_id, row.mentee_id)):
            if not people.active(me):
                continue
            cadence = cadence_of(row.frequency, row.start_date, row.last_meeting, people.today(me, now))
            if cadence.state == OVERDUE:
                period, text = f"overdue:{cadence.due}", (
                    f"Your meeting with {people.name(other)} was due {count_of(-cadence.days_left, 'day')} ago, by the "
                    "frequency you agreed. Schedule one, or log it if you have met.")
            elif cadence.state == DUE_SOON:
                period, text = f"due:{cadence.due}", (
                    f"Your next meeting with {people.name(other)} is due {_when(cadence.days_left)} "
                    f"({zones.written(cadence.due, zones.UTC, 'date')}).")
            else:
                continue
            due.append(Due(me, row.program_id, kinds.MEETING_DUE, f"agreement:{row.id}", period, text,
                           f"/agreements/{row.id}#schedule"))
    return due


def answers_waiting(now: datetime) -> list[Due]:
    rows = db.session.execute(
        db.select(Match.id, Match.program_id, Match.mentee_id, Match.mentor_id, Match.status, Match.origin,
                  Match.created_at)
        .where(Match.status.in_(PENDING), Match.created_at <= now - timedelta(days=min(WAITING_DAYS)))).all()
    people = People({r.mentee_id for r in rows} | {r.mentor_id for r in rows})
    due = []
    for row in rows:
        mark = _age_mark(row.created_at, now)
        waiting = {MatchStatus.PROPOSED: (row.mentee_id, row.mentor_id),
                   MatchStatus.ACCEPTED_BY_MENTEE: (row.mentor_id,),
                   MatchStatus.ACCEPTED_BY_MENTOR: (row.mentee_id,)}[MatchStatus(row.status)]
        for me in waiting:
            if mark is None or not people.active(me):
                continue
            other = row.mentor_id if me == row.mentee_id else row.mentee_id
            what = (f"{people.name(other)} asked you to be their mentor" if row.origin == "request"
                    else f"Your proposed match with {people.name(other)}")
            due.append(Due(me, row.program_id, kinds.ANSWER_WAITING, f"match:{row.id}", f"{mark}d",
                           f"{what} has waited {count_of(mark, 'day')} for your answer.", f"/matches/{row.id}"))
    return due


def terms_waiting(now: datetime) -> list[Due]:
    rows = db.session.execute(
        db.select(AgreementVersion.id, AgreementVersion.agreement_id, AgreementVersion.proposed_by_id,
                  AgreementVersion.created_at, Match.program_id, Match.mentee_id, Match.mentor_id)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id).join(Match, Match.id == Agreement.match_id)
        .where(AgreementVersion.status == VersionStatus.PENDING, Agreement.status != AgreementStatus.ENDED,
               Match.status == MatchStatus.ACTIVE,
               AgreementVersion.created_at <= now - timedelta(days=min(WAITING_DAYS)))).all()
    people = People({r.mentee_id for r in rows} | {r.mentor_id for r in rows})
    due = []
    for row in rows:
        mark = _age_mark(row.created_at, now)
        for me, other in ((row.mentee_id, row.mentor_id), (row.mentor_id, row.mentee_id)):
            if mark is None or me == row.proposed_by_id or not people.active(me):
                continue
            due.append(Due(me, row.program_id, kinds.TERMS_WAITING, f"terms:{row.id}", f"{mark}d",
                           f"The agreement terms {people.name(other)} proposed have waited {count_of(mark, 'day')} "
                           "for your confirmation.", f"/agreements/{row.agreement_id}"))
    return due


def goals_near(now: datetime) -> list[Due]:
    soonest, latest = (now - timedelta(days=1)).date(), (now + timedelta(days=GOAL_DAYS + 1)).date()
    rows = db.session.execute(
        db.select(AgreementGoal.id, AgreementGoal.agreement_id, AgreementGoal.description,
                  AgreementGoal.target_date, Match.program_id, Match.mentee_id, Match.mentor_id)
        .join(Agreement, Agreement.id == AgreementGoal.agreement_id).join(Match, Match.id == Agreement.match_id)
        .where(AgreementGoal.status.in_((GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS)),
               AgreementGoal.target_date.between(soonest, latest), Agreement.status == AgreementStatus.ACTIVE,
               Match.status == MatchStatus.ACTIVE)).all()
    people = People({r.mentee_id for r in rows} | {r.mentor_id for r in rows})
    due = []
    for row in rows:
        for me in (row.mentee_id, row.mentor_id):
            left = (row.target_date - people.today(me, now)).days
            if 0 <= left <= GOAL_DAYS and people.active(me):
                due.append(Due(me, row.program_id, kinds.GOAL_NEAR, f"goal:{row.id}", f"{GOAL_DAYS}d",
                               f"The goal “{row.description}” is due {_when(left)}.",
                               f"/agreements/{row.agreement_id}#goals"))
    return due


def credentials_expiring(now: datetime) -> list[Due]:
    latest = (now + timedelta(days=max(EXPIRY_DAYS) + 1)).date()
    rows = db.session.execute(
        db.select(CredentialRecord.id, CredentialRecord.user_id, CredentialRecord.kind, CredentialRecord.code,
                  CredentialRecord.expires_on)
        .join(User, User.id == CredentialRecord.user_id)
        .where(User.active.is_(True), User.deleted_at.is_(None), CredentialRecord.expires_on.is_not(None),
               CredentialRecord.expires_on.between((now - timedelta(days=1)).date(), latest))).all()
    people = People({r.user_id for r in rows})
    due = []
    for row in rows:
        left = (row.expires_on - people.today(row.user_id, now)).days
        mark = next((days for days in EXPIRY_DAYS if 0 <= left <= days), None)
        if mark is None:
            continue
        what = "licence" if row.kind == "licence" else "credential"
        due.append(Due(row.user_id, None, kinds.CREDENTIAL_EXPIRING, f"credential:{row.id}", f"{mark}d",
                       f"Your {what} {credential_label(row.kind, row.code)} expires {_when(left)} "
                       f"({zones.written(row.expires_on, zones.UTC, 'date')}).", "/profile/credentials"))
    return due


def surveys_due(now: datetime) -> list[Due]:
    found = surveys.due(now)
    people = People({s.user_id for s in found})
    return [Due(s.user_id, s.program_id, kinds.SURVEY, f"survey:{s.agreement_id}:{s.occasion}", s.occasion,
                f"{s.title}: a few questions, a minute or two.", s.path)
            for s in found if people.active(s.user_id)]


RULES = (meetings_soon, meetings_due, answers_waiting, terms_waiting, goals_near, credentials_expiring,
         surveys_due)


def due(now: datetime) -> list[Due]:
    """Everything due to be reminded at ``now``, by every rule (some may have been sent already)."""
    return [item for rule in RULES for item in rule(now)]


