"""A program's outcome report: what the program achieved, as a page, a CSV file and a monthly email.

Every figure counts one program's raw rows, in a fixed number of queries
(about ten), whatever the program's size. The definitions:

- Enrolment: memberships by side (mentee, mentor) and status (active, paused,
  left; applications are not members yet), whatever became of the account
  since; and new enrolments per calendar month (UTC) of ``Membership.created_at``,
  counting every membership but applications.
- Matched share: of the mentees ever enrolled (membership status not
  "applied"), the share with at least one match in the program that reached
  active (a match now active, or ended with an agreement, so it was active
  once). Time to match: the median of the days from the membership's
  ``created_at`` to the first such match's ``decided_at`` (its ``created_at``
  when no decision time was kept); a match dated before the membership
  counts 0 days.
- Meeting adherence: for each agreement with confirmed terms (the latest
  confirmed version) whose agreed start has come, meetings expected =
  days from the start to the counting day (today, the agreed end date, or
  the day the agreement ended, whichever is first) // FREQUENCY_DAYS of its
  frequency, at least 1; meetings logged = every meeting logged on it. The
  overall share is sum(min(logged, expected)) / sum(expected), so one pair
  meeting more does not make up for another that does not; each pair's own
  share (logged / expected) is counted in ADHERENCE_BANDS, and "on pace"
  pairs are those at ON_PACE (80%) or more.
- Retention: ended agreements, completed (the rule CE certificates use,
  ``certificates.issuing.is_completed``: ended with "goals achieved", or on or
  after the agreed end date) or ended early (every other ending); and
  agreements still running (draft or active).
- Goals reached: agreement goals with status "achieved" of all the pairs'
  goals; exam plans reached (``console.outcomes``).
- Credentials earned: ``console.outcomes``'s definition (a credential earned
  between the start of the membership and today).
- Survey scores over time: per calendar month (UTC) of ``submitted_at``, the
  mean of every answer to a "scale" question (1..5) and how many distinct
  people gave them; a month with fewer than ``MIN_RESPONDENTS`` people is
  hidden (no mean shown).

The monthly email (``send_monthly_reports``) goes to each coordinator of each
program once a month: from the 1st of their month (in their time zone), at
the first run in their daytime, with the figures to date and last month's
enrolments and survey score.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping

from flask import current_app
from sqlalchemy import and_, case, func, literal_column, or_
from sqlalchemy.orm import selectinload

from mentormatch import zones
from mentormatch.domain import FREQUENCY_DAYS
from mentormatch.extensions import db
from mentormatch.zones import as_utc
from mentormatch.mail import Email
from mentormatch.models import (
    Agreement, AgreementGoal, GoalStatus, Match, MatchStatus, Meeting, Membership, MembershipStatus, OutboxEmail,
    Program, ProgramCoordinator, ProgramRole, User,
)
from mentormatch.models.survey import MIN_RESPONDENTS, SurveyAnswer, SurveyQuestion, SurveyResponse
from mentormatch.services import outbox
from mentormatch.services.certificates.issuing import is_completed
from mentormatch.services.console.exports import _csv, _safe
from mentormatch.services.console.outcomes import outcomes
from mentormatch.services.transactions import transaction

ROLES = (ProgramRole.MENTEE.value, ProgramRole.MENTOR.value)
STATUSES = (MembershipStatus.ACTIVE.value, MembershipStatus.PAUSED.value, MembershipStatus.LEFT.value)
ON_PACE = 0.8
# (label, lowest share included): each pair falls in the last band whose lowest share it reaches.
ADHERENCE_BANDS = (("Under 50%", 0.0), ("50–79%", 0.5), ("80–99%", ON_PACE), ("100%+", 1.0))
PATH = "/coordinator/outcome-report"


@dataclass(frozen=True)
class SurveyMonth:
    month: str  # "2026-11"
    respondents: int  # distinct people who answered a scale question that month
    answers: int
    mean: float | None  # None when hidden

    @property
    def hidden(self) -> bool:
        """Fewer than MIN_RESPONDENTS people: the month's score is not shown."""
        return self.respondents < MIN_RESPONDENTS


