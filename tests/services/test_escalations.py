"""Escalations to coordinators, driven through simulated days: raised on the day their threshold passes, once per
occasion, resolved by themselves when the condition passes, and a weekly digest to each coordinator in their daytime."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from mentormatch import zones
from mentormatch.extensions import db
from mentormatch.models import (
    AgreementStatus, AgreementVersion, AuditEntry, Escalation, Match, MatchOrigin, MatchStatus, Meeting,
    VersionStatus,
)
from mentormatch.services import escalations
from mentormatch.services.profiles import save_profile
from tests.factories import default_program, make_pair, make_program, make_user, membership, profile_input
from tests.outbox import Outbox
from tests.querycount import count_statements

START = date(2030, 3, 4)  # a Monday


def at(day: int | date, hour: int = 15) -> datetime:
    """``day`` days after START (or that date), at ``hour`` UTC."""
    when = START + timedelta(days=day) if isinstance(day, int) else day
    return datetime.combine(when, time(hour), timezone.utc)


def active_pair(program=None, start: date = START, met: tuple[date, ...] = (), names=("Dana Okafor", "Grace Ho")):
    """An active pair whose agreement has confirmed monthly terms from ``start`` and meetings on ``met``."""
    match = make_pair(*names, program=program)
    agreement = match.agreement
    agreement.status = AgreementStatus.ACTIVE
    db.session.add(AgreementVersion(agreement_id=agreement.id, number=1, status=VersionStatus.CONFIRMED,
                                    frequency="monthly", mode="virtual", start_date=start,
                                    end_date=start + timedelta(days=180), topics=[]))
    db.session.commit()
    for day in met:
        log_meeting(agreement, day)
    return agreement


def log_meeting(agreement, held_on: date) -> None:
    db.session.add(Meeting(agreement_id=agreement.id, held_on=held_on, duration_minutes=60, mode="virtual",
                           topics=[]))
    db.session.commit()


def rows(kind: str | None = None, open_only: bool = False) -> list[Escalation]:
    query = db.select(Escalation).order_by(Escalation.id)
    if kind:
        query = query.where(Escalation.kind == kind)
    if open_only:
        query = query.where(Escalation.resolved_at.is_(None))
    db.session.expire_all()
    return list(db.session.scalars(query))


def waiting_match(mentor, status=MatchStatus.ACCEPTED_BY_MENTEE, created: datetime | None = None, program=None):
    mentee = make_user("mentee", program=program)
    match = Match(program_id=(program or default_program()).id, mentee_id=mentee.id, mentor_id=mentor.id,
                  origin=MatchOrigin.REQUEST, status=status, created_at=created or at(0))
    db.session.add(match)
    db.session.commit()
    return match


@pytest.fixture
def here(app_ctx):
    return default_program()


# --- quiet pairs ----------------------------------------------------------------------------------

def test_a_quiet_pair_is_escalated_on_the_21st_day_after_its_last_meeting_and_only_once(here):
    agreement = active_pair(met=(START + timedelta(days=5),))
    escalations.raise_due(at(25))  # day 20 after the meeting
    assert rows(escalations.QUIET) == []
    assert escalations.raise_due(at(26)) == 1  # day 21
    assert escalations.raise_due(at(26)) == 0
    assert escalations.raise_due(at(40)) == 0  # the same quiet streak, later
    [row] = rows(escalations.QUIET)
    assert (row.program_id, row.subject, row.period) == (here.id, f"agreement:{agreement.id}", "2030-03-09")
    assert row.reason == "Dana Okafor and Grace Ho have logged no meeting for 21 days (last on 9 Mar 2030)."
    assert row.action == "Nudge the pair or check in with them"
    assert row.path == f"/coordinator/people/{agreement.match.mentee_id}"
    assert row.resolved_at is None and zones.as_utc(row.created_at) == at(26)


def test_a_pair_that_never_met_is_counted_from_its_agreed_start(here):
    active_pair(start=START)
    escalations.raise_due(at(20))
    assert rows(escalations.QUIET) == []
    escalations.raise_due(at(22))
    [row] = rows(escalations.QUIET)
    assert row.period == "start:2030-03-04"
    assert "for 22 days (none since their agreed start on 4 Mar 2030)" in row.reason


def test_a_meeting_resolves_the_escalation_and_a_new_quiet_streak_escalates_again(here):
    agreement = active_pair()
    escalations.raise_due(at(21))
    [first] = rows(escalations.QUIET, open_only=True)
    log_meeting(agreement, START + timedelta(days=24))
    assert escalations.raise_due(at(25)) == 0
    [resolved] = rows(escalations.QUIET)
    assert resolved.id == first.id and zones.as_utc(resolved.resolved_at) == at(25)
    assert resolved.resolved_by_id is None
    escalations.raise_due(at(24 + 20))
    assert rows(escalations.QUIET, open_only=True) == []
    assert escalations.raise_due(at(24 + 21)) == 1
    [again] = rows(escalations.QUIET, open_only=True)
    assert again.id != first.id and again.period == "2030-03-28"


def test_an_ended_pair_is_not_escalated_and_its_open_escalation_resolves(here):
    agreement = active_pair()
    escalations.raise_due(at(30))
    assert len(rows(escalations.QUIET, open_only=True)) == 1
    agreement.status, agreement.match.status = AgreementStatus.ENDED, MatchStatus.ENDED
    db.session.commit()
    escalations.raise_due(at(31))
    assert rows(escalations.QUIET, open_only=True) == [] and len(rows(escalations.QUIET)) == 1


def test_each_program_escalates_after_its_own_number_of_quiet_days(here):
    brisk = make_program("Brisk program")
    brisk.escalate_quiet_days = 10
    db.session.commit()
    active_pair(program=brisk, names=("Ann Brisk", "Bo Brisk"))
    active_pair(program=here)
    escalations.raise_due(at(10))
    assert [(r.program_id, r.reason.split(" and ")[0]) for r in rows(escalations.QUIET)] == [(brisk.id, "Ann Brisk")]
    escalations.raise_due(at(21))
    assert sorted(r.program_id for r in rows(escalations.QUIET)) == sorted([brisk.id, here.id])


def test_raising_takes_a_fixed_number_of_queries_whatever_the_number_of_pairs(here):
    def queries_of_a_quiet_run(pairs: int) -> int:
        for n in range(pairs):
            active_pair(names=(f"Mentee {pairs}-{n}", f"Mentor {pairs}-{n}"))
        escalations.raise_due(at(30))  # writes them
        with count_statements() as seen:
            assert escalations.raise_due(at(31)) == 0
        return len(seen)

    small = queries_of_a_quiet_run(1)
    assert queries_of_a_quiet_run(6) == small


# --- unanswered mentors ---------------------------------------------------------------------------

def test_a_mentor_who_leaves_requests_unanswered_is_escalated_once_per_streak(here):
    mentor = make_user("mentor", name="Grace Ho", capacity=5)
    oldest = waiting_match(mentor, created=at(0))
    newer = waiting_match(mentor, status=MatchStatus.PROPOSED, created=at(2))  # a round's proposal
    other = make_user("mentor", name="Otto Mentor")
    waiting_match(other, status=MatchStatus.ACCEPTED_BY_MENTOR, created=at(0))  # waits for the mentee, not him
    escalations.raise_due(at(6))
    assert rows(escalations.UNANSWERED) == []
    assert escalations.raise_due(at(7)) == 1
    [row] = rows(escalations.UNANSWERED)
    assert (row.subject, row.period) == (f"user:{mentor.id}", "2030-03-04")
    assert row.reason == ("Grace Ho has left a request or proposal unanswered; the oldest has waited 7 days "
                          "(since 4 Mar 2030).")
    assert row.action == "Remind the mentor or offer the mentee another mentor"
    assert row.path == "/coordinator/queues/waiting?days=7"
    assert escalations.raise_due(at(9)) == 0  # same streak, now with two waiting
    # He answers the oldest; the newer one has waited 7 days too: the streak goes on from it.
    oldest.status = MatchStatus.DECLINED
    db.session.commit()
    escalations.raise_due(at(9))
    assert [(r.period, r.resolved_at is None) for r in rows(escalations.UNANSWERED)] == [
        ("2030-03-04", False), ("2030-03-06", True)]
    newer.status = MatchStatus.ACTIVE
    db.session.commit()
    escalations.raise_due(at(10))
    assert rows(escalations.UNANSWERED, open_only=True) == []


def test_a_program_may_wait_longer_for_mentors(here):
    here.escalate_unanswered_days = 14
    db.session.commit()
    mentor = make_user("mentor", name="Grace Ho")
    waiting_match(mentor, created=at(0))
    escalations.raise_due(at(13))
    assert rows(escalations.UNANSWERED) == []
    escalations.raise_due(at(14))
    assert "waited 14 days" in rows(escalations.UNANSWERED)[0].reason


# --- unmatched mentees ----------------------------------------------------------------------------

def test_a_mentee_unmatched_30_days_after_enrolling_is_escalated_then_resolved_once_matched(here):
    mentee = make_user("mentee", name="Dana Okafor")
    enrolled = membership(mentee)
    enrolled.created_at = at(0)
    db.session.commit()
    escalations.raise_due(at(29))
    assert rows(escalations.UNMATCHED) == []
    assert escalations.raise_due(at(30)) == 1
    assert escalations.raise_due(at(45)) == 0
    [row] = rows(escalations.UNMATCHED)
    assert (row.subject, row.period) == (f"user:{mentee.id}", f"membership:{enrolled.id}")
    assert row.reason == "Dana Okafor has had no mentor for 30 days since enrolling on 4 Mar 2030."
    assert row.path == f"/coordinator/pairs/new?mentee_id={mentee.id}"
    mentor = make_user("mentor")
    db.session.add(Match(program_id=here.id, mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.MANUAL,
                         status=MatchStatus.ACTIVE, created_at=at(46)))
    db.session.commit()
    escalations.raise_due(at(46))
    [row] = rows(escalations.UNMATCHED)
    assert zones.as_utc(row.resolved_at) == at(46)


def test_the_unmatched_threshold_is_per_program(here):
    other = make_program("Short wait")
    other.escalate_unmatched_days = 5
    db.session.commit()
    for program in (here, other):
        member = membership(make_user("mentee", program=program), program)
        member.created_at = at(0)
    db.session.commit()
    escalations.raise_due(at(5))
    assert [r.program_id for r in rows(escalations.UNMATCHED)] == [other.id]


# --- resolving by hand, settings, the list ------------------------------------------------------

def test_a_coordinator_resolves_an_escalation_of_their_program_once(here):
    coordinator = make_user("coordinator")
    active_pair()
    escalations.raise_due(at(21))
    [row] = rows(escalations.QUIET)
    other = make_program("Elsewhere")
    with pytest.raises(escalations.EscalationNotFound):
        escalations.resolve(other, row.id, coordinator)
    done = escalations.resolve(here, row.id, coordinator)
    assert done.resolved_by_id == coordinator.id and done.resolved_at is not None
    with pytest.raises(escalations.AlreadyResolved):
        escalations.resolve(here, row.id, coordinator)
    assert escalations.raise_due(at(23)) == 0  # this quiet streak stays resolved
    assert rows(escalations.QUIET, open_only=True) == []


def test_thresholds_out_of_range_are_refused_and_nothing_changes(here):
    coordinator = make_user("coordinator")
    with pytest.raises(escalations.SettingsError) as refused:
        escalations.update_settings(here, 0, 91, 400, coordinator)
    assert set(refused.value.errors) == {"quiet_days", "unanswered_days", "unmatched_days"}
    db.session.expire_all()
    assert escalations.settings_of(here) == {"quiet_days": 21, "unanswered_days": 7, "unmatched_days": 30}
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 0
    escalations.update_settings(here, 14, 90, 365, coordinator)
    db.session.expire_all()
    assert escalations.settings_of(here) == {"quiet_days": 14, "unanswered_days": 90, "unmatched_days": 365}
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.program_id, entry.before["quiet_days"], entry.after["quiet_days"]) == (
        "program_changed", here.id, 21, 14)


def test_the_open_list_filters_by_kind_and_pages(here):
    active_pair()
    for n in range(3):
        membership(make_user("mentee", name=f"Waiting {n}")).created_at = at(-40)
    db.session.commit()
    escalations.raise_due(at(30))
    page = escalations.open_escalations(here, 1, 2)
    assert (page.total, page.pages, len(page.items)) == (4, 2, 2)
    only = escalations.open_escalations(here, 1, 25, kind=escalations.QUIET)
    assert [r.kind for r in only.items] == [escalations.QUIET] and only.filters == {"kind": escalations.QUIET}
    assert escalations.open_escalations(here, 1, 25, kind="nonsense").total == 4
    assert escalations.open_counts(here) == {escalations.QUIET: 1, escalations.UNMATCHED: 3}
    assert escalations.open_escalations(make_program("Empty"), 1, 25).total == 0


# --- the weekly digest ----------------------------------------------------------------------------

@pytest.fixture
def digest_outbox(app, app_ctx) -> Outbox:
    return Outbox(app)


def coordinator_in(zone: str, **kwargs):
    user = make_user("coordinator", **kwargs)
    save_profile(user, profile_input("mentor", time_zone=zone))
    return user


def test_no_digest_when_nothing_is_open(here, digest_outbox):
    coordinator_in("UTC")
    assert escalations.send_weekly_digests(at(0)) == 0
    assert len(digest_outbox) == 0


def test_each_coordinator_gets_one_digest_a_week_in_their_daytime(here, digest_outbox, app):
    chicago = coordinator_in("America/Chicago", email="chicago@example.org", name="Cora Chicago")
    coordinator_in("UTC", email="utc@example.org")
    membership(make_user("mentee", name="Una Waiting")).created_at = at(-40)
    db.session.commit()
    escalations.raise_due(at(0))
    # Monday 10:00 UTC is 04:00 in Chicago: only the UTC coordinator's digest goes.
    assert escalations.send_weekly_digests(at(0, hour=10)) == 1
    assert [e.to for e in digest_outbox] == ["utc@example.org"]
    assert escalations.send_weekly_digests(at(0, hour=15)) == 1  # 09:00 in Chicago
    for later in (at(0, hour=16), at(2, hour=15), at(6, hour=15)):
        assert escalations.send_weekly_digests(later) == 0
    emails = digest_outbox.emails()
    assert sorted(e.to for e in emails) == ["chicago@example.org", "utc@example.org"]
    mail = next(e for e in emails if e.to == chicago.email)
    assert mail.subject == "Test program: 1 escalation this week"
    assert "Mentees without a mentor: 1" in mail.body and "Una Waiting has had no mentor" in mail.body
    assert "Suggested: Pair by hand or include in the next round." in mail.body
    assert app.config["BASE_URL"].rstrip("/") + "/coordinator/escalations" in mail.body
    # The next week brings one more each.
    assert escalations.send_weekly_digests(at(7, hour=15)) == 2


def test_a_missed_monday_sends_the_digest_later_that_week(here, digest_outbox):
    coordinator_in("UTC")
    membership(make_user("mentee")).created_at = at(-40)
    db.session.commit()
    escalations.raise_due(at(2))
    assert escalations.send_weekly_digests(at(2, hour=3)) == 0  # night
    assert escalations.send_weekly_digests(at(2, hour=9)) == 1  # Wednesday morning
    assert len(digest_outbox) == 1
