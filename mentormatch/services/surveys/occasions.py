"""When an agreement's surveys open, and which ones each person owes (``due``).

Occasions of an agreement. Its *start* is the start date of its first
confirmed terms (the confirmed ``AgreementVersion`` with the lowest number);
an agreement that never had confirmed terms opens no survey. "Today" is the
UTC date of ``now``, the same day for both of the pair.

- ``kickoff``: open from the start day while the agreement is active; it
  closes when the agreement ends.
- ``pulse-30``, ``pulse-90``, ``pulse-150``, ...: pulse-N opens on day N
  after the start (day 30, then every 60 days) while the agreement is active.
  Only the latest opened pulse is open: an unanswered older one closes when
  the next one opens, and all close when the agreement ends.
- ``closing``: opens when the agreement has ended (``ended_at``) and stays
  open for ``CLOSING_OPEN_DAYS`` days.

An open occasion is *due* for a person when the program has at least one
question (not retired) for its stage, the person is the mentee or the mentor
of the agreement's match with an active account, and they have not answered
it. ``due(now)`` lists every one in three queries, whatever the number of
agreements; the reminder engine sends one reminder per item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased

from mentormatch.extensions import db
from mentormatch.zones import as_utc
from mentormatch.models import (
    Agreement, AgreementStatus, AgreementVersion, Match, SurveyQuestion, SurveyResponse, User, VersionStatus,
)
from mentormatch.models.survey import MIN_RESPONDENTS, STAGES

PULSE_FIRST_DAY, PULSE_EVERY_DAYS = 30, 60
CLOSING_OPEN_DAYS = 30
MAX_TEXT = 2000
MAX_QUESTION = 300
MAX_QUESTIONS = 30  # per stage: a survey stays a minute or two
STAGE_LABELS = {"kickoff": "Kick-off", "pulse": "Pulse", "closing": "Closing"}
KIND_LABELS = {"scale": "Scale 1–5", "yes_no": "Yes / no", "text": "Free text"}
HIDDEN = f"fewer than {MIN_RESPONDENTS} answers: hidden"
NAMED_ON, NAMED_OFF = "Survey answers: coordinators see who answered what", "Survey answers: totals of 5 or more only"
_OCCASION = re.compile(r"^(kickoff|closing|pulse-([1-9][0-9]{1,3}))$")


class SurveyError(ValueError):
    """The survey action is not allowed; the message says why (``question_id`` names a question at fault)."""

    def __init__(self, message: str, question_id: int | None = None) -> None:
        super().__init__(message)
        self.question_id = question_id


@dataclass(frozen=True)
class DueSurvey:
    """An open occasion one person has not answered yet."""

    user_id: int
    program_id: int
    agreement_id: int
    stage: str
    occasion: str
    path: str  # the participant's page
    title: str  # "Your 30-day pulse survey for the mentorship with Grace Ho"


# Occasions: pure rules on plain values.

def stage_of(occasion: str) -> str | None:
    """The stage of an occasion name ("kickoff", "pulse-90", "closing"), or None if it names none."""
    found = _OCCASION.match(occasion or "")
    if found is None:
        return None
    if found.group(2) is None:
        return found.group(1)
    day = int(found.group(2))
    return "pulse" if day >= PULSE_FIRST_DAY and (day - PULSE_FIRST_DAY) % PULSE_EVERY_DAYS == 0 else None


def occasion_label(occasion: str) -> str:
    """'kick-off', '90-day pulse' or 'closing'."""
    if occasion.startswith("pulse-"):
        return f"{occasion.removeprefix('pulse-')}-day pulse"
    return "kick-off" if occasion == "kickoff" else occasion


def open_occasions(start: date | None, status: str, ended_at: datetime | None, now: datetime) -> list[str]:
    """The occasions open at ``now`` for an agreement with this start, status and end (see the module)."""
    if start is None:
        return []
    now = as_utc(now)
    if status == AgreementStatus.ACTIVE:
        days = (now.date() - start).days
        if days < 0:
            return []
        if days < PULSE_FIRST_DAY:
            return ["kickoff"]
        latest = PULSE_FIRST_DAY + (days - PULSE_FIRST_DAY) // PULSE_EVERY_DAYS * PULSE_EVERY_DAYS
        return ["kickoff", f"pulse-{latest}"]
    if status == AgreementStatus.ENDED and ended_at is not None:
        return ["closing"] if now < as_utc(ended_at) + timedelta(days=CLOSING_OPEN_DAYS) else []
    return []


def start_of(agreement: Agreement) -> date | None:
    """The start date of the agreement's first confirmed terms."""
    confirmed = [v for v in agreement.versions if v.status == VersionStatus.CONFIRMED]
    return min(confirmed, key=lambda v: v.number).start_date if confirmed else None