@dataclass(frozen=True)
class OutcomeReport:
    program_id: int
    program_name: str
    on: date  # the day the figures are counted to (UTC)
    members: Mapping[str, Mapping[str, int]]  # role -> status -> memberships
    enrolments: tuple[tuple[str, int, int], ...]  # month, new mentees, new mentors (every month since the first)
    mentees_enrolled: int
    mentees_matched: int
    median_days_to_match: float | None
    pairs_with_terms: int  # agreements with confirmed terms whose start has come
    meetings_logged: int
    meetings_expected: int
    meetings_counted: int  # sum of min(logged, expected) per pair
    pairs_on_pace: int  # pairs at ON_PACE or more of their expected meetings
    adherence_bands: tuple[tuple[str, int], ...]
    completed: int
    ended_early: int
    still_active: int
    goals: int
    goals_achieved: int
    exam_plans: int
    exam_plans_reached: int
    credentials_earned: int
    survey: tuple[SurveyMonth, ...] = field(default_factory=tuple)

    @property
    def matched_share(self) -> float | None:
        """Mentees matched of those ever enrolled (None before anyone enrolled)."""
        return self.mentees_matched / self.mentees_enrolled if self.mentees_enrolled else None

    @property
    def adherence(self) -> float | None:
        """Meetings logged (at most those expected, per pair) of those expected."""
        return self.meetings_counted / self.meetings_expected if self.meetings_expected else None

    @property
    def on_pace_share(self) -> float | None:
        return self.pairs_on_pace / self.pairs_with_terms if self.pairs_with_terms else None

    @property
    def goals_share(self) -> float | None:
        return self.goals_achieved / self.goals if self.goals else None

    @property
    def is_empty(self) -> bool:
        """Nobody has enrolled yet: a new program."""
        return not any(n for statuses in self.members.values() for n in statuses.values())

    def enrolled_in(self, month: str) -> tuple[int, int]:
        """New mentees and mentors in ``month`` ("2026-11")."""
        return next(((mentees, mentors) for m, mentees, mentors in self.enrolments if m == month), (0, 0))

    def survey_in(self, month: str) -> SurveyMonth | None:
        """The survey figures of ``month`` ("2026-11"), None when nobody answered then."""
        return next((s for s in self.survey if s.month == month), None)


def _month(column):
    """SQL for the UTC calendar month of a timestamp column, as "YYYY-MM"."""
    # Literal formats, not bound parameters: PostgreSQL must see the GROUP BY expression equal the selected one.
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def _months(first: str, last: str) -> list[str]:
    found, month = [], first
    while month <= last:
        found.append(month)
        month = _next_month(month)
    return found


def _day(moment: datetime) -> date:
    return as_utc(moment).date()


def _members(program: Program) -> tuple[dict, tuple]:
    counts = {role: dict.fromkeys(STATUSES, 0) for role in ROLES}
    for role, status, n in db.session.execute(
            db.select(Membership.role, Membership.status, func.count())
            .where(Membership.program_id == program.id).group_by(Membership.role, Membership.status)):
        if role in counts and status in counts[role]:
            counts[role][status] = n
    month = _month(Membership.created_at)
    per_month: dict[str, dict[str, int]] = {}
    for when, role, n in db.session.execute(
            db.select(month, Membership.role, func.count())
            .where(Membership.program_id == program.id, Membership.status != MembershipStatus.APPLIED)
            .group_by(month, Membership.role)):
        per_month.setdefault(when, {})[role] = n
    return counts, per_month


