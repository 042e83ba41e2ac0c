"""A program through five simulated weeks: the scheduler's clock is set twice a day (03:00 and 09:00 in
Chicago), the worker's automation job runs, and what it did is read back from the rows.

One pair meets never (so it goes due, overdue and quiet), one mentee stays unmatched, the program asks a
kick-off and a pulse survey, and the mentee turns off one kind of reminder email half way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from mentormatch import clock, zones
from mentormatch.extensions import db
from mentormatch.models import CredentialRecord, Escalation, Notification, OutboxEmail, Reminder
from mentormatch.services import surveys
from mentormatch.services.reminders import kinds, preferences
from mentormatch.services.transactions import transaction
from mentormatch.tasks.automation import run_automation
from tests.factories import default_program, make_pair, make_user
from tests.services.test_reminders import CHICAGO, at_chicago, confirmed_terms

DAYS = 36


def test_a_program_runs_itself_for_five_weeks(app_ctx, client):
    program = default_program()
    coordinator = make_user("coordinator", program=program)  # no profile: UTC
    match = make_pair()
    start = date.today() + timedelta(days=1)
    confirmed_terms(match, start, "weekly")
    mentee, mentor = match.mentee, match.mentor
    lonely = make_user("mentee", name="Lee Unmatched")
    surveys.add_question(program, coordinator, "kickoff", "scale", "How clear are your goals?")
    surveys.add_question(program, coordinator, "pulse", "yes_no", "Are you meeting as agreed?")
    with transaction():
        db.session.add(CredentialRecord(user_id=mentee.id, kind="licence", code="ca_cls",
                                        expires_on=start + timedelta(days=100)))
    ids = {"mentee": mentee.id, "mentor": mentor.id, "coordinator": coordinator.id, "lonely": lonely.id}
    emails = {"mentee": mentee.email, "mentor": mentor.email, "coordinator": coordinator.email}
    agreement_id = match.agreement.id

    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        if offset == 12:  # she uses the link in a digest: meeting-due emails stop, nothing else does
            token = preferences.unsubscribe_token(ids["mentee"], [kinds.MEETING_DUE])
            assert client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
        for hour in (3, 9):
            clock.set_to(at_chicago(day, hour))
            run_automation.call_local()
    db.session.expire_all()

    def reminders(who: str) -> list[Reminder]:
        return list(db.session.scalars(db.select(Reminder).where(Reminder.user_id == ids[who])
                                       .order_by(Reminder.created_at, Reminder.id)))

    def raised_on(who: str, kind: str) -> list[int]:
        """The offsets (days after the start, Chicago calendar) on which ``who`` got ``kind``."""
        return [(zones.local_date(r.created_at, CHICAGO) - start).days for r in reminders(who) if r.kind == kind]

    # Reminders arrive on the right days of the recipient's calendar, once each.
    for who in ("mentee", "mentor"):
        assert raised_on(who, kinds.SURVEY) == [0, 30]  # kick-off at the start, the pulse on day 30
        # weekly: due on day 7 ("due soon" from day 6), overdue from day 8; no meeting is ever logged
        assert raised_on(who, kinds.MEETING_DUE) == [6, 8]
    assert raised_on("mentee", kinds.CREDENTIAL_EXPIRING) == [10]  # 90 days before day 100
    assert raised_on("lonely", kinds.MEETING_DUE) == []

    # Digests batch: one email per person per local day at most, decided in their daytime only.
    for who in ("mentee", "mentor"):
        days = defaultdict(set)
        for reminder in reminders(who):
            if reminder.digest_key:
                local = zones.in_zone(reminder.digested_at, CHICAGO)
                assert 8 <= local.hour < 20, (who, reminder.kind, local)  # never at night for them
                days[local.date()].add(reminder.digest_key)
        assert all(len(keys) == 1 for keys in days.values())
        sent = db.session.scalars(db.select(OutboxEmail.idempotency_key).where(
            OutboxEmail.recipient == emails[who], OutboxEmail.idempotency_key.like("digest:%"))).all()
        assert sorted(sent) == sorted(key for keys in days.values() for key in keys)
    # Day 0's survey and day 6's meeting came in separate digests; day 8 (overdue) in a third.
    assert len(set(r.digest_key for r in reminders("mentor"))) == 4  # day 0, 6, 8 and 30

    # The unsubscribe stopped only her meeting-due emails: still in the app, and other kinds still emailed.
    by_kind = {(r.kind, (zones.local_date(r.created_at, CHICAGO) - start).days): r for r in reminders("mentee")}
    assert by_kind[(kinds.MEETING_DUE, 6)].digest_key.startswith("digest:")  # before she opted out
    assert by_kind[(kinds.MEETING_DUE, 8)].digest_key.startswith("digest:")
    assert by_kind[(kinds.SURVEY, 30)].digest_key.startswith("digest:")  # after: surveys still come
    assert by_kind[(kinds.CREDENTIAL_EXPIRING, 10)].digest_key.startswith("digest:")
    assert preferences.opted_out(ids["mentee"]) == {kinds.MEETING_DUE}
    in_app = db.session.scalars(db.select(Notification.text).where(Notification.user_id == ids["mentee"],
                                                                   Notification.kind == "reminder")).all()
    assert len(in_app) == len(reminders("mentee"))

    # Escalations enter the coordinators' queue on their day, once.
    escalations = {e.kind: e for e in db.session.scalars(db.select(Escalation).where(
        Escalation.program_id == program.id))}
    quiet = escalations["quiet_pair"]
    assert quiet.subject == f"agreement:{agreement_id}"
    assert (zones.local_date(quiet.created_at, zones.UTC) - start).days == 21  # 21 days after the agreed start
    unmatched = escalations["unmatched_mentee"]
    assert unmatched.subject == f"user:{ids['lonely']}" and unmatched.resolved_at is None
    # The coordinator's weekly digest: one per ISO week from the first escalation's week on, never two.
    weekly = db.session.scalars(db.select(OutboxEmail.idempotency_key).where(
        OutboxEmail.recipient == emails["coordinator"], OutboxEmail.idempotency_key.like("escalations:%"))).all()
    weeks = {(start + timedelta(days=offset)).isocalendar()[:2] for offset in range(21, DAYS)}
    assert sorted(weekly) == sorted(f"escalations:{program.id}:{ids['coordinator']}:{year}-W{week:02d}"
                                    for year, week in weeks)
