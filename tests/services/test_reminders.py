"""Reminders through simulated time: the scheduler's clock is set by each step, never the wall's.

Every test builds a pair (or a person) at the real "now" and then asks
``raise_due`` and ``send_digests`` what they would do on later days and
hours: on the right day a reminder appears once, in the app and in one
digest, sent in the recipient's daytime only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mentormatch import clock
from mentormatch.extensions import db
from mentormatch.models import (
    AgreementVersion, CredentialRecord, Match, Meeting, Notification, OutboxEmail, Reminder, ScheduledMeeting,
)
from mentormatch.models.user import utcnow
from mentormatch.services import automation, matches, reminders
from mentormatch.services.agreements.goals import add_goal, set_goal_status
from mentormatch.services.agreements.terms import TermsInput, confirm_terms, propose_terms
from mentormatch.services.reminders import kinds, preferences
from mentormatch.services.transactions import transaction
from mentormatch.tasks.automation import run_automation
from tests.factories import default_program, make_pair, make_user

CHICAGO = ZoneInfo("America/Chicago")  # the factories' profile time zone


def at_chicago(day: date, hour: int, minute: int = 0) -> datetime:
    """That wall time in Chicago, as the UTC moment the scheduler reads."""
    return datetime.combine(day, time(hour, minute), CHICAGO).astimezone(timezone.utc)


def reminders_of(user_id: int) -> list[Reminder]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.id)))


def notes_of(user_id: int) -> list[str]:
    return list(db.session.scalars(db.select(Notification.text).where(
        Notification.user_id == user_id, Notification.kind == "reminder").order_by(Notification.id)))


def digests_to(email: str) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxEmail).where(
        OutboxEmail.recipient == email, OutboxEmail.idempotency_key.like("digest:%")).order_by(OutboxEmail.id)))


def confirmed_terms(match: Match, start: date, frequency: str = "weekly") -> None:
    agreement = match.agreement
    version = propose_terms(agreement, match.mentee, TermsInput(
        frequency=frequency, mode="virtual", start_date=start, end_date=start + timedelta(days=180),
        topics=["specialty:hematology"]), on=start)
    confirm_terms(agreement, match.mentor, version.number)


def log_meeting_on(match: Match, day: date) -> None:
    with transaction():
        db.session.add(Meeting(agreement_id=match.agreement.id, logged_by_id=match.mentee_id, held_on=day,
                               duration_minutes=45, mode="virtual", topics=[]))


def test_a_request_waiting_for_the_mentor_is_reminded_after_3_and_10_days_to_the_mentor_only(app_ctx):
    match = make_pair()  # accepted: build a second, pending request for the reminder
    mentee = make_user("mentee", name="Ines Abara")
    request = matches.request_mentor(mentee, default_program(), match.mentor_id, "")
    made = request.created_at if request.created_at.tzinfo else request.created_at.replace(tzinfo=timezone.utc)

    assert reminders.raise_due(made + timedelta(days=2, hours=23)) == 0
    assert reminders.raise_due(made + timedelta(days=3, minutes=1)) == 1
    assert reminders.raise_due(made + timedelta(days=5)) == 0  # already reminded for the 3-day mark
    [first] = reminders_of(match.mentor_id)
    assert (first.kind, first.subject, first.period) == (kinds.ANSWER_WAITING, f"match:{request.id}", "3d")
    assert "Ines Abara asked you to be their mentor has waited 3 days" in first.text
    assert notes_of(match.mentor_id) == [first.text]  # also in the app
    assert reminders_of(mentee.id) == []  # the mentee waits; she is not the one to answer

    assert reminders.raise_due(made + timedelta(days=10, minutes=1)) == 1
    assert [r.period for r in reminders_of(match.mentor_id)] == ["3d", "10d"]


def test_a_digest_goes_once_a_day_in_the_recipients_daytime_and_later_reminders_wait_for_tomorrow(app_ctx):
    person = make_user("mentor", name="Grace Ho")  # profile zone: America/Chicago
    with transaction():
        db.session.add(CredentialRecord(user_id=person.id, kind="credential", code="ascp_mls",
                                        expires_on=date.today() + timedelta(days=200)))
    expiry = date.today() + timedelta(days=200)
    day = expiry - timedelta(days=90)  # the 90-day mark, a Chicago calendar day

    night = at_chicago(day, 2)
    assert reminders.raise_due(night) == 1  # raised at night, shown in the app at once...
    assert reminders.send_digests(night) == 0  # ...but not emailed at 02:00 for her
    assert reminders.send_digests(at_chicago(day, 7, 59)) == 0
    assert reminders.send_digests(at_chicago(day, 8, 0)) == 1
    assert reminders.send_digests(at_chicago(day, 9, 0)) == 0  # nothing new, and one a day anyway
    [digest] = digests_to(person.email)
    assert digest.idempotency_key == f"digest:{person.id}:{day.isoformat()}"
    assert "Your credential ASCP MLS expires in 90 days" in digest.body
    headers = dict(digest.headers)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://") and "/unsubscribe/" in headers["List-Unsubscribe"]

    # A second reminder the same afternoon waits for tomorrow's digest.
    with transaction():
        db.session.add(CredentialRecord(user_id=person.id, kind="licence", code="ca_cls",
                                        expires_on=day + timedelta(days=30)))
    assert reminders.raise_due(at_chicago(day, 15)) == 1
    assert reminders.send_digests(at_chicago(day, 15)) == 0
    assert reminders.send_digests(at_chicago(day, 20, 30)) == 0  # evening: not after 20:00 either
    assert reminders.send_digests(at_chicago(day + timedelta(days=1), 8, 5)) == 1
    second = digests_to(person.email)[1]
    assert "licence" in second.body and "ASCP MLS expires" not in second.body
    assert {r.digest_key for r in reminders_of(person.id)} == {
        f"digest:{person.id}:{day.isoformat()}", f"digest:{person.id}:{(day + timedelta(days=1)).isoformat()}"}


def test_credentials_are_reminded_at_90_and_30_days_and_never_for_an_inactive_account(app_ctx):
    active, gone = make_user("mentee"), make_user("mentee", active=False)
    expiry = date.today() + timedelta(days=120)
    with transaction():
        for user in (active, gone):
            db.session.add(CredentialRecord(user_id=user.id, kind="credential", code="ascp_mlt", expires_on=expiry))
    for days_left in (91, 90, 60, 30, 10):
        reminders.raise_due(at_chicago(expiry - timedelta(days=days_left), 12))
    assert [r.period for r in reminders_of(active.id)] == ["90d", "30d"]
    assert reminders_of(gone.id) == []


def test_a_meeting_is_reminded_to_both_the_day_before(app_ctx):
    match = make_pair()
    starts = utcnow().replace(microsecond=0) + timedelta(days=5)
    with transaction():
        row = ScheduledMeeting(agreement_id=match.agreement.id, uid="test-meeting@mentormatch", starts_at=starts,
                               duration_minutes=30, mode="virtual", status="confirmed", proposed_by_id=match.mentee_id)
        db.session.add(row)
    assert reminders.raise_due(starts - timedelta(hours=25)) == 0
    assert reminders.raise_due(starts - timedelta(hours=23)) == 2
    assert reminders.raise_due(starts - timedelta(hours=1)) == 0
    for user_id, other in ((match.mentee_id, "Grace Ho"), (match.mentor_id, "Dana Okafor")):
        [reminder] = reminders_of(user_id)
        assert reminder.kind == kinds.MEETING_SOON and reminder.path == f"/agreements/{match.agreement.id}#schedule"
        assert reminder.text.startswith(f"Your meeting with {other} is on ")


def test_a_cancelled_meeting_is_not_reminded(app_ctx):
    match = make_pair()
    starts = utcnow() + timedelta(days=2)
    with transaction():
        db.session.add(ScheduledMeeting(agreement_id=match.agreement.id, uid="cancelled@mentormatch", starts_at=starts,
                                        duration_minutes=30, mode="virtual", status="cancelled"))
    assert reminders.raise_due(starts - timedelta(hours=2)) == 0


def test_the_agreed_frequency_reminds_when_a_meeting_is_due_then_overdue_and_a_logged_meeting_starts_again(app_ctx):
    match = make_pair()
    start = date.today()
    confirmed_terms(match, start, "biweekly")  # due 14 days after the start; "due soon" from 3 days before
    mentee = match.mentee_id
    assert reminders.raise_due(at_chicago(start + timedelta(days=10), 12)) == 0
    assert reminders.raise_due(at_chicago(start + timedelta(days=11), 12)) == 2  # both of the pair
    assert reminders.raise_due(at_chicago(start + timedelta(days=14), 12)) == 0  # still the same due date
    assert reminders.raise_due(at_chicago(start + timedelta(days=15), 12)) == 2  # overdue now
    due = start + timedelta(days=14)
    assert [r.period for r in reminders_of(mentee)] == [f"due:{due}", f"overdue:{due}"]
    assert "was due 1 day ago" in reminders_of(mentee)[1].text

    log_meeting_on(match, start + timedelta(days=16))
    assert reminders.raise_due(at_chicago(start + timedelta(days=17), 12)) == 0
    assert reminders.raise_due(at_chicago(start + timedelta(days=27), 12)) == 2  # due again on day 30
    assert reminders_of(mentee)[-1].period == f"due:{start + timedelta(days=30)}"


def test_terms_waiting_remind_the_other_side_and_not_the_proposer(app_ctx):
    match = make_pair()
    version = propose_terms(match.agreement, match.mentee, TermsInput(
        frequency="monthly", mode="virtual", start_date=date.today(), end_date=date.today() + timedelta(days=90),
        topics=["specialty:hematology"]))
    proposed = db.session.get(AgreementVersion, version.id).created_at.replace(tzinfo=timezone.utc)
    assert reminders.raise_due(proposed + timedelta(days=3, minutes=1)) == 1
    [reminder] = reminders_of(match.mentor_id)
    assert reminder.kind == kinds.TERMS_WAITING and reminder.subject == f"terms:{version.id}"
    assert reminders_of(match.mentee_id) == []
    confirm_terms(match.agreement, match.mentor, version.number)
    assert reminders.raise_due(proposed + timedelta(days=10, minutes=1)) == 0  # confirmed: nothing waits


def test_a_goal_is_reminded_to_both_a_week_before_its_target_date(app_ctx):
    match = make_pair()
    confirmed_terms(match, date.today(), "every_two_months")  # no meeting due before day 45
    target = date.today() + timedelta(days=40)
    add_goal(match.agreement, match.mentee, "Pass the ASCP MLS exam", target)
    assert reminders.raise_due(at_chicago(target - timedelta(days=8), 12)) == 0
    assert reminders.raise_due(at_chicago(target - timedelta(days=7), 12)) == 2
    assert "“Pass the ASCP MLS exam” is due in 7 days" in reminders_of(match.mentor_id)[0].text
    assert reminders.raise_due(at_chicago(target - timedelta(days=2), 12)) == 0  # once per goal


def test_an_achieved_goal_is_not_reminded(app_ctx):
    match = make_pair()
    confirmed_terms(match, date.today(), "every_two_months")
    target = date.today() + timedelta(days=40)
    goal = add_goal(match.agreement, match.mentee, "Pass the ASCP MLS exam", target)
    set_goal_status(match.agreement, match.mentee, goal.id, "achieved")
    assert reminders.raise_due(at_chicago(target - timedelta(days=3), 12)) == 0


def test_unsubscribing_from_one_kind_stops_only_its_emails_and_keeps_it_in_the_app(app_ctx, client):
    person = make_user("mentor")
    expiry = date.today() + timedelta(days=100)
    with transaction():
        db.session.add(CredentialRecord(user_id=person.id, kind="credential", code="ascp_mls", expires_on=expiry))
    token = preferences.unsubscribe_token(person.id, [kinds.CREDENTIAL_EXPIRING])

    page = client.get(f"/unsubscribe/{token}")  # no login: the page says what will stop, and changes nothing
    assert page.status_code == 200 and "A credential or licence expiring" in page.text
    assert preferences.opted_out(person.id) == set()
    one_click = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    db.session.expire_all()
    assert preferences.opted_out(person.id) == {kinds.CREDENTIAL_EXPIRING}

    day = expiry - timedelta(days=90)
    reminders.raise_due(at_chicago(day, 9))
    assert reminders.send_digests(at_chicago(day, 9)) == 0  # the only reminder is of the kind turned off
    assert len(notes_of(person.id)) == 1  # still in the app
    assert reminders_of(person.id)[0].digest_key == ""

    # Another kind still arrives by email.
    mentee = make_user("mentee")
    request = matches.request_mentor(mentee, default_program(), person.id, "")
    made = request.created_at.replace(tzinfo=timezone.utc) if request.created_at.tzinfo is None else request.created_at
    later = made + timedelta(days=3, hours=1)
    later_day = datetime.combine(later.astimezone(CHICAGO).date() + timedelta(days=1), time(9), CHICAGO)
    reminders.raise_due(later)
    assert reminders.send_digests(later_day.astimezone(timezone.utc)) == 1
    [digest] = digests_to(person.email)
    assert "waited 3 days for your answer" in digest.body and "expires" not in digest.body


def test_a_bad_or_forged_unsubscribe_link_is_not_found_and_changes_nothing(app_ctx, client):
    person = make_user("mentor")
    token = preferences.unsubscribe_token(person.id, [kinds.SURVEY])
    assert client.get(f"/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/unsubscribe/{token[:-2]}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert preferences.opted_out(person.id) == set()


def test_the_preferences_page_turns_kinds_off_and_on(app_ctx, client, login):
    person = make_user("mentee")
    login(person.email)
    page = client.get("/reminders/preferences")
    assert page.status_code == 200 and page.text.count('type="checkbox"') == len(kinds.KINDS)
    wanted = [k for k in kinds.KINDS if k != kinds.GOAL_NEAR]
    saved = client.post("/reminders/preferences", data={"emailed": wanted})
    assert saved.status_code == 302
    db.session.expire_all()
    assert preferences.opted_out(person.id) == {kinds.GOAL_NEAR}
    client.post("/reminders/preferences", data={"emailed": list(kinds.KINDS)})
    db.session.expire_all()
    assert preferences.opted_out(person.id) == set()


def test_running_every_step_twice_at_one_moment_writes_and_sends_nothing_twice(app_ctx):
    match = make_pair()
    start = date.today()
    confirmed_terms(match, start, "weekly")
    moment = at_chicago(start + timedelta(days=9), 10)  # overdue for both, in their daytime
    first = automation.run_all(moment)
    again = automation.run_all(moment)
    assert first["reminders"] == 2 and first["reminder digests"] == 2
    assert again["reminders"] == 0 and again["reminder digests"] == 0
    for user in (match.mentee, match.mentor):
        assert len(digests_to(user.email)) == 1


def test_the_worker_job_reads_the_scheduler_clock(app, app_ctx):
    match = make_pair()
    confirmed_terms(match, date.today(), "weekly")
    clock.set_to(at_chicago(date.today() + timedelta(days=9), 10))
    run_automation.call_local()
    assert [r.kind for r in reminders_of(match.mentee_id)] == [kinds.MEETING_DUE]


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_every_kind_has_words_for_the_preferences_page(kind):
    assert kinds.label(kind) != kind and len(kinds.label(kind)) > 10


def test_the_day_and_the_hour_are_the_recipient_s_own(app_ctx):
    tokyo = make_user("mentee", time_zone="Asia/Tokyo")
    los_angeles = make_user("mentee", time_zone="America/Los_Angeles")
    day = date.today() + timedelta(days=30)
    expiry = day + timedelta(days=90)
    with transaction():
        for person in (tokyo, los_angeles):
            db.session.add(CredentialRecord(user_id=person.id, kind="credential", code="ascp_mlt", expires_on=expiry))
    # 01:00 UTC: already 10:00 on ``day`` in Tokyo (90 days before), still 17:00 the day before in Los Angeles.
    moment = datetime.combine(day, time(1), timezone.utc)
    assert reminders.raise_due(moment) == 1
    assert [r.period for r in reminders_of(tokyo.id)] == ["90d"] and reminders_of(los_angeles.id) == []
    assert reminders.send_digests(moment) == 1  # Tokyo's morning
    assert digests_to(tokyo.email)[0].idempotency_key == f"digest:{tokyo.id}:{day.isoformat()}"
    # Eight hours later it is Los Angeles's turn (its ``day``, 01:00: raised at night, emailed at 08:00).
    later = moment + timedelta(hours=8)
    assert reminders.raise_due(later) == 1 and reminders.send_digests(later) == 0
    assert reminders.send_digests(datetime.combine(day, time(8), ZoneInfo("America/Los_Angeles"))) == 1