def _time_to_match(program: Program) -> tuple[int, int, float | None]:
    """Mentees ever enrolled, those whose match reached active, and the median days it took."""
    reached = func.min(func.coalesce(Match.decided_at, Match.created_at)).label("reached")
    first = (db.select(Match.mentee_id, reached)
             .outerjoin(Agreement, Agreement.match_id == Match.id)
             .where(Match.program_id == program.id,
                    or_(Match.status == MatchStatus.ACTIVE,
                        and_(Match.status == MatchStatus.ENDED, Agreement.id.is_not(None))))
             .group_by(Match.mentee_id).subquery())
    rows = db.session.execute(
        db.select(Membership.created_at, first.c.reached)
        .outerjoin(first, first.c.mentee_id == Membership.user_id)
        .where(Membership.program_id == program.id, Membership.role == ProgramRole.MENTEE,
               Membership.status != MembershipStatus.APPLIED)).all()
    days = [max(0.0, (as_utc(at) - as_utc(joined)).total_seconds() / 86400) for joined, at in rows if at is not None]
    return len(rows), len(days), statistics.median(days) if days else None


def expected_meetings(frequency: str, start: date, end: date, ended_on: date | None, on: date) -> int | None:
    """Meetings a pair's terms call for by ``on``; None while the agreed start is still ahead."""
    if start > on:
        return None
    stop = min(day for day in (on, end, ended_on) if day is not None)
    return max(1, (stop - start).days // FREQUENCY_DAYS[frequency])


def _agreements(program: Program, on: date) -> dict:
    agreements = db.session.scalars(
        db.select(Agreement).join(Match, Match.id == Agreement.match_id).where(Match.program_id == program.id)
        .options(selectinload(Agreement.versions))).all()
    logged = dict(db.session.execute(
        db.select(Meeting.agreement_id, func.count()).join(Agreement, Agreement.id == Meeting.agreement_id)
        .join(Match, Match.id == Agreement.match_id).where(Match.program_id == program.id)
        .group_by(Meeting.agreement_id)).all())
    found = dict(pairs=0, logged=0, expected=0, counted=0, on_pace=0, completed=0, ended_early=0, active=0)
    bands = [0] * len(ADHERENCE_BANDS)
    for agreement in agreements:
        if agreement.is_ended:
            found["completed" if is_completed(agreement) else "ended_early"] += 1
        else:
            found["active"] += 1
        terms = agreement.current_terms
        if terms is None:
            continue
        ended_on = _day(agreement.ended_at) if agreement.is_ended and agreement.ended_at else None
        expected = expected_meetings(terms.frequency, terms.start_date, terms.end_date, ended_on, on)
        if expected is None:
            continue
        held = logged.get(agreement.id, 0)
        share = held / expected
        found["pairs"] += 1
        found["logged"] += held
        found["expected"] += expected
        found["counted"] += min(held, expected)
        found["on_pace"] += share >= ON_PACE
        bands[max(i for i, (_, lowest) in enumerate(ADHERENCE_BANDS) if share >= lowest)] += 1
    found["bands"] = tuple((label, n) for (label, _), n in zip(ADHERENCE_BANDS, bands))
    return found


def _goals(program: Program) -> tuple[int, int]:
    total, achieved = db.session.execute(
        db.select(func.count(AgreementGoal.id),
                  func.coalesce(func.sum(case((AgreementGoal.status == GoalStatus.ACHIEVED, 1), else_=0)), 0))
        .join(Agreement, Agreement.id == AgreementGoal.agreement_id).join(Match, Match.id == Agreement.match_id)
        .where(Match.program_id == program.id)).one()
    return int(total), int(achieved)


def _survey(program: Program) -> tuple[SurveyMonth, ...]:
    month = _month(SurveyResponse.submitted_at)
    rows = db.session.execute(
        db.select(month, func.count(func.distinct(SurveyResponse.user_id)), func.count(SurveyAnswer.scale),
                  func.avg(SurveyAnswer.scale))
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyResponse.program_id == program.id, SurveyQuestion.kind == "scale",
               SurveyAnswer.scale.is_not(None))
        .group_by(month).order_by(month)).all()
    return tuple(SurveyMonth(when, people, answers, float(mean) if people >= MIN_RESPONDENTS else None)
                 for when, people, answers, mean in rows)


