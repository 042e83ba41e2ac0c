"""Review queues: unmatched reasons, reminders, declines, cadence actions, flags; every action audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import AgreementStatus, AuditEntry, Match, MatchOrigin, MatchStatus, Notification, ReviewFlag
from mentormatch.models.user import utcnow
from mentormatch.services.console import queues
from tests.factories import default_program, make_program, make_user
from tests.services.test_console_stats import build_program


@pytest.fixture
def here(app_ctx):
    return default_program()


@pytest.fixture
def coordinator(here):
    return make_user("coordinator", name="Cora Coordinator")


def test_unmatched_mentees_come_with_the_reason_they_are_unmatched(here, coordinator):
    make_user("mentor", specialties=["hematology"], capacity=2)
    ready = make_user("mentee", name="Ready", specialties=["hematology"])
    make_user("mentee", name="No places", specialties=["histotechnology"])
    make_user("mentee", name="Incomplete", goals=[])
    make_user("mentee", name="No profile", profile=False)
    found = {row.name: row.reason for row in queues.unmatched(here, 1, 25).items}
    assert found == {"Ready": queues.READY, "No places": queues.NO_PLACES, "Incomplete": queues.INCOMPLETE,
                     "No profile": queues.NO_PROFILE}
    assert [r.id for r in queues.unmatched(here, 1, 25, reason=queues.READY).items] == [ready.id]
    assert [r.name for r in queues.unmatched(here, 1, 25, specialty="histotechnology").items] == ["No places"]
    assert [r.name for r in queues.unmatched(here, 1, 25, name="no pro").items] == ["No profile"]


def test_the_queue_is_paginated(here, coordinator):
    for _ in range(5):
        make_user("mentee")
    page = queues.unmatched(here, 2, 2)
    assert (page.page, page.pages, page.total, len(page.items)) == (2, 3, 5, 2)


def test_proposals_waiting_longer_than_n_days_get_a_reminder_to_whoever_must_answer(here, coordinator):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    old = Match(program_id=here.id, mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.REQUEST,
                status=MatchStatus.ACCEPTED_BY_MENTEE, created_at=utcnow() - timedelta(days=9))
    db.session.add(old)
    db.session.commit()
    assert queues.waiting_proposals(here, 1, 25, older_than_days=10).total == 0
    assert [m.id for m in queues.waiting_proposals(here, 1, 25, older_than_days=7).items] == [old.id]
    assert queues.send_reminder(old, coordinator) == [mentor]
    note = db.session.scalar(db.select(Notification))
    assert note.user_id == mentor.id and "Reminder" in note.text
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.target_type, entry.target_id, entry.program_id) == (
        "reminder_sent", "match", old.id, here.id)


def test_declined_proposals_show_their_reasons_filtered(here, coordinator):
    build_program(2)
    assert queues.declined(here, 1, 25).total == 2
    assert queues.declined(here, 1, 25, reason="no_time").total == 2
    assert queues.declined(here, 1, 25, reason="schedule").total == 0


def test_pairs_behind_cadence_are_listed_latest_first_and_can_be_nudged_or_ended(here):
    ids = build_program(4)
    coordinator = db.session.get(type(make_user("mentee")), ids["coordinator_id"])
    behind = queues.behind_cadence(here, 1, 25).items
    assert len(behind) == 2 and all(row.cadence.state == "overdue" for row in behind)
    assert queues.behind_cadence(here, 1, 25, state="due_soon").total == 0
    queues.nudge(here, behind[0].agreement_id, coordinator)
    told = set(db.session.scalars(db.select(Notification.user_id)))
    assert told == {behind[0].mentee.id, behind[0].mentor.id}
    ended = queues.end_pair(here, behind[1].agreement_id, coordinator, "schedule", "Try someone else", rematch=True)
    assert ended.status == AgreementStatus.ENDED and ended.match.status == MatchStatus.ENDED
    assert queues.behind_cadence(here, 1, 25).total == 1
    assert behind[1].mentee.id in [r.id for r in queues.unmatched(here, 1, 25).items]
    with pytest.raises(queues.QueueError):
        queues.nudge(here, behind[1].agreement_id, coordinator)
    recent = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(2)))
    assert recent == ["rematch", "nudge_sent"]


def test_flagged_profiles_are_listed_with_who_flagged_them(here):
    build_program(4)
    page = queues.flagged(here, 1, 25)
    assert page.total == db.session.scalar(db.select(db.func.count()).select_from(ReviewFlag)) == 1
    flag, user, by = page.items[0]
    assert user.id == flag.user_id and by.coordinates(here.id)


def test_a_coordinator_sees_no_queue_row_and_reaches_no_pair_of_another_program(here):
    ids = build_program(3)
    other = make_program("Supervisor track")
    make_user("mentee", name="Elsewhere", program=other)
    assert [r.name for r in queues.unmatched(other, 1, 25).items] == ["Elsewhere"]
    assert "Elsewhere" not in [r.name for r in queues.unmatched(here, 1, 25).items]
    for empty in (queues.waiting_proposals(other, 1, 25, 0), queues.declined(other, 1, 25),
                  queues.behind_cadence(other, 1, 25), queues.flagged(other, 1, 25)):
        assert empty.total == 0 and empty.items == []
    mine = queues.behind_cadence(here, 1, 25).items[0]
    coordinator = db.session.get(type(make_user("mentee")), ids["coordinator_id"])
    assert queues.get_agreement(other, mine.agreement_id) is None
    with pytest.raises(queues.QueueError):
        queues.nudge(other, mine.agreement_id, coordinator)
    with pytest.raises(queues.QueueError):
        queues.end_pair(other, mine.agreement_id, coordinator, "schedule")
    assert queues.behind_cadence(here, 1, 25).total == 2  # untouched


def test_a_pair_is_nudged_at_most_once_a_day_whoever_nudges(here, monkeypatch):
    ids = build_program(4)
    coordinator = db.session.get(type(make_user("mentee")), ids["coordinator_id"])
    other = make_user("coordinator", name="Otto Other")
    row = queues.behind_cadence(here, 1, 25).items[0]
    assert row.last_nudged is not None and row.next_nudge is None  # build_program nudged it two days ago
    queues.nudge(here, row.agreement_id, coordinator)
    row = next(r for r in queues.behind_cadence(here, 1, 25).items if r.agreement_id == row.agreement_id)
    assert utcnow() - row.last_nudged < timedelta(minutes=1)
    assert row.next_nudge == row.last_nudged + queues.NUDGE_GAP
    with pytest.raises(queues.NudgeTooSoon) as refused:
        queues.nudge(here, row.agreement_id, other)
    assert refused.value.last == row.last_nudged and refused.value.next == row.next_nudge
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 2  # one nudge: two people
    later = utcnow() + queues.NUDGE_GAP + timedelta(minutes=1)
    monkeypatch.setattr(queues, "utcnow", lambda: later)  # a day later (the audit log itself never changes)
    queues.nudge(here, row.agreement_id, other)
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 4


def test_the_last_nudges_of_a_queue_page_are_read_in_one_query(here):
    build_program(4)
    from tests.querycount import count_statements
    ids = [row.agreement_id for row in queues.behind_cadence(here, 1, 25).items]
    with count_statements() as seen:
        found = queues.last_nudges(here, ids)
    assert len(seen) == 1 and set(found) == set(ids)
    assert queues.last_nudges(make_program("Elsewhere"), ids) == {}  # another program's log says nothing here
