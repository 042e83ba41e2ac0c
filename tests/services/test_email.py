"""Notifications reach a real SMTP server when MAIL_SERVER is set."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus
from mentormatch.models.user import utcnow
from mentormatch.services import matches
from tests.factories import make_user


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", errors="replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app, monkeypatch):
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield handler
    controller.stop()


def test_each_match_event_sends_an_email_to_the_right_person(app_ctx, inbox):
    mentee = make_user("mentee", email="mia@lab.example.org", name="Mia")
    mentor = make_user("mentor", email="omar@lab.example.org", name="Omar")
    match = matches.request_mentor(mentee, mentor.id, "hi")
    matches.accept(match, mentor)
    recipients = [to for to, _ in inbox.messages]
    assert recipients == [["omar@lab.example.org"], ["mia@lab.example.org"], ["omar@lab.example.org"]]
    first = inbox.messages[0][1]
    assert "Subject: MentorMatch: A mentee asked you to be their mentor" in first
    assert "Mia asked you to be their mentor." in first
    assert f"/matches/{match.id}" in first


@pytest.mark.parametrize("event, subject", [
    ("decline", "A mentoring match was declined"),
    ("withdraw", "A mentoring match was withdrawn"),
    ("expire", "A mentoring match expired"),
])
def test_declines_withdrawals_and_expiries_are_emailed(app_ctx, inbox, event, subject):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = matches.request_mentor(mentee, mentor.id, "")
    inbox.messages.clear()
    if event == "decline":
        matches.decline(match, mentor, "no_time")
    elif event == "withdraw":
        matches.withdraw(match, mentee)
    else:
        matches.expire_overdue(utcnow() + timedelta(days=30))
    assert inbox.messages and all(f"Subject: MentorMatch: {subject}" in body for _, body in inbox.messages)


def test_nothing_is_emailed_when_the_transition_fails(app_ctx, inbox):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = Match(mentee_id=mentee.id, mentor_id=mentor.id, status=MatchStatus.ACTIVE, origin=MatchOrigin.ROUND)
    db.session.add(match)
    db.session.commit()
    with pytest.raises(matches.MatchError):
        matches.decline(match, mentor, "other")
    assert inbox.messages == []


def test_without_a_mail_server_the_email_is_logged(app_ctx, caplog):
    caplog.set_level("INFO", logger="mentormatch.mail")
    mentee, mentor = make_user("mentee"), make_user("mentor", email="logged@lab.example.org")
    matches.request_mentor(mentee, mentor.id, "")
    assert "to=logged@lab.example.org" in caplog.text


def test_an_unreachable_mail_server_does_not_undo_the_action(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens there
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = matches.request_mentor(mentee, mentor.id, "")
    assert db.session.get(Match, match.id).status == MatchStatus.ACCEPTED_BY_MENTEE