def report(program: Program, now: datetime) -> OutcomeReport:
    """``program``'s outcome figures counted to ``now`` (about ten queries, whatever its size)."""
    on = _day(now)
    members, per_month = _members(program)
    enrolled, matched, median = _time_to_match(program)
    pairs = _agreements(program, on)
    goals, achieved = _goals(program)
    career = outcomes(program, on)
    months = _months(min(per_month), max(max(per_month), f"{on:%Y-%m}")) if per_month else []
    return OutcomeReport(
        program_id=program.id, program_name=program.name, on=on, members=members,
        enrolments=tuple((m, per_month.get(m, {}).get(ProgramRole.MENTEE, 0),
                          per_month.get(m, {}).get(ProgramRole.MENTOR, 0)) for m in months),
        mentees_enrolled=enrolled, mentees_matched=matched, median_days_to_match=median,
        pairs_with_terms=pairs["pairs"], meetings_logged=pairs["logged"], meetings_expected=pairs["expected"],
        meetings_counted=pairs["counted"], pairs_on_pace=pairs["on_pace"], adherence_bands=pairs["bands"],
        completed=pairs["completed"], ended_early=pairs["ended_early"], still_active=pairs["active"],
        goals=goals, goals_achieved=achieved, exam_plans=career.goals, exam_plans_reached=career.goals_reached,
        credentials_earned=career.earned, survey=_survey(program))


# --- the figures written out -------------------------------------------------------------------

def percent(share: float | None) -> str:
    """0.825 -> "82.5%"; "n/a" when there is nothing to divide."""
    return "n/a" if share is None else f"{share * 100:.1f}%"


def days_text(days: float | None) -> str:
    """5.125 -> "5.1"; "n/a" when nobody was matched."""
    return "n/a" if days is None else f"{days:.1f}"


def figures(report: OutcomeReport) -> list[tuple[str, str]]:
    """The report's headline figures as (label, value) lines: the CSV's and the page's summary."""
    lines = [(f"{role.title()}s {status}", str(report.members[role][status])) for role in ROLES for status in STATUSES]
    lines += [
        ("Mentees ever enrolled", str(report.mentees_enrolled)),
        ("Mentees matched", str(report.mentees_matched)),
        ("Matched share", percent(report.matched_share)),
        ("Median days to match", days_text(report.median_days_to_match)),
        ("Pairs with agreed terms", str(report.pairs_with_terms)),
        ("Meetings logged", str(report.meetings_logged)),
        ("Meetings expected", str(report.meetings_expected)),
        ("Meeting adherence", percent(report.adherence)),
        (f"Pairs at {ON_PACE:.0%} of their meetings or more", str(report.pairs_on_pace)),
        ("Agreements completed", str(report.completed)),
        ("Agreements ended early", str(report.ended_early)),
        ("Agreements still running", str(report.still_active)),
        ("Goals achieved", str(report.goals_achieved)),
        ("Goals set", str(report.goals)),
        ("Exam plans reached", str(report.exam_plans_reached)),
        ("Exam plans", str(report.exam_plans)),
        ("Credentials earned during the program", str(report.credentials_earned)),
    ]
    return lines


def survey_cells(month: SurveyMonth) -> tuple[str, str]:
    """Respondents and mean as written: a hidden month shows neither its count nor its score."""
    if month.hidden:
        return f"fewer than {MIN_RESPONDENTS}", "hidden"
    return str(month.respondents), f"{month.mean:.2f}"


def csv_rows(report: OutcomeReport) -> list[list[str]]:
    """The report as CSV rows: figure and value, then the monthly enrolments and survey scores."""
    rows = [["Figure", "Value"], ["Program", report.program_name], ["Counted to", report.on.isoformat()]]
    rows += [[label, value] for label, value in figures(report)]
    rows += [[], ["Month", "New mentees", "New mentors"]]
    rows += [[month, str(mentees), str(mentors)] for month, mentees, mentors in report.enrolments]
    rows += [[], ["Month", "Survey respondents", "Mean survey score (1 to 5)"]]
    rows += [[s.month, *survey_cells(s)] for s in report.survey]
    return [[str(_safe(cell)) for cell in row] for row in rows]


def csv_text(report: OutcomeReport) -> str:
    """``csv_rows`` as the house's CSV file (byte order mark, CRLF, formulas neutralised)."""
    rows = csv_rows(report)
    return "".join(_csv(rows[0], rows[1:]))


