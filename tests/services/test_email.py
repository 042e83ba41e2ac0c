"""Emails are outbox rows written with the change that caused them, and delivered by the worker."""

from datetime import timedelta, timezone

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, OutboxEmail
from mentormatch.models.user import utcnow
from mentormatch.services import matches, outbox as outbox_service
from tests.factories import default_program, make_user
from tests.mailserver import free_port, smtp_server


@pytest.fixture
def inbox(app, monkeypatch):
    with smtp_server() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        yield server


def aware(moment):
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def deliver_all() -> outbox_service.Delivery:
    ids = list(db.session.scalars(db.select(OutboxEmail.id).order_by(OutboxEmail.id)))
    return outbox_service.deliver(ids)


def test_each_match_event_queues_an_email_to_the_right_person(app_ctx, outbox):
    mentee = make_user("mentee", email="mia@lab.example.org", name="Mia")
    mentor = make_user("mentor", email="omar@lab.example.org", name="Omar")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "hi")
    matches.accept(match, mentor)
    assert [e.to for e in outbox] == ["omar@lab.example.org", "mia@lab.example.org", "omar@lab.example.org"]
    first = outbox[0]
    assert first.subject == "MentorMatch: A mentee asked you to be their mentor"
    assert "Mia asked you to be their mentor." in first.body and f"/matches/{match.id}" in first.body


@pytest.mark.parametrize("event, subject", [
    ("decline", "A mentoring match was declined"),
    ("withdraw", "A mentoring match was withdrawn"),
    ("expire", "A mentoring match expired"),
])
def test_declines_withdrawals_and_expiries_are_emailed(app_ctx, outbox, event, subject):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    outbox.clear()
    if event == "decline":
        matches.decline(match, mentor, "no_time")
    elif event == "withdraw":
        matches.withdraw(match, mentee)
    else:
        assert matches.expire_overdue(utcnow() + timedelta(days=30)) == 1
    assert len(outbox) and all(e.subject == f"MentorMatch: {subject}" for e in outbox)


def test_nothing_is_queued_when_the_transition_fails(app_ctx, outbox):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = Match(program_id=default_program().id, mentee_id=mentee.id, mentor_id=mentor.id,
                  status=MatchStatus.ACTIVE, origin=MatchOrigin.ROUND)
    db.session.add(match)
    db.session.commit()
    with pytest.raises(matches.MatchError):
        matches.decline(match, mentor, "other")
    assert outbox == []


def test_delivery_sends_each_row_once_over_smtp_and_marks_it_sent(app_ctx, inbox):
    mentee, mentor = make_user("mentee", name="Mia"), make_user("mentor", email="omar@lab.example.org")
    matches.request_mentor(mentee, default_program(), mentor.id, "")
    assert deliver_all() == outbox_service.Delivery(sent=1, failed=0, retry_in=None)
    assert deliver_all().sent == 0  # already sent: a second task for the same rows sends nothing
    assert [to for to, _ in inbox.messages] == [["omar@lab.example.org"]]
    assert "Subject: MentorMatch: A mentee asked you to be their mentor" in inbox.messages[0][1]
    row = db.session.scalar(db.select(OutboxEmail))
    assert row.sent_at is not None and row.attempts == 1 and row.claimed_until is None


def test_an_unreachable_mail_server_keeps_the_email_for_a_later_try(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "OUTBOX_RETRY_SECONDS", 10)
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    assert db.session.get(Match, match.id).status == MatchStatus.ACCEPTED_BY_MENTEE  # the action stands
    result = deliver_all()
    assert (result.sent, result.failed, result.retry_in) == (0, 0, 10)
    row = db.session.scalar(db.select(OutboxEmail))
    db.session.refresh(row)
    assert row.sent_at is None and row.attempts == 1 and row.claimed_until is None
    assert aware(row.next_attempt_at) > utcnow() + timedelta(seconds=8) and "ConnectionRefusedError" in row.last_error
    assert deliver_all().sent == 0  # not due yet


def test_the_backoff_doubles_up_to_its_ceiling(app):
    config = {"OUTBOX_RETRY_SECONDS": 5, "OUTBOX_RETRY_MAX_SECONDS": 60}
    assert [outbox_service.backoff(n, config) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_after_the_last_attempt_the_row_is_given_up_not_retried_forever(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 1)
    matches.request_mentor(make_user("mentee"), default_program(), make_user("mentor").id, "")
    assert deliver_all() == outbox_service.Delivery(sent=0, failed=1, retry_in=None)
    assert db.session.scalar(db.select(OutboxEmail)).failed_at is not None
    assert outbox_service.due_rows() == []


def test_a_refused_address_is_given_up_while_the_others_are_sent(app_ctx, inbox):
    inbox.refuse("bad@lab.example.org")
    for address in ("good@lab.example.org", "bad@lab.example.org", "fine@lab.example.org"):
        mentor = make_user("mentor", email=address)
        matches.request_mentor(make_user("mentee"), default_program(), mentor.id, "")
    result = deliver_all()
    assert (result.sent, result.failed) == (2, 1)
    assert sorted(to[0] for to, _ in inbox.messages) == ["fine@lab.example.org", "good@lab.example.org"]


def test_rows_left_unsent_past_the_grace_and_unclaimed_are_due_for_the_sweep(app, app_ctx, monkeypatch):
    matches.request_mentor(make_user("mentee"), default_program(), make_user("mentor").id, "")
    row_id = db.session.scalar(db.select(OutboxEmail.id))
    assert outbox_service.due_rows() == []  # just written: its own task is on the way
    monkeypatch.setitem(app.config, "OUTBOX_SWEEP_GRACE_SECONDS", -1)
    assert outbox_service.due_rows() == [row_id]
    db.session.execute(db.update(OutboxEmail).values(claimed_until=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert outbox_service.due_rows() == []  # a live worker holds it
    db.session.execute(db.update(OutboxEmail).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert outbox_service.due_rows() == [row_id]  # its worker died: the claim lapsed


def test_old_sent_rows_are_pruned_and_unsent_ones_kept(app_ctx):
    matches.request_mentor(make_user("mentee"), default_program(), make_user("mentor").id, "")
    matches.request_mentor(make_user("mentee"), default_program(), make_user("mentor").id, "")
    first, second = db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.id)).all()
    first.sent_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert outbox_service.prune() == 1
    assert db.session.scalars(db.select(OutboxEmail.id)).all() == [second.id]