def is_open(agreement: Agreement, occasion: str, now: datetime) -> bool:
    """Whether ``occasion`` of ``agreement`` takes answers at ``now``."""
    return occasion in open_occasions(start_of(agreement), agreement.status, agreement.ended_at, now)


def title_for(occasion: str, other_name: str) -> str:
    return f"Your {occasion_label(occasion)} survey for the mentorship with {other_name}"


def path_for(agreement_id: int, occasion: str) -> str:
    return f"/surveys/{agreement_id}/{occasion}"


# What is due.

def _first_start():
    """Each agreement's first confirmed terms, as (agreement_id, start_date) rows to join."""
    first = (db.select(AgreementVersion.agreement_id, func.min(AgreementVersion.number).label("number"))
             .where(AgreementVersion.status == VersionStatus.CONFIRMED)
             .group_by(AgreementVersion.agreement_id).subquery())
    return (db.select(AgreementVersion.agreement_id, AgreementVersion.start_date)
            .join(first, and_(first.c.agreement_id == AgreementVersion.agreement_id,
                              first.c.number == AgreementVersion.number)).subquery())


def _due(now: datetime, user_id: int | None = None) -> list[DueSurvey]:
    now = as_utc(now)
    asked = {(program_id, stage) for program_id, stage in db.session.execute(
        db.select(SurveyQuestion.program_id, SurveyQuestion.stage).where(SurveyQuestion.retired_at.is_(None))
        .distinct())}
    if not asked:
        return []
    start = _first_start()
    mentee, mentor = aliased(User), aliased(User)
    closing_from = now - timedelta(days=CLOSING_OPEN_DAYS)
    candidates = (db.select(Agreement.id).join(Match, Match.id == Agreement.match_id)
                  .where(Match.program_id.in_(sorted({p for p, _ in asked})),
                         or_(Agreement.status == AgreementStatus.ACTIVE,
                             and_(Agreement.status == AgreementStatus.ENDED, Agreement.ended_at > closing_from))))
    if user_id is not None:
        candidates = candidates.where(or_(Match.mentee_id == user_id, Match.mentor_id == user_id))
    rows = db.session.execute(
        db.select(Agreement.id, Agreement.status, Agreement.ended_at, Match.program_id, start.c.start_date,
                  mentee.id.label("mentee_id"), mentee.name.label("mentee_name"),
                  and_(mentee.active, mentee.deleted_at.is_(None)).label("mentee_active"),
                  mentor.id.label("mentor_id"), mentor.name.label("mentor_name"),
                  and_(mentor.active, mentor.deleted_at.is_(None)).label("mentor_active"))
        .join(Match, Match.id == Agreement.match_id)
        .join(start, start.c.agreement_id == Agreement.id)
        .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
        .where(Agreement.id.in_(candidates))
        .order_by(Agreement.id)).all()
    answered = set(db.session.execute(
        db.select(SurveyResponse.user_id, SurveyResponse.agreement_id, SurveyResponse.occasion)
        .where(SurveyResponse.agreement_id.in_(candidates))).all())
    found = []
    for row in rows:
        for occasion in open_occasions(row.start_date, row.status, row.ended_at, now):
            stage = stage_of(occasion)
            if (row.program_id, stage) not in asked:
                continue
            for me, active, other in ((row.mentee_id, row.mentee_active, row.mentor_name),
                                      (row.mentor_id, row.mentor_active, row.mentee_name)):
                if active and (user_id is None or me == user_id) and (me, row.id, occasion) not in answered:
                    found.append(DueSurvey(me, row.program_id, row.id, stage, occasion, path_for(row.id, occasion),
                                           title_for(occasion, other)))
    return sorted(found, key=lambda s: (s.user_id, s.agreement_id, STAGES.index(s.stage), s.occasion))


def due(now: datetime) -> list[DueSurvey]:
    """Every open, unanswered occasion of every person at ``now``, in three queries (see the module)."""
    return _due(now)


def due_for(user: User, now: datetime) -> list[DueSurvey]:
    """The open surveys ``user`` has not answered yet."""
    return _due(now, user.id)