# --- the monthly email -------------------------------------------------------------------------

def _previous_month(day: date) -> str:
    return f"{day.year - 1}-12" if day.month == 1 else f"{day.year}-{day.month - 1:02d}"


def _month_name(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


def key_for(program_id: int, user_id: int, month: str) -> str:
    """The idempotency key of one coordinator's report on ``month`` ("2026-11") of one program."""
    return f"outcomes:{program_id}:{user_id}:{month}"


def _email(user: User, figures_of: OutcomeReport, month: str) -> Email:
    r, name = figures_of, _month_name(month)
    mentees, mentors = r.enrolled_in(month)
    score = r.survey_in(month)
    survey = ("no answers" if score is None else
              f"fewer than {MIN_RESPONDENTS} people answered, so the score is hidden" if score.hidden else
              f"{score.mean:.2f} out of 5 from {score.respondents} people")
    link = current_app.config["BASE_URL"].rstrip("/") + PATH
    body = "\n".join([
        f"Hello {user.name},",
        "",
        f"The outcome report of {r.program_name} for {name}.",
        "",
        f"In {name}: {mentees} new mentee{'s' if mentees != 1 else ''} and {mentors} new "
        f"mentor{'s' if mentors != 1 else ''}; survey score: {survey}.",
        "",
        f"Since the program began (counted to {r.on:%d %b %Y}):",
        f"- Mentees matched: {r.mentees_matched} of {r.mentees_enrolled} ({percent(r.matched_share)}), "
        f"median {days_text(r.median_days_to_match)} days to a match",
        f"- Meeting adherence: {percent(r.adherence)} ({r.pairs_on_pace} of {r.pairs_with_terms} pairs at "
        f"{ON_PACE:.0%} or more)",
        f"- Agreements: {r.completed} completed, {r.ended_early} ended early, {r.still_active} still running",
        f"- Goals achieved: {r.goals_achieved} of {r.goals}; exam plans reached: {r.exam_plans_reached} "
        f"of {r.exam_plans}",
        f"- Credentials earned during the program: {r.credentials_earned}",
        "",
        f"The full report, its charts and a CSV file: {link}",
        f"(If you run several programs, choose {r.program_name} in the program switcher.)",
        "",
        "You receive this as a coordinator of the program, once a month.",
    ])
    return Email(user.email, f"{r.program_name}: outcome report for {name}", body)


def send_monthly_reports(now: datetime) -> int:
    """Email each coordinator of each program last month's report, once, in their daytime; how many went."""
    rows = db.session.execute(
        db.select(ProgramCoordinator.program_id, User).join(User, User.id == ProgramCoordinator.user_id)
        .where(User.active.is_(True), User.deleted_at.is_(None))
        .options(selectinload(User.profile)).order_by(ProgramCoordinator.program_id, User.id)).all()
    due: dict[int, list[tuple[User, str]]] = {}
    for program_id, user in rows:
        zone = zones.zone_of(user)
        if zones.is_daytime(now, zone):
            due.setdefault(program_id, []).append((user, _previous_month(zones.local_date(now, zone))))
    keys = [key_for(pid, user.id, month) for pid, people in due.items() for user, month in people]
    # Only to skip drawing up reports already sent; queue_email_once still decides.
    sent = set(db.session.scalars(db.select(OutboxEmail.idempotency_key)
                                  .where(OutboxEmail.idempotency_key.in_(keys)))) if keys else set()
    queued = 0
    for program in db.session.scalars(db.select(Program).where(Program.id.in_(list(due))).order_by(Program.id)):
        waiting = [(user, month) for user, month in due[program.id] if key_for(program.id, user.id, month) not in sent
                   and (program.ends_on is None or f"{program.ends_on:%Y-%m}" >= month)]
        if not waiting:
            continue
        figures_now = report(program, now)
        if figures_now.is_empty:
            continue
        with transaction():
            for user, month in waiting:
                queued += outbox.queue_email_once(_email(user, figures_now, month),
                                                  key_for(program.id, user.id, month))
    return queued
