"""The outcome report: its figures equal a recount from the raw rows, and the monthly email goes once a month."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from mentormatch.domain import FREQUENCY_DAYS
from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementGoal, AgreementStatus, AgreementVersion, CredentialRecord, ExamPlan, Match, MatchOrigin,
    MatchStatus, Meeting, Membership, VersionStatus,
)
from mentormatch.models.survey import SurveyAnswer, SurveyQuestion, SurveyResponse
from mentormatch.services.console import outcome_report
from mentormatch.services.profiles import save_profile
from tests.factories import default_program, make_program, make_user, membership, profile_input
from tests.querycount import count_statements

NOW = datetime(2027, 3, 15, 15, 0, tzinfo=timezone.utc)
ON = NOW.date()
UTC = timezone.utc


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _agreement(match: Match, status: str, terms: list[tuple[str, str, date, date]], **fields) -> Agreement:
    agreement = Agreement(match_id=match.id, status=status, **fields)
    db.session.add(agreement)
    db.session.flush()
    for number, (version_status, frequency, start, end) in enumerate(terms, start=1):
        db.session.add(AgreementVersion(agreement_id=agreement.id, number=number, status=version_status,
                                        frequency=frequency, mode="virtual", start_date=start, end_date=end,
                                        topics=[]))
    return agreement


def _meetings(agreement: Agreement, days: list[date]) -> None:
    db.session.add_all(Meeting(agreement_id=agreement.id, held_on=day, duration_minutes=45, mode="virtual",
                               topics=[]) for day in days)


def _match(program, mentee, mentor, status, created: datetime, decided: datetime | None) -> Match:
    match = Match(program_id=program.id, mentee_id=mentee.id, mentor_id=mentor.id, status=status,
                  origin=MatchOrigin.ROUND, created_at=created, decided_at=decided)
    db.session.add(match)
    db.session.flush()
    return match


def build_varied_program(program=None) -> dict:
    """Mentees matched after different delays, agreements completed, ended early and running, meetings,
    goals, credentials, exam plans, and survey answers from 4 people in January and 6 in February 2027."""
    program = program or default_program()
    mentors = [make_user("mentor", program=program) for _ in range(3)]
    mentees = [make_user("mentee", program=program) for _ in range(7)]
    joined = [date(2026, 10, 5), date(2026, 10, 20), date(2026, 11, 2), date(2026, 11, 30), date(2027, 1, 10),
              date(2027, 2, 1), date(2027, 3, 1)]
    for person, day in zip(mentees, joined):
        membership(person, program).created_at = at(day, 9)
    for person in mentors:
        membership(person, program).created_at = at(date(2026, 9, 28), 9)
    membership(mentees[5], program).status = "paused"
    membership(mentees[6], program).status = "applied"  # an application: not a member, not counted
    membership(mentors[2], program).status = "left"
    e, m = mentees, mentors
    # e0: active after 3 days, weekly terms (a monthly version first), 7 of 8 meetings.
    first = _match(program, e[0], m[0], MatchStatus.ACTIVE, at(date(2026, 10, 6)), at(date(2026, 10, 8), 9))
    a0 = _agreement(first, AgreementStatus.ACTIVE,
                    [(VersionStatus.CONFIRMED, "monthly", ON - timedelta(days=120), ON + timedelta(days=60)),
                     (VersionStatus.CONFIRMED, "weekly", ON - timedelta(days=60), ON + timedelta(days=60))])
    _meetings(a0, [ON - timedelta(days=7 * k) for k in range(1, 8)])
    # e1: declined once, then active after 10 days; completed with goals achieved (monthly, 4 of 3 meetings).
    _match(program, e[1], m[2], MatchStatus.DECLINED, at(date(2026, 10, 21)), at(date(2026, 10, 22)))
    second = _match(program, e[1], m[1], MatchStatus.ENDED, at(date(2026, 10, 25)), at(date(2026, 10, 30), 12))
    a1 = _agreement(second, AgreementStatus.ENDED,
                    [(VersionStatus.CONFIRMED, "monthly", date(2026, 11, 1), date(2027, 5, 1))],
                    ended_at=at(date(2027, 2, 1)), end_reason="goals_achieved")
    _meetings(a1, [date(2026, 11, 20), date(2026, 12, 18), date(2027, 1, 22), date(2027, 1, 29)])
    # e2: active after 20 days; ended early (schedule) after 2 months of biweekly terms, 1 of 4 meetings.
    third = _match(program, e[2], m[0], MatchStatus.ENDED, at(date(2026, 11, 2), 9), at(date(2026, 11, 22), 9))
    a2 = _agreement(third, AgreementStatus.ENDED,
                    [(VersionStatus.CONFIRMED, "biweekly", date(2026, 11, 25), date(2027, 5, 25))],
                    ended_at=at(date(2027, 1, 25)), end_reason="schedule")
    _meetings(a2, [date(2026, 12, 5)])
    # e3: a proposal still waiting, and an ended match that never had an agreement: not matched.
    _match(program, e[3], m[1], MatchStatus.PROPOSED, at(date(2026, 12, 1)), None)
    _match(program, e[3], m[0], MatchStatus.ENDED, at(date(2026, 12, 2)), at(date(2026, 12, 3)))
    # e4: active with no decision time kept (created 5 days after joining); terms start in the future.
    fourth = _match(program, e[4], m[1], MatchStatus.ACTIVE, at(date(2027, 1, 15), 9), None)
    a4 = _agreement(fourth, AgreementStatus.ACTIVE,
                    [(VersionStatus.CONFIRMED, "monthly", ON + timedelta(days=10), ON + timedelta(days=190))])
    # e5 (paused): active, reached the agreed end date and ended "other": completed; 1 of 2 meetings.
    fifth = _match(program, e[5], m[2], MatchStatus.ENDED, at(date(2027, 2, 2)), at(date(2027, 2, 2)))
    a5 = _agreement(fifth, AgreementStatus.ENDED,
                    [(VersionStatus.CONFIRMED, "weekly", date(2027, 2, 3), date(2027, 2, 20))],
                    ended_at=at(date(2027, 2, 21)), end_reason="other")
    _meetings(a5, [date(2027, 2, 10)])
    # e6 (applied): a draft agreement on an active match, no terms yet: still running, no adherence.
    sixth = _match(program, e[6], m[2], MatchStatus.ACTIVE, at(date(2027, 3, 2)), at(date(2027, 3, 3)))
    _agreement(sixth, AgreementStatus.DRAFT, [(VersionStatus.PENDING, "weekly", ON, ON + timedelta(days=90))])
    db.session.add_all([
        AgreementGoal(agreement_id=a0.id, description="Pass the MLS exam", status="in_progress"),
        AgreementGoal(agreement_id=a0.id, description="Lead a huddle", status="achieved"),
        AgreementGoal(agreement_id=a1.id, description="Learn QC", status="achieved"),
        AgreementGoal(agreement_id=a1.id, description="Write SOPs", status="achieved"),
        AgreementGoal(agreement_id=a2.id, description="Shadow blood bank", status="dropped"),
        AgreementGoal(agreement_id=a4.id, description="Plan the year", status="not_started"),
    ])
    db.session.add_all([
        CredentialRecord(user_id=e[0].id, kind="credential", code="ascp_mls", earned_on=date(2027, 2, 1)),
        CredentialRecord(user_id=e[1].id, kind="credential", code="ascp_mlt", earned_on=date(2020, 5, 1)),  # before
        CredentialRecord(user_id=e[1].id, kind="credential", code="ascp_sbb", earned_on=date(2027, 1, 20)),
        CredentialRecord(user_id=e[2].id, kind="licence", code="ca", earned_on=date(2027, 1, 5)),  # a licence
        CredentialRecord(user_id=e[3].id, kind="credential", code="ascp_sh", earned_on=ON + timedelta(days=3)),
        ExamPlan(membership_id=membership(e[0], program).id, credential="ascp_mls", reached_on=date(2027, 2, 1)),
        ExamPlan(membership_id=membership(e[1], program).id, credential="ascp_sm"),
    ])
    scale = [SurveyQuestion(program_id=program.id, stage="pulse", kind="scale", text=f"Question {n}") for n in (1, 2)]
    words = SurveyQuestion(program_id=program.id, stage="pulse", kind="text", text="Anything else?")
    db.session.add_all([*scale, words])
    db.session.flush()
    people = [*mentees[:6], *mentors[:3]]
    answers = {date(2027, 1, 12): [(people[k], (3 + k % 3, 4)) for k in range(4)],  # 4 people: hidden
               date(2027, 2, 14): [(people[k], (2 + k % 4, 5 - k % 2)) for k in range(3, 9)]}  # 6 people: shown
    for day, given in answers.items():
        for person, (one, two) in given:
            response = SurveyResponse(program_id=program.id, user_id=person.id, agreement_id=a0.id, stage="pulse",
                                      occasion=f"pulse-{day:%m}", role="mentee", submitted_at=at(day))
            db.session.add(response)
            db.session.flush()
            db.session.add_all([SurveyAnswer(response_id=response.id, question_id=scale[0].id, scale=one),
                                SurveyAnswer(response_id=response.id, question_id=scale[1].id, scale=two),
                                SurveyAnswer(response_id=response.id, question_id=words.id, text="Fine")])
    db.session.commit()
    return {"program": program, "mentees": mentees, "mentors": mentors}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recount(program_id: int, on: date) -> dict:
    """Every figure again, in plain Python over the program's raw rows."""
    members = db.session.scalars(db.select(Membership).where(Membership.program_id == program_id)).all()
    matches = db.session.scalars(db.select(Match).where(Match.program_id == program_id)).all()
    agreements = {a.match_id: a for a in db.session.scalars(db.select(Agreement))}
    versions = db.session.scalars(db.select(AgreementVersion)).all()
    meetings = Counter(meeting.agreement_id for meeting in db.session.scalars(db.select(Meeting)))
    goals = db.session.scalars(db.select(AgreementGoal)).all()
    mine = {agreements[m.id].id for m in matches if m.id in agreements}
    by_status = Counter((ms.role, ms.status) for ms in members)
    months = Counter((f"{_utc(ms.created_at):%Y-%m}", ms.role) for ms in members if ms.status != "applied")

    enrolled = [ms for ms in members if ms.role == "mentee" and ms.status != "applied"]
    delays = []
    for ms in enrolled:
        reached = [_utc(m.decided_at or m.created_at) for m in matches if m.mentee_id == ms.user_id and (
            m.status == "active" or (m.status == "ended" and m.id in agreements))]
        if reached:
            delays.append(max(0.0, (min(reached) - _utc(ms.created_at)).total_seconds() / 86400))

    pairs = logged = expected = counted = on_pace = completed = early = running = 0
    for match in matches:
        agreement = agreements.get(match.id)
        if agreement is None:
            continue
        confirmed = sorted((v for v in versions if v.agreement_id == agreement.id and v.status == "confirmed"),
                           key=lambda v: v.number)
        terms = confirmed[-1] if confirmed else None
        if agreement.status == "ended":
            done = agreement.end_reason == "goals_achieved" or (
                terms is not None and _utc(agreement.ended_at).date() >= terms.end_date)
            completed, early = completed + done, early + (not done)
        else:
            running += 1
        if terms is None or terms.start_date > on:
            continue
        stop = min(on, terms.end_date, *([_utc(agreement.ended_at).date()] if agreement.ended_at else []))
        due = max(1, (stop - terms.start_date).days // FREQUENCY_DAYS[terms.frequency])
        pairs, logged, expected = pairs + 1, logged + meetings[agreement.id], expected + due
        counted += min(meetings[agreement.id], due)
        on_pace += meetings[agreement.id] / due >= 0.8

    joined = {ms.user_id: _utc(ms.created_at).date() for ms in members if ms.status != "applied"}
    credentials = [r for r in db.session.scalars(db.select(CredentialRecord))
                   if r.kind == "credential" and r.user_id in joined and r.earned_on
                   and joined[r.user_id] <= r.earned_on <= on]
    ids = {ms.id for ms in members}
    plans = [p for p in db.session.scalars(db.select(ExamPlan)) if p.membership_id in ids]

    questions = {q.id: q.kind for q in db.session.scalars(db.select(SurveyQuestion))}
    responses = {r.id: r for r in db.session.scalars(db.select(SurveyResponse))
                 if r.program_id == program_id}
    per_month: dict[str, tuple[set, list]] = {}
    for answer in db.session.scalars(db.select(SurveyAnswer)):
        response = responses.get(answer.response_id)
        if response is None or questions[answer.question_id] != "scale" or answer.scale is None:
            continue
        people, scores = per_month.setdefault(f"{_utc(response.submitted_at):%Y-%m}", (set(), []))
        people.add(response.user_id)
        scores.append(answer.scale)
    return {
        "members": {role: {s: by_status[(role, s)] for s in ("active", "paused", "left")}
                    for role in ("mentee", "mentor")},
        "months": {k: n for k, n in months.items()},
        "mentees_enrolled": len(enrolled), "mentees_matched": len(delays),
        "median": statistics.median(delays) if delays else None,
        "pairs": pairs, "logged": logged, "expected": expected, "counted": counted, "on_pace": on_pace,
        "completed": completed, "ended_early": early, "running": running,
        "goals": sum(g.agreement_id in mine for g in goals),
        "goals_achieved": sum(g.agreement_id in mine and g.status == "achieved" for g in goals),
        "plans": len(plans), "plans_reached": sum(p.reached_on is not None for p in plans),
        "credentials": len(credentials),
        "survey": {month: (len(people), len(scores), sum(scores) / len(scores))
                   for month, (people, scores) in sorted(per_month.items())},
    }


def test_the_report_equals_a_recount_from_the_raw_rows(app_ctx):
    built = build_varied_program()
    found = outcome_report.report(built["program"], NOW)
    again = recount(built["program"].id, ON)
    assert found.members == again["members"]
    assert {(m, role): n for m, mentees, mentors in found.enrolments
            for role, n in (("mentee", mentees), ("mentor", mentors)) if n} == again["months"]
    assert (found.mentees_enrolled, found.mentees_matched) == (again["mentees_enrolled"], again["mentees_matched"])
    assert found.median_days_to_match == again["median"]
    assert (found.pairs_with_terms, found.meetings_logged, found.meetings_expected, found.meetings_counted,
            found.pairs_on_pace) == (again["pairs"], again["logged"], again["expected"], again["counted"],
                                     again["on_pace"])
    assert (found.completed, found.ended_early, found.still_active) == (again["completed"], again["ended_early"],
                                                                        again["running"])
    assert (found.goals, found.goals_achieved) == (again["goals"], again["goals_achieved"])
    assert (found.exam_plans, found.exam_plans_reached) == (again["plans"], again["plans_reached"])
    assert found.credentials_earned == again["credentials"]
    assert [(s.month, s.respondents, s.answers) for s in found.survey] == [
        (month, people, answers) for month, (people, answers, _) in again["survey"].items()]
    for month in found.survey:
        people, _, mean = again["survey"][month.month]
        assert month.mean == (None if people < 5 else mean)


def test_the_varied_program_has_the_figures_its_story_tells(app_ctx):
    """The recount could share a mistake with the report: the story's own numbers, worked out by hand."""
    built = build_varied_program()
    found = outcome_report.report(built["program"], NOW)
    assert found.members == {"mentee": {"active": 5, "paused": 1, "left": 0},
                             "mentor": {"active": 2, "paused": 0, "left": 1}}
    assert found.enrolments == (("2026-09", 0, 3), ("2026-10", 2, 0), ("2026-11", 2, 0), ("2026-12", 0, 0),
                                ("2027-01", 1, 0), ("2027-02", 1, 0), ("2027-03", 0, 0))
    # e0 after 3 days, e1 10⅛, e2 20, e4 5 (no decision time), e5 1⅛: e3 waits; e6 only applied.
    assert (found.mentees_enrolled, found.mentees_matched) == (6, 5)
    assert round(found.matched_share, 3) == 0.833 and found.median_days_to_match == 5.0
    # e0 7/8 weekly, e1 4/3 monthly (counted to its end), e2 1/4 biweekly, e5 1/2 weekly; e4 not started.
    assert (found.pairs_with_terms, found.meetings_logged, found.meetings_expected) == (4, 13, 17)
    assert found.meetings_counted == 12 and found.pairs_on_pace == 2  # e1's extra meeting makes up for nobody
    assert dict(found.adherence_bands) == {"Under 50%": 1, "50–79%": 1, "80–99%": 1, "100%+": 1}
    assert (found.completed, found.ended_early, found.still_active) == (2, 1, 3)
    assert (found.goals_achieved, found.goals, found.exam_plans_reached, found.exam_plans) == (3, 6, 1, 2)
    assert found.credentials_earned == 2  # not the one from 2020, the licence, or one dated after today
    january, february = found.survey
    assert (january.month, january.respondents, january.hidden, january.mean) == ("2027-01", 4, True, None)
    assert (february.month, february.respondents, february.hidden) == ("2027-02", 6, False)
    assert february.mean == sum([2 + k % 4 + 5 - k % 2 for k in range(3, 9)]) / 12


def test_another_programs_rows_stay_out_of_the_report(app_ctx):
    build_varied_program()
    other = make_program("Leadership")
    build_varied_program(other)
    mine = outcome_report.report(default_program(), NOW)
    assert (mine.mentees_enrolled, mine.pairs_with_terms, mine.goals, mine.credentials_earned) == (6, 4, 6, 2)
    assert [s.respondents for s in mine.survey] == [4, 6]


def test_the_report_takes_the_same_number_of_queries_whatever_the_program_size(app_ctx):
    small, large = make_program("Small"), make_program("Large")
    build_varied_program(small)
    build_varied_program(large)
    build_varied_program(large)
    with count_statements() as few:
        outcome_report.report(small, NOW)
    with count_statements() as many:
        outcome_report.report(large, NOW)
    assert len(few) == len(many) <= 12, str(many)


def test_a_new_program_has_an_empty_report(app_ctx):
    found = outcome_report.report(make_program("New"), NOW)
    assert found.is_empty and found.enrolments == () and found.survey == ()
    assert found.matched_share is None and found.adherence is None and found.median_days_to_match is None


def test_the_csv_rows_hold_the_figures_and_the_monthly_series(app_ctx):
    built = build_varied_program()
    rows = outcome_report.csv_rows(outcome_report.report(built["program"], NOW))
    assert rows[0] == ["Figure", "Value"]
    values = {row[0]: row[1] for row in rows if len(row) == 2}
    assert values["Matched share"] == "83.3%" and values["Median days to match"] == "5.0"
    assert values["Meeting adherence"] == "70.6%" and values["Agreements ended early"] == "1"
    assert values["Credentials earned during the program"] == "2"
    assert ["2026-10", "2", "0"] in rows
    assert ["2027-01", "fewer than 5", "hidden"] in rows
    assert ["2027-02", "6", f"{sum([2 + k % 4 + 5 - k % 2 for k in range(3, 9)]) / 12:.2f}"] in rows
    assert all(isinstance(cell, str) for row in rows for cell in row)


def test_a_program_name_that_looks_like_a_formula_is_neutralised_in_the_csv(app_ctx):
    program = make_program("=HYPERLINK(1)")
    rows = outcome_report.csv_rows(outcome_report.report(program, NOW))
    assert ["Program", "'=HYPERLINK(1)"] in rows


# --- the monthly email -----------------------------------------------------------------------------

def _coordinators(program):
    here = make_user("coordinator", name="Uma Utc", email="uma@example.org", program=program)
    tokyo = make_user("coordinator", name="Taro Tokyo", email="taro@example.org", program=program)
    save_profile(tokyo, profile_input("mentor", time_zone="Asia/Tokyo"))
    return here, tokyo


def _run(moment: datetime) -> int:
    sent = outcome_report.send_monthly_reports(moment)
    db.session.remove()
    return sent


def test_each_coordinator_gets_the_monthly_report_once_in_their_daytime_and_again_next_month(app_ctx, outbox, app):
    built = build_varied_program()
    _coordinators(built["program"])
    name = built["program"].name
    make_user("coordinator", email="new@example.org", program=make_program("Brand new"))  # nothing to report
    # 1 March, 15:00 UTC: daytime in UTC, midnight in Tokyo.
    assert _run(datetime(2027, 3, 1, 15, tzinfo=UTC)) == 1
    assert [e.to for e in outbox] == ["uma@example.org"]
    email = outbox[0]
    assert email.subject == f"{name}: outcome report for February 2027"
    assert app.config["BASE_URL"].rstrip("/") + "/coordinator/outcome-report" in email.body
    assert "In February 2027: 1 new mentee and 0 new mentors; survey score: 4.00 out of 5 from 6 people." \
        in email.body.replace("\n", " ")
    assert "Mentees matched: 5 of 6 (83.3%)" in email.body
    assert _run(datetime(2027, 3, 1, 16, tzinfo=UTC)) == 0  # again the same day: nothing new
    # 2 March, 03:00 UTC: noon in Tokyo, night in UTC.
    assert _run(datetime(2027, 3, 2, 3, tzinfo=UTC)) == 1
    assert [e.to for e in outbox] == ["uma@example.org", "taro@example.org"]
    assert _run(datetime(2027, 3, 20, 10, tzinfo=UTC)) == 0  # later in the month: already sent
    # 1 April, 02:00 UTC: 11:00 in Tokyo, night in UTC.
    assert _run(datetime(2027, 4, 1, 2, tzinfo=UTC)) == 1
    assert outbox[2].to == "taro@example.org" and outbox[2].subject.endswith("for March 2027")
    assert _run(datetime(2027, 4, 1, 12, tzinfo=UTC)) == 1
    assert outbox[3].to == "uma@example.org" and outbox[3].subject.endswith("for March 2027")
    assert len(outbox) == 4


def test_a_missed_first_of_the_month_is_made_up_later_that_month(app_ctx, outbox):
    build_varied_program()
    make_user("coordinator", email="late@example.org")
    assert _run(datetime(2027, 3, 9, 13, tzinfo=UTC)) == 1
    assert outbox[0].subject.endswith("for February 2027")
    assert _run(datetime(2027, 3, 31, 13, tzinfo=UTC)) == 0


def test_no_report_goes_at_night_for_the_coordinator(app_ctx, outbox):
    build_varied_program()
    make_user("coordinator", email="night@example.org")
    for hour in (0, 3, 7, 20, 23):
        assert _run(datetime(2027, 3, 1, hour, tzinfo=UTC)) == 0
    assert len(outbox) == 0
    assert _run(datetime(2027, 3, 1, 8, tzinfo=UTC)) == 1


def test_a_program_that_ended_before_last_month_sends_no_more_reports(app_ctx, outbox):
    built = build_varied_program()
    make_user("coordinator", email="done@example.org")
    built["program"].ends_on = date(2027, 1, 31)
    db.session.commit()
    assert _run(datetime(2027, 3, 1, 12, tzinfo=UTC)) == 0  # February: the program had ended
    assert _run(datetime(2027, 2, 1, 12, tzinfo=UTC)) == 1  # January: its last month
    assert outbox[0].subject.endswith("for January 2027")


def test_a_deactivated_coordinator_gets_no_report(app_ctx, outbox):
    build_varied_program()
    make_user("coordinator", email="gone@example.org", active=False)
    assert _run(datetime(2027, 3, 1, 12, tzinfo=UTC)) == 0 and len(outbox) == 0
