"""Agreements: cadence at every boundary, confirmation of changes, private notes, access, closing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar
from sqlalchemy import event

from mentormatch.extensions import db
from mentormatch.models import AgreementStatus, MatchStatus, Meeting, Membership, PrivateNote, User, VersionStatus
from mentormatch.services import agreements, matches
from mentormatch.services.agreements import AgreementError, MeetingInput, TermsInput
from mentormatch.services.agreements.cadence import DUE_SOON, ON_TRACK, OVERDUE, cadence_of
from tests.factories import default_program, join, make_program, make_user

START = date(2027, 1, 4)
TODAY = date(2027, 1, 4)


def terms(**overrides) -> TermsInput:
    values = dict(frequency="monthly", mode="virtual", start_date=START, end_date=date(2027, 7, 4),
                  topics=["specialty:hematology", "goal:certification", "text:Lab safety audits"],
                  expectations="Meet monthly; agenda sent a day ahead.")
    values.update(overrides)
    return TermsInput(**values)


def activate(mentee, mentor):
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    matches.accept(match, mentor)
    return match.agreement


@pytest.fixture
def pair(app_ctx):
    mentee, mentor = make_user("mentee"), make_user("mentor", capacity=1)
    return mentee, mentor, activate(mentee, mentor)


@pytest.fixture
def agreed(pair):
    mentee, mentor, agreement = pair
    version = agreements.propose_terms(agreement, mentee, terms(), on=TODAY)
    agreements.confirm_terms(agreement, mentor, version.number)
    return mentee, mentor, agreement


def entry(**overrides) -> MeetingInput:
    values = dict(held_on=date(2027, 1, 10), duration_minutes=60, mode="virtual",
                  topics=["specialty:hematology"], shared_notes="Went through the SH blueprint.")
    values.update(overrides)
    return MeetingInput(**values)


# Cadence: the rule in services.agreements.cadence, at every boundary.

def test_with_no_meeting_yet_the_first_is_due_one_interval_after_the_start():
    cadence = cadence_of("monthly", START, None, on=START)
    assert (cadence.due, cadence.days_left, cadence.state) == (START + timedelta(days=30), 30, ON_TRACK)


def test_on_the_due_day_itself_the_pair_is_due_soon_not_overdue():
    cadence = cadence_of("monthly", START, None, on=START + timedelta(days=30))
    assert (cadence.state, cadence.days_left) == (DUE_SOON, 0)
    assert cadence.sentence.startswith("Next meeting is due today")


def test_one_day_past_the_due_date_the_pair_is_overdue():
    cadence = cadence_of("monthly", START, None, on=START + timedelta(days=31))
    assert (cadence.state, cadence.days_left) == (OVERDUE, -1)
    assert cadence.sentence.startswith("Next meeting was due 1 day ago")


@pytest.mark.parametrize("frequency, interval, window", [
    ("weekly", 7, 1), ("biweekly", 14, 3), ("monthly", 30, 7), ("every_two_months", 60, 15)])
def test_due_soon_starts_exactly_window_days_before_the_due_date(frequency, interval, window):
    last = date(2027, 2, 1)
    due = last + timedelta(days=interval)
    assert cadence_of(frequency, START, last, on=due - timedelta(days=window + 1)).state == ON_TRACK
    assert cadence_of(frequency, START, last, on=due - timedelta(days=window)).state == DUE_SOON
    assert cadence_of(frequency, START, last, on=due).state == DUE_SOON
    assert cadence_of(frequency, START, last, on=due + timedelta(days=1)).state == OVERDUE


def test_the_clock_runs_from_the_later_of_start_date_and_last_meeting():
    later_start = date(2027, 3, 1)
    assert cadence_of("weekly", later_start, date(2027, 2, 1), on=later_start).due == date(2027, 3, 8)
    assert cadence_of("weekly", START, date(2027, 2, 1), on=START).due == date(2027, 2, 8)


def test_cadence_of_an_agreement_follows_its_latest_logged_meeting(agreed):
    mentee, mentor, agreement = agreed
    assert agreements.cadence_for(agreement, on=TODAY).due == START + timedelta(days=30)
    agreements.log_meeting(agreement, mentee, entry(held_on=date(2027, 1, 20)), on=date(2027, 1, 20))
    agreements.log_meeting(agreement, mentor, entry(held_on=date(2027, 1, 10)), on=date(2027, 1, 20))
    cadence = agreements.cadence_for(agreement, on=date(2027, 2, 19))
    assert (cadence.last_meeting, cadence.due, cadence.state) == (date(2027, 1, 20), date(2027, 2, 19), DUE_SOON)


def test_a_draft_or_ended_agreement_has_no_cadence(pair, app_ctx):
    mentee, mentor, agreement = pair
    assert agreements.cadence_for(agreement, on=TODAY) is None
    version = agreements.propose_terms(agreement, mentee, terms(), on=TODAY)
    agreements.confirm_terms(agreement, mentor, version.number)
    agreements.end_agreement(agreement, mentee, "schedule")
    assert agreements.cadence_for(agreement, on=TODAY) is None


# Terms: proposals take effect only when the other side confirms.

def test_proposed_terms_take_effect_only_when_the_other_party_confirms(pair):
    mentee, mentor, agreement = pair
    version = agreements.propose_terms(agreement, mentee, terms(), on=TODAY)
    assert agreement.status == AgreementStatus.DRAFT and agreement.current_terms is None
    with pytest.raises(AgreementError, match="the other person confirms"):
        agreements.confirm_terms(agreement, mentee, version.number)
    agreements.confirm_terms(agreement, mentor, version.number)
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.current_terms is version and version.confirmed_by_id == mentor.id


def test_a_change_waits_for_confirmation_and_the_history_keeps_every_version(agreed):
    mentee, mentor, agreement = agreed
    change = agreements.propose_terms(agreement, mentor, terms(frequency="biweekly",
                                      topics=["specialty:hematology", "goal:supervisor"]), on=TODAY)
    assert agreement.current_terms.frequency == "monthly"  # still the old terms
    assert agreements.cadence_for(agreement, on=TODAY).due == START + timedelta(days=30)
    agreements.confirm_terms(agreement, mentee, change.number)
    assert agreement.current_terms.frequency == "biweekly"
    latest, first = agreements.history(agreement)
    assert latest.version.proposed_by_id == mentor.id and latest.version.confirmed_by_id == mentee.id
    assert "Frequency: Monthly → Every two weeks" in latest.changes
    assert "Topics added: Supervisor or lead" in latest.changes
    assert any(c.startswith("Topics removed: ASCP, AMT or AAB certification") for c in latest.changes)
    assert first.changes == ["First terms."] and first.version.status == VersionStatus.CONFIRMED


def test_a_newer_proposal_supersedes_a_waiting_one_and_the_stale_one_cannot_be_confirmed(agreed):
    mentee, mentor, agreement = agreed
    first = agreements.propose_terms(agreement, mentor, terms(mode="in_person"), on=TODAY)
    second = agreements.propose_terms(agreement, mentee, terms(mode="either"), on=TODAY)
    assert first.status == VersionStatus.SUPERSEDED and agreement.pending_terms is second
    with pytest.raises(AgreementError, match="no longer waiting"):
        agreements.confirm_terms(agreement, mentee, first.number)
    agreements.confirm_terms(agreement, mentor, second.number)
    assert agreement.current_terms.mode == "either"


def test_proposing_the_current_terms_unchanged_is_refused(agreed):
    mentee, _, agreement = agreed
    with pytest.raises(AgreementError, match="already your agreed terms"):
        agreements.propose_terms(agreement, mentee, terms(), on=TODAY)


@pytest.mark.parametrize("overrides, message", [
    (dict(end_date=START), "after the start date"),
    (dict(end_date=START + timedelta(days=800)), "two years"),
    (dict(start_date=START + timedelta(days=400)), "within a year"),
    (dict(topics=[]), "at least one topic"),
    (dict(topics=["specialty:astrology"]), "not a topic"),
    (dict(topics=["text:" + "x" * 61]), "60 characters"),
    (dict(frequency="daily"), "how often"),
    (dict(expectations="x" * 2001), "2000 characters"),
])
def test_terms_out_of_bounds_are_refused_and_nothing_is_saved(pair, overrides, message):
    mentee, _, agreement = pair
    with pytest.raises(AgreementError, match=message):
        agreements.propose_terms(agreement, mentee, terms(**overrides), on=TODAY)
    assert agreement.versions == []


def test_the_default_terms_come_from_the_mentee_profile_and_run_six_months(pair):
    _, _, agreement = pair
    default = agreements.default_terms(agreement, on=date(2027, 8, 31))
    assert (default.frequency, default.mode) == ("monthly", "virtual")
    assert default.end_date == date(2028, 2, 29)
    assert default.topics == ["goal:certification", "goal:mlt_to_mls"]


def test_the_default_terms_take_the_goals_sought_and_the_length_of_the_pairs_program(app_ctx):
    program = make_program("Blood bank specialist preparation", agreement_months=3)
    mentee = make_user("mentee", goals=["networking"])  # a mentee in the default program, seeking networking
    join(mentee, "mentee", program, goals=["specialist_certification"])
    mentor = make_user("mentor", program=program)
    match = matches.request_mentor(mentee, program, mentor.id, "")
    matches.accept(match, mentor)
    default = agreements.default_terms(match.agreement, on=date(2027, 1, 31))
    assert default.topics == ["goal:specialist_certification"]
    assert default.end_date == date(2027, 4, 30)


# Access: the pair, and coordinators for reading only.

def test_only_the_pair_may_change_an_agreement_and_coordinators_only_read(agreed):
    mentee, mentor, agreement = agreed
    stranger, coordinator = make_user("mentor"), make_user("coordinator")
    elsewhere = make_user("coordinator", program=make_program("Supervisor and leadership track"))
    assert agreements.agreement_for(mentee, agreement.id) is agreement
    assert agreements.agreement_for(mentor, agreement.id, write=True) is agreement
    assert agreements.agreement_for(stranger, agreement.id) is None
    assert agreements.agreement_for(coordinator, agreement.id) is agreement
    assert agreements.agreement_for(coordinator, agreement.id, write=True) is None
    assert agreements.agreement_for(elsewhere, agreement.id) is None  # coordinates another program only
    with pytest.raises(AgreementError, match="Only the pair or a coordinator"):
        agreements.end_agreement(agreement, elsewhere, "other")
    for outsider in (stranger, coordinator):
        with pytest.raises(AgreementError):
            agreements.propose_terms(agreement, outsider, terms(mode="either"), on=TODAY)
        with pytest.raises(AgreementError):
            agreements.log_meeting(agreement, outsider, entry(), on=TODAY + timedelta(days=10))


# Meetings and private notes.

def test_either_party_logs_a_meeting_and_the_other_sees_it(agreed):
    mentee, mentor, agreement = agreed
    agreements.log_meeting(agreement, mentor, entry(), on=date(2027, 1, 10))
    [seen] = agreements.meetings_for(agreement, mentee)
    assert seen.meeting.shared_notes == "Went through the SH blueprint." and seen.meeting.logged_by_id == mentor.id


def test_a_private_note_is_readable_by_its_author_only(agreed):
    mentee, mentor, agreement = agreed
    coordinator = make_user("coordinator")
    meeting = agreements.log_meeting(agreement, mentee, entry(private_note="Nervous about the exam."),
                                     on=date(2027, 1, 10))
    agreements.save_private_note(agreement, mentor, meeting.id, "Suggest the BOC study guide.")
    assert agreements.meetings_for(agreement, mentee)[0].private_note == "Nervous about the exam."
    assert agreements.meetings_for(agreement, mentor)[0].private_note == "Suggest the BOC study guide."
    assert agreements.meetings_for(agreement, coordinator)[0].private_note is None
    assert db.session.scalar(db.select(db.func.count()).select_from(PrivateNote)) == 2


@pytest.mark.parametrize("overrides, message", [
    (dict(held_on=date(2027, 1, 11)), "in the future"),
    (dict(held_on=START - timedelta(days=1)), "before the agreement starts"),
    (dict(duration_minutes=4), "from 5 to 480"),
    (dict(duration_minutes=481), "from 5 to 480"),
    (dict(topics=[]), "at least one topic"),
    (dict(topics=["goal:manager"]), "agreement's topics"),
    (dict(mode="either"), "in person or virtually"),
    (dict(shared_notes="x" * 4001), "4000 characters"),
])
def test_a_meeting_out_of_bounds_is_refused_and_nothing_is_saved(agreed, overrides, message):
    mentee, _, agreement = agreed
    with pytest.raises(AgreementError, match=message):
        agreements.log_meeting(agreement, mentee, entry(**overrides), on=date(2027, 1, 10))
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


@pytest.mark.parametrize("minutes", [5, 480])
def test_meeting_durations_at_the_bounds_are_accepted(agreed, minutes):
    mentee, _, agreement = agreed
    assert agreements.log_meeting(agreement, mentee, entry(duration_minutes=minutes),
                                  on=date(2027, 1, 10)).duration_minutes == minutes


def test_meetings_need_confirmed_terms(pair):
    mentee, _, agreement = pair
    with pytest.raises(AgreementError, match="Confirm your agreement"):
        agreements.log_meeting(agreement, mentee, entry(), on=date(2027, 1, 10))


# Goals.

def test_either_party_updates_a_goal_and_achieved_goals_reach_the_activity_record(agreed):
    mentee, mentor, agreement = agreed
    goal = agreements.add_goal(agreement, mentee, "Pass the ASCP SH exam", date(2027, 6, 1), on=TODAY)
    agreements.add_goal(agreement, mentor, "Lead one QC review", None, on=TODAY)
    agreements.set_goal_status(agreement, mentor, goal.id, "achieved", on=date(2027, 5, 20))
    assert (goal.status, goal.achieved_on, goal.updated_by_id) == ("achieved", date(2027, 5, 20), mentor.id)
    with pytest.raises(AgreementError, match="target date"):
        agreements.add_goal(agreement, mentee, "Old goal", TODAY - timedelta(days=1), on=TODAY)
    with pytest.raises(AgreementError, match="status"):
        agreements.set_goal_status(agreement, mentee, goal.id, "finished")
    agreements.log_meeting(agreement, mentee, entry(duration_minutes=45, private_note="secret"),
                           on=date(2027, 1, 10))
    agreements.log_meeting(agreement, mentee, entry(held_on=date(2027, 2, 1), duration_minutes=90),
                           on=date(2027, 2, 1))
    record = agreements.activity_record(agreement)
    assert [m.duration_minutes for m in record.meetings] == [45, 90] and record.total_hours == "2.2"
    assert record.meetings[0].topics == ["Hematology"]
    assert record.goals_achieved == [("Pass the ASCP SH exam", date(2027, 5, 20))]


# Calendar.

def test_the_calendar_file_parses_back_to_the_agreed_recurring_schedule(agreed):
    mentee, mentor, agreement = agreed
    parsed = Calendar.from_ical(agreements.calendar_for(agreement, "https://mm.example.org"))
    [meeting] = parsed.walk("VEVENT")
    assert parsed["VERSION"] == "2.0" and "MentorMatch" in str(parsed["PRODID"])
    assert meeting.decoded("DTSTART") == START
    rule = meeting["RRULE"]
    assert (rule["FREQ"], rule["INTERVAL"], rule["UNTIL"]) == (["MONTHLY"], [1], [date(2027, 7, 4)])
    assert mentee.name in str(meeting["SUMMARY"]) and "Lab safety audits" in str(meeting["DESCRIPTION"])
    dates = list(rrulestr(rule.to_ical().decode(), dtstart=datetime(2027, 1, 4)))
    assert [d.date() for d in dates] == [date(2027, m, 4) for m in range(1, 8)]


@pytest.mark.parametrize("frequency, expected", [("weekly", ("WEEKLY", 1)), ("biweekly", ("WEEKLY", 2)),
                                                 ("every_two_months", ("MONTHLY", 2))])
def test_each_frequency_becomes_its_rrule(pair, frequency, expected):
    mentee, mentor, agreement = pair
    version = agreements.propose_terms(agreement, mentee, terms(frequency=frequency), on=TODAY)
    agreements.confirm_terms(agreement, mentor, version.number)
    rule = Calendar.from_ical(agreements.calendar_for(agreement)).walk("VEVENT")[0]["RRULE"]
    assert (rule["FREQ"][0], rule["INTERVAL"][0]) == expected


def test_no_calendar_before_terms_are_confirmed(pair):
    with pytest.raises(AgreementError, match="no agreed schedule"):
        agreements.calendar_for(pair[2])


# Closing.

def test_ending_keeps_the_history_frees_the_mentor_and_opens_feedback(agreed):
    mentee, mentor, agreement = agreed
    agreements.log_meeting(agreement, mentee, entry(), on=date(2027, 1, 10))
    waiting = agreements.propose_terms(agreement, mentor, terms(mode="in_person"), on=TODAY)
    with pytest.raises(AgreementError, match="when the agreement ends"):
        agreements.leave_feedback(agreement, mentee, 5)
    assert matches.active_count(default_program().id, mentor.id) == 1
    agreements.end_agreement(agreement, make_user("coordinator"), "left_organisation", "Moved to another lab")
    assert matches.active_count(default_program().id, mentor.id) == 0
    assert agreement.match.status == MatchStatus.ENDED and agreement.end_reason == "left_organisation"
    assert waiting.status == VersionStatus.SUPERSEDED
    assert len(agreements.meetings_for(agreement, mentee)) == 1 and agreement.current_terms is not None
    with pytest.raises(AgreementError, match="has ended"):
        agreements.log_meeting(agreement, mentee, entry(held_on=date(2027, 1, 11)), on=date(2027, 1, 11))
    with pytest.raises(AgreementError, match="has ended"):
        agreements.end_agreement(agreement, mentee, "other")
    agreements.leave_feedback(agreement, mentee, 5, "Great mentor.")
    with pytest.raises(AgreementError, match="already left feedback"):
        agreements.leave_feedback(agreement, mentee, 4)
    with pytest.raises(AgreementError, match="1 to 5"):
        agreements.leave_feedback(agreement, mentor, 6)
    assert [(f.author_id, f.rating) for f in agreements.feedback_of(agreement)] == [(mentee.id, 5)]
    # The freed place can be taken by another mentee.
    assert activate(make_user("mentee"), mentor).match.status == MatchStatus.ACTIVE


def test_ending_needs_a_reason_and_someone_allowed(agreed):
    mentee, _, agreement = agreed
    with pytest.raises(AgreementError, match="Choose why"):
        agreements.end_agreement(agreement, mentee, "bored")
    with pytest.raises(AgreementError, match="Only the pair or a coordinator"):
        agreements.end_agreement(agreement, make_user("mentee"), "other")
    assert agreement.status == AgreementStatus.ACTIVE


# Home page summaries.

def _count_queries(run) -> int:
    seen = []

    def listener(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_mentors_pairs_load_in_a_fixed_number_of_queries(app_ctx):
    mentor = make_user("mentor", capacity=4)
    for n in range(3):
        mentee = make_user("mentee")
        agreement = activate(mentee, mentor)
        version = agreements.propose_terms(agreement, mentee, terms(), on=TODAY)
        agreements.confirm_terms(agreement, mentor, version.number)
        if n:
            agreements.log_meeting(agreement, mentor, entry(held_on=date(2027, 1, 4 + n)), on=date(2027, 1, 9))
        db.session.expire_all()
        assert mentor.id  # reload the mentor outside the count
        count = _count_queries(lambda: agreements.pairs_of(mentor, on=date(2027, 2, 1)))
        assert count == 1, count  # pairs, the other person, current terms, a waiting proposal, last meeting
    pairs = agreements.pairs_of(mentor, on=date(2027, 2, 4))
    assert [p.cadence.state for p in pairs] == [OVERDUE, DUE_SOON, DUE_SOON]
    mentees = db.session.scalars(db.select(User.name).join(Membership, Membership.user_id == User.id)
                                 .where(Membership.role == "mentee").order_by(User.id)).all()
    assert [p.other_name for p in pairs] == mentees


def test_a_pair_summary_shows_the_latest_terms_and_who_must_confirm(pair):
    mentee, mentor, agreement = pair
    [summary] = agreements.pairs_of(mentee, on=TODAY)
    assert (summary.agreement_id, summary.other_name) == (agreement.id, mentor.name)
    assert (summary.frequency, summary.cadence, summary.waiting_for_me) == (None, None, False)

    first = agreements.propose_terms(agreement, mentee, terms(), on=TODAY)
    assert not agreements.pairs_of(mentee, on=TODAY)[0].waiting_for_me  # my own proposal
    assert agreements.pairs_of(mentor, on=TODAY)[0].waiting_for_me
    agreements.confirm_terms(agreement, mentor, first.number)
    again = agreements.propose_terms(agreement, mentor, terms(frequency="weekly", mode="in_person"), on=TODAY)
    mine, theirs = agreements.pairs_of(mentor, on=TODAY)[0], agreements.pairs_of(mentee, on=TODAY)[0]
    assert (mine.frequency, mine.mode, mine.waiting_for_me, theirs.waiting_for_me) == (
        "monthly", "virtual", False, True)  # the confirmed terms hold until the new ones are confirmed
    agreements.confirm_terms(agreement, mentee, again.number)
    [summary] = agreements.pairs_of(mentee, on=TODAY)
    assert (summary.frequency, summary.mode, summary.other_name) == ("weekly", "in_person", mentor.name)
    assert summary.cadence.due == START + timedelta(days=7)

    agreements.end_agreement(agreement, mentee, "goals_achieved")
    assert agreements.pairs_of(mentee, on=TODAY) == agreements.pairs_of(mentor, on=TODAY) == []
