"""Scheduling: propose, confirm, propose another time, cancel and log as held; who may do each, and when."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from mentormatch.extensions import db
from mentormatch.models import Meeting, Notification, OutboxEmail, ScheduledMeeting
from mentormatch.services import agreements, matches
from mentormatch.services.agreements import AgreementError, MeetingInput, ProposalInput, TermsInput
from mentormatch.services.agreements.schedule import MAX_OPEN, schedule_of, upcoming_for
from tests.factories import default_program, make_user
from tests.querycount import count_statements
from tests.racing import race

NEW_YORK, LOS_ANGELES = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
START = date(2027, 1, 4)
NOW = datetime(2027, 1, 4, 17, 0, tzinfo=timezone.utc)
NINE_IN_NEW_YORK = datetime(2027, 1, 12, 14, 0, tzinfo=timezone.utc)  # 09:00 EST, 06:00 PST


def proposal(**overrides) -> ProposalInput:
    values = dict(starts_at=NINE_IN_NEW_YORK, duration_minutes=60, mode="virtual",
                  location="https://meet.example.org/dana-grace", note="Bring the QC charts.")
    values.update(overrides)
    return ProposalInput(**values)


def make_scheduling_pair():
    """Dana in New York and Grace in Los Angeles, matched; their draft agreement."""
    mentee = make_user("mentee", name="Dana Okafor", time_zone="America/New_York")
    mentor = make_user("mentor", name="Grace Ho", time_zone="America/Los_Angeles")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    matches.accept(match, mentor)
    return mentee, mentor, match.agreement


@pytest.fixture
def pair(app_ctx):
    """Matched, terms not confirmed yet."""
    return make_scheduling_pair()


def agree(pair):
    """Confirm monthly virtual terms from START for the pair."""
    mentee, mentor, agreement = pair
    version = agreements.propose_terms(agreement, mentee, TermsInput(
        "monthly", "virtual", START, date(2027, 7, 4), ["specialty:hematology"]), on=START)
    agreements.confirm_terms(agreement, mentor, version.number)
    return pair


@pytest.fixture
def agreed(pair):
    return agree(pair)


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def calendar_emails() -> list[OutboxEmail]:
    return list(db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.calendar.is_not(None))
                                   .order_by(OutboxEmail.id)))


# Times: typed in the proposer's zone, stored in UTC.

def test_nine_in_new_york_is_stored_as_fourteen_utc_in_winter_and_thirteen_in_summer():
    assert agreements.starts_at_from(date(2027, 1, 12), time(9, 0), NEW_YORK) == NINE_IN_NEW_YORK
    assert agreements.starts_at_from(date(2027, 7, 12), time(9, 0), NEW_YORK) == \
        datetime(2027, 7, 12, 13, 0, tzinfo=timezone.utc)


def test_a_wall_time_the_clocks_skip_is_refused():
    with pytest.raises(AgreementError, match="clocks go forward"):
        agreements.starts_at_from(date(2027, 3, 14), time(2, 30), NEW_YORK)


# Proposing.

def test_a_proposal_waits_for_the_other_person_who_is_told_in_their_own_zone(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    assert (meeting.status, meeting.sequence, meeting.proposed_by_id) == ("proposed", 0, mentee.id)
    assert meeting.uid.startswith("meeting-") and meeting.uid.endswith("@mentormatch")
    told = db.session.scalar(db.select(Notification).where(Notification.user_id == mentor.id)
                             .order_by(Notification.id.desc()))
    assert "Dana Okafor proposed a meeting on 12 Jan 2027, 06:00 PST" in told.text
    assert told.path == f"/agreements/{agreement.id}#schedule"
    assert calendar_emails() == []  # calendars hear of it once it is confirmed


def test_a_time_in_the_past_is_refused_and_nothing_is_saved(agreed):
    mentee, _, agreement = agreed
    with pytest.raises(AgreementError, match="already passed"):
        agreements.propose_meeting(agreement, mentee, proposal(starts_at=NOW - timedelta(minutes=1)), now=NOW)
    assert count(ScheduledMeeting) == 0


@pytest.mark.parametrize("overrides, message", [
    (dict(duration_minutes=4), "from 5 to 480"),
    (dict(duration_minutes=481), "from 5 to 480"),
    (dict(mode="either"), "in person or virtually"),
    (dict(location="meet.example.org/abc"), "video link starts with https://"),
    (dict(location="javascript:alert(1)"), "video link starts with https://"),
    (dict(mode="in_person", location="Room 4\nBuilding B"), "one line"),
    (dict(mode="in_person", location="x" * 301), "300 characters"),
    (dict(note="x" * 1001), "1000 characters"),
    (dict(starts_at=NOW + timedelta(days=367)), "within the next year"),
    (dict(starts_at=datetime(2027, 1, 3, 15, 0, tzinfo=timezone.utc)), "already passed"),
])
def test_a_proposal_out_of_bounds_is_refused(agreed, overrides, message):
    mentee, _, agreement = agreed
    with pytest.raises(AgreementError, match=message):
        agreements.propose_meeting(agreement, mentee, proposal(**overrides), now=NOW)
    assert count(ScheduledMeeting) == 0


def test_an_ordinary_meeting_needs_terms_and_a_date_from_the_start(pair):
    mentee, mentor, agreement = pair
    with pytest.raises(AgreementError, match="Confirm your agreement's terms first"):
        agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    version = agreements.propose_terms(agreement, mentee, TermsInput(
        "monthly", "virtual", date(2027, 2, 1), date(2027, 7, 4), ["specialty:hematology"]), on=START)
    agreements.confirm_terms(agreement, mentor, version.number)
    with pytest.raises(AgreementError, match="before the agreement starts"):
        agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    assert agreements.propose_meeting(agreement, mentee, proposal(kickoff=True), now=NOW).kickoff


def test_nobody_outside_the_pair_schedules_and_an_ended_agreement_takes_no_meeting(agreed):
    mentee, mentor, agreement = agreed
    for outsider in (make_user("coordinator"), make_user("mentee")):
        with pytest.raises(AgreementError, match="Only the mentee and mentor"):
            agreements.propose_meeting(agreement, outsider, proposal(), now=NOW)
    agreements.end_agreement(agreement, mentor, "goals_achieved")
    with pytest.raises(AgreementError, match="has ended"):
        agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)


def test_the_open_meetings_of_a_pair_are_capped(agreed):
    mentee, _, agreement = agreed
    for n in range(MAX_OPEN):
        agreements.propose_meeting(agreement, mentee, proposal(starts_at=NINE_IN_NEW_YORK + timedelta(days=n)),
                                   now=NOW)
    with pytest.raises(AgreementError, match="log or cancel"):
        agreements.propose_meeting(agreement, mentee, proposal(starts_at=NINE_IN_NEW_YORK + timedelta(days=40)),
                                   now=NOW)


# Confirming, another time, cancelling.

def test_only_the_other_person_confirms_and_only_the_time_they_read(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    with pytest.raises(AgreementError, match="You proposed this time; Grace Ho confirms it"):
        agreements.confirm_meeting(agreement, mentee, meeting.id, 0, now=NOW)
    with pytest.raises(AgreementError, match="Only the mentee and mentor"):
        agreements.confirm_meeting(agreement, make_user("coordinator"), meeting.id, 0, now=NOW)
    with pytest.raises(AgreementError, match="changed meanwhile"):
        agreements.confirm_meeting(agreement, mentor, meeting.id, 1, now=NOW)
    agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NOW)
    assert (meeting.status, meeting.confirmed_by_id) == ("confirmed", mentor.id)
    assert sorted(e.recipient for e in calendar_emails()) == sorted([mentee.email, mentor.email])
    with pytest.raises(AgreementError, match="already confirmed"):
        agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NOW)


def test_a_time_that_has_passed_cannot_be_confirmed(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    with pytest.raises(AgreementError, match="This time has passed"):
        agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NINE_IN_NEW_YORK + timedelta(minutes=1))


def test_another_time_keeps_the_row_and_uid_and_waits_for_the_first_proposer(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NOW)
    uid = meeting.uid
    later = NINE_IN_NEW_YORK + timedelta(days=1, hours=2)
    moved = agreements.propose_new_time(agreement, mentor, meeting.id, proposal(starts_at=later), now=NOW)
    assert (moved.id, moved.uid, moved.sequence, moved.status, moved.proposed_by_id) == \
        (meeting.id, uid, 1, "proposed", mentor.id)
    with pytest.raises(AgreementError, match="You proposed this time"):
        agreements.confirm_meeting(agreement, mentor, meeting.id, 1, now=NOW)
    with pytest.raises(AgreementError, match="already on the schedule"):
        agreements.propose_new_time(agreement, mentee, meeting.id, proposal(starts_at=later), now=NOW)
    agreements.confirm_meeting(agreement, mentee, meeting.id, 1, now=NOW)
    assert (meeting.status, meeting.confirmed_by_id) == ("confirmed", mentee.id)
    assert count(ScheduledMeeting) == 1


def test_cancelling_a_proposal_never_confirmed_tells_the_other_without_a_calendar(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    agreements.cancel_meeting(agreement, mentor, meeting.id)
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    assert calendar_emails() == []
    assert count(Notification, Notification.user_id == mentee.id, Notification.text.like("Grace Ho cancelled%")) == 1
    for action in (lambda: agreements.confirm_meeting(agreement, mentee, meeting.id, 1, now=NOW),
                   lambda: agreements.cancel_meeting(agreement, mentee, meeting.id),
                   lambda: agreements.propose_new_time(agreement, mentee, meeting.id, proposal(), now=NOW),
                   lambda: agreements.log_as_held(agreement, mentee, meeting.id,
                                                  now=NINE_IN_NEW_YORK + timedelta(hours=2))):
        with pytest.raises(AgreementError, match="cancelled"):
            action()


def test_cancelling_a_meeting_ever_confirmed_reaches_both_calendars_even_while_a_new_time_waits(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NOW)
    agreements.propose_new_time(agreement, mentor, meeting.id, proposal(duration_minutes=30), now=NOW)
    agreements.cancel_meeting(agreement, mentee, meeting.id)
    cancels = [e for e in calendar_emails() if "METHOD:CANCEL" in e.calendar]
    assert sorted(e.recipient for e in cancels) == sorted([mentee.email, mentor.email])


def test_ending_the_agreement_calls_off_its_upcoming_meetings_and_tells_the_calendars(agreed):
    mentee, mentor, agreement = agreed
    confirmed = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    agreements.confirm_meeting(agreement, mentor, confirmed.id, 0, now=NOW)
    proposed = agreements.propose_meeting(agreement, mentor, proposal(starts_at=NINE_IN_NEW_YORK + timedelta(days=7)),
                                          now=NOW)
    agreements.end_agreement(agreement, make_user("coordinator"), "other", "Programme closed.")
    db.session.expire_all()
    schedule = schedule_of(agreement, mentee, now=NOW)
    assert schedule.upcoming == [] and schedule.past == []
    assert [db.session.get(type(m), m.id).status for m in (confirmed, proposed)] == ["cancelled", "cancelled"]
    # Only the meeting that had reached the calendars is cancelled there, for both people.
    cancels = [e for e in calendar_emails() if "METHOD:CANCEL" in e.calendar]
    assert sorted(e.recipient for e in cancels) == sorted([mentee.email, mentor.email])
    assert all(confirmed.uid in e.calendar for e in cancels)


# Logging as held.

def test_a_meeting_is_logged_as_held_once_it_has_ended_on_its_date_in_the_clickers_zone(agreed):
    mentee, mentor, agreement = agreed
    # 21:30 in Los Angeles on the 12th is 00:30 in New York on the 13th.
    late = datetime(2027, 1, 13, 5, 30, tzinfo=timezone.utc)
    meeting = agreements.propose_meeting(agreement, mentor, proposal(starts_at=late, mode="in_person",
                                                                    location="Core lab, room 4"), now=NOW)
    agreements.confirm_meeting(agreement, mentee, meeting.id, 0, now=NOW)
    with pytest.raises(AgreementError, match="once it has ended"):
        agreements.log_as_held(agreement, mentor, meeting.id, now=late + timedelta(minutes=59))
    logged = agreements.log_as_held(agreement, mentor, meeting.id, now=late + timedelta(minutes=60))
    assert (logged.held_on, logged.duration_minutes, logged.mode, logged.kickoff, logged.logged_by_id) == \
        (date(2027, 1, 12), 60, "in_person", False, mentor.id)
    assert (meeting.status, meeting.meeting_id) == ("held", logged.id)
    assert count(Notification, Notification.user_id == mentee.id, Notification.text.like("Grace Ho logged%")) == 1
    assert agreements.log_as_held(agreement, mentee, meeting.id, now=late + timedelta(hours=3)).id == logged.id
    assert count(Meeting) == 1
    assert agreements.cadence_for(agreement, on=date(2027, 1, 14)).last_meeting == date(2027, 1, 12)


def test_a_proposal_nobody_confirmed_can_still_be_logged_once_they_met(agreed):
    mentee, mentor, agreement = agreed
    meeting = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    logged = agreements.log_as_held(agreement, mentor, meeting.id, now=NINE_IN_NEW_YORK + timedelta(hours=1))
    assert logged.held_on == date(2027, 1, 12) and meeting.status == "held"


def test_two_clicks_at_once_on_log_as_held_log_one_meeting(app):
    with app.app_context():
        mentee, mentor, agreement = agree(make_scheduling_pair())
        meeting_id = agreements.propose_meeting(agreement, mentee, proposal(), now=NOW).id
        ids = agreement.id, mentee.id, mentor.id
        db.session.remove()

    def click(user_id):
        def job(ready):
            from mentormatch.models import Agreement, User
            agreement, user = db.session.get(Agreement, ids[0]), db.session.get(User, user_id)
            ready()
            return agreements.log_as_held(agreement, user, meeting_id, now=NINE_IN_NEW_YORK + timedelta(hours=2)).id
        return job

    results, errors = race(app, [click(ids[1]), click(ids[2]), click(ids[1])], expected=(AgreementError,))
    assert errors == []
    assert len(set(results)) == 1 and all(isinstance(r, int) for r in results)
    with app.app_context():
        assert count(Meeting) == 1
        assert db.session.get(ScheduledMeeting, meeting_id).status == "held"
        db.session.remove()


# Kick-off.

def test_a_kickoff_is_scheduled_confirmed_and_logged_before_terms_and_before_the_start(pair):
    mentee, mentor, agreement = pair
    meeting = agreements.propose_meeting(agreement, mentee, proposal(kickoff=True), now=NOW)
    with pytest.raises(AgreementError, match="kick-off meeting is already on the schedule"):
        agreements.propose_meeting(agreement, mentor, proposal(kickoff=True, duration_minutes=30), now=NOW)
    agreements.confirm_meeting(agreement, mentor, meeting.id, 0, now=NOW)
    logged = agreements.log_as_held(agreement, mentee, meeting.id, now=NINE_IN_NEW_YORK + timedelta(hours=1))
    assert logged.kickoff and logged.held_on == date(2027, 1, 12) and agreement.current_terms is None
    with pytest.raises(AgreementError, match="kick-off meeting is already logged"):
        agreements.propose_meeting(agreement, mentor, proposal(kickoff=True, starts_at=NINE_IN_NEW_YORK
                                                                + timedelta(days=2)), now=NOW)


def test_a_kickoff_before_the_agreed_start_date_is_logged_by_hand(agreed):
    mentee, mentor, agreement = agreed
    before = START - timedelta(days=3)
    kickoff = agreements.log_meeting(agreement, mentee, MeetingInput(before, 45, "in_person", [], kickoff=True),
                                     on=START)
    assert kickoff.kickoff and kickoff.held_on == before
    with pytest.raises(AgreementError, match="before the agreement starts"):
        agreements.log_meeting(agreement, mentee, MeetingInput(before, 45, "in_person", ["specialty:hematology"]),
                               on=START)
    with pytest.raises(AgreementError, match="already logged"):
        agreements.log_meeting(agreement, mentor, MeetingInput(START, 30, "virtual", [], kickoff=True), on=START)


def test_before_terms_only_a_kickoff_is_logged_by_hand(pair):
    mentee, _, agreement = pair
    with pytest.raises(AgreementError, match="only your kick-off meeting"):
        agreements.log_meeting(agreement, mentee, MeetingInput(START, 45, "virtual", []), on=START)
    assert agreements.log_meeting(agreement, mentee, MeetingInput(START, 45, "virtual", [], kickoff=True),
                                  on=START).kickoff


# Reading.

def test_each_person_sees_their_own_buttons_and_the_coordinator_none(agreed):
    mentee, mentor, agreement = agreed
    agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    past = agreements.propose_meeting(agreement, mentee, proposal(starts_at=NOW + timedelta(minutes=5)), now=NOW)
    later = NOW + timedelta(hours=2)
    [mine], [mine_past] = schedule_of(agreement, mentee, now=later).upcoming, schedule_of(agreement, mentee, later).past
    [theirs] = schedule_of(agreement, mentor, now=later).upcoming
    [watched] = schedule_of(agreement, make_user("coordinator"), now=later).upcoming
    assert (mine.can_confirm, mine.can_change, mine.can_log, mine.waiting_for.id) == (False, True, False, mentor.id)
    assert (theirs.can_confirm, theirs.can_change, theirs.can_log) == (True, True, False)
    assert (watched.can_confirm, watched.can_change, watched.can_log) == (False, False, False)
    assert mine_past.meeting.id == past.id and mine_past.can_log and not mine_past.can_confirm


def test_upcoming_for_gives_each_agreement_its_next_meeting_not_yet_ended_in_one_query(agreed):
    mentee, mentor, agreement = agreed
    _, other_mentor, other_agreement = (mentee, *_second_pair())
    soon = agreements.propose_meeting(agreement, mentee, proposal(starts_at=NOW + timedelta(minutes=5)), now=NOW)
    agreements.propose_meeting(agreement, mentee, proposal(), now=NOW)
    cancelled = agreements.propose_meeting(other_agreement, other_mentor, proposal(kickoff=True), now=NOW)
    agreements.cancel_meeting(other_agreement, other_mentor, cancelled.id)
    ids, soon_id = [agreement.id, other_agreement.id], soon.id
    with count_statements() as statements:
        during = upcoming_for(ids, now=NOW + timedelta(minutes=30))
    assert len(statements) == 1, str(statements)
    assert during[ids[0]].id == soon_id and ids[1] not in during  # under way, not ended; the other's is cancelled
    after = upcoming_for(ids, now=NOW + timedelta(minutes=66))
    assert after[ids[0]].starts_at.replace(tzinfo=timezone.utc) == NINE_IN_NEW_YORK
    assert upcoming_for([]) == {}


def _second_pair():
    mentee = make_user("mentee", name="Ravi Patel")
    mentor = make_user("mentor", name="Lena Fox")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    matches.accept(match, mentor)
    return mentor, match.agreement
