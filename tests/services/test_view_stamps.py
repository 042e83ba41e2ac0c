"""Stamps: who gets one for which change, and pruning that keeps every stamp as it was."""

from __future__ import annotations

from datetime import timedelta

from mentormatch.extensions import db
from mentormatch.models import Notification, ViewChange
from mentormatch.models.user import utcnow
from mentormatch.services import matches
from mentormatch.services.view_stamps import prune_view_changes, stamp_of
from tests.factories import make_user


def test_a_match_changes_the_stamps_of_both_people_and_nobody_elses(app_ctx):
    mentee, mentor, bystander = make_user("mentee"), make_user("mentor"), make_user("mentor")
    before = {user.id: stamp_of(user.id).change for user in (mentee, mentor, bystander)}
    matches.request_mentor(mentee, mentor.id, "Could we talk about the MLS route?")
    after = {user.id: stamp_of(user.id).change for user in (mentee, mentor, bystander)}
    assert after[mentee.id] > before[mentee.id]
    assert after[mentor.id] > before[mentor.id]
    assert after[bystander.id] == before[bystander.id]


def test_a_notification_changes_the_unread_count_not_the_stamp(app_ctx):
    mentee = make_user("mentee")
    before = stamp_of(mentee.id)
    db.session.add(Notification(user_id=mentee.id, kind="proposal", text="A proposal"))
    db.session.commit()
    after = stamp_of(mentee.id)
    assert (after.change, after.unread) == (before.change, before.unread + 1)


def test_no_stamp_for_an_account_that_does_not_exist(app_ctx):
    assert stamp_of(987654) is None


def test_pruning_removes_old_rows_but_keeps_each_persons_newest(app_ctx):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    matches.request_mentor(mentee, mentor.id, "")
    stamps = {user.id: stamp_of(user.id).change for user in (mentee, mentor)}
    rows = db.session.scalar(db.select(db.func.count()).select_from(ViewChange))
    db.session.execute(db.update(ViewChange).values(changed_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert prune_view_changes() == rows - 2
    assert {user.id: stamp_of(user.id).change for user in (mentee, mentor)} == stamps


def test_pruning_keeps_recent_rows(app_ctx):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    matches.request_mentor(mentee, mentor.id, "")
    rows = db.session.scalar(db.select(db.func.count()).select_from(ViewChange))
    assert prune_view_changes() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ViewChange)) == rows
