"""Email confirmation, change of email address, and deleting one's account."""

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, Match, MatchOrigin, MatchStatus, Meeting, Notification, PrivateNote, Profile, User,
)
from mentormatch.services import agreements
from tests.factories import PASSWORD, make_pair, make_user
from tests.outbox import Outbox


@pytest.fixture
def outbox(app):
    """Account emails are written by the worker: each read runs the queue first."""
    return Outbox(app, run_queue=True)


def _path(outbox, prefix, to=None):
    """The path of the newest link starting with ``prefix`` (in the newest email to ``to``)."""
    email = [e for e in outbox if to is None or e.to == to][-1]
    return re.search(rf"http://[^/]+({prefix}/\S+)", email.body).group(1)


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        found = {"email": user.email, "name": user.name, "confirmed": user.email_confirmed_at is not None,
                 "active": user.active, "deleted": user.deleted_at is not None}
        db.session.remove()
    return found


def test_signing_up_emails_a_link_that_confirms_the_address(app, client, outbox):
    client.post("/auth/signup", data={"role": "mentee", "name": "Ada", "email": "ada@example.org",
                                      "password": PASSWORD, "confirm": PASSWORD})
    assert [e.to for e in outbox] == ["ada@example.org"]
    client.post("/auth/login", data={"email": "ada@example.org", "password": PASSWORD})
    assert "Please confirm your email address" in client.get("/home").get_data(as_text=True)
    client.get(_path(outbox, "/auth/confirm"))
    page = client.get("/home").get_data(as_text=True)
    assert "Please confirm your email address" not in page
    with app.app_context():
        assert db.session.scalar(db.select(User.email_confirmed_at).where(User.email == "ada@example.org"))


def test_a_forged_confirmation_link_confirms_nothing(app, client, person):
    mentee = person("mentee", confirmed=False)
    client.get("/auth/confirm/not-a-real-token")
    assert _user(app, mentee.id)["confirmed"] is False


def test_the_confirmation_link_can_be_sent_again(client, person, login, outbox):
    mentee = person("mentee", confirmed=False)
    login(mentee)
    client.post("/auth/confirm")
    assert [e.to for e in outbox] == [mentee.email]


def test_changing_the_email_needs_the_password_and_a_link_sent_to_the_new_address(app, client, person, login,
                                                                                  outbox):
    mentor = person("mentor")
    login(mentor)
    wrong = client.post("/auth/email", data={"email": "new@example.org", "password": "not my password"})
    assert "That is not your current password." in wrong.get_data(as_text=True) and outbox == []
    client.post("/auth/email", data={"email": "New@Example.org", "password": PASSWORD})
    assert sorted(e.to for e in outbox) == sorted(["new@example.org", mentor.email])  # the old address is told
    assert _user(app, mentor.id)["email"] == mentor.email  # nothing changes before the link is followed
    client.get(_path(outbox, "/auth/email", to="new@example.org"))
    assert _user(app, mentor.id)["email"] == "new@example.org"
    assert app.test_client().post("/auth/login", data={"email": "new@example.org", "password": PASSWORD}).status_code == 302


def test_asking_for_an_address_another_account_uses_answers_the_same_and_tells_its_owner(client, person, login,
                                                                                        outbox, app):
    owner = person("mentee", email="taken@example.org")
    mentor = person("mentor")
    login(mentor)
    taken = client.post("/auth/email", data={"email": "taken@example.org", "password": PASSWORD},
                        follow_redirects=True).get_data(as_text=True)
    free = client.post("/auth/email", data={"email": "free@example.org", "password": PASSWORD},
                       follow_redirects=True).get_data(as_text=True)
    assert taken.replace("taken@example.org", "X") == free.replace("free@example.org", "X")
    to_owner = [e for e in outbox if e.to == owner.email]
    assert [e.subject for e in to_owner] == ["MentorMatch: someone tried to use your address"]
    assert _user(app, mentor.id)["email"] == mentor.email and _user(app, owner.id)["email"] == owner.email


def test_the_old_address_can_cancel_a_pending_change(client, person, login, outbox, app):
    mentor = person("mentor")
    login(mentor)
    client.post("/auth/email", data={"email": "new@example.org", "password": PASSWORD})
    link = _path(outbox, "/auth/email", to="new@example.org")
    cancel = _path(outbox, "/auth/email/cancel", to=mentor.email)
    assert client.get(cancel).status_code == 200 and _user(app, mentor.id)["email"] == mentor.email  # GET asks
    app.test_client().post(cancel)
    client.get(link)
    assert _user(app, mentor.id)["email"] == mentor.email


def test_an_email_change_link_dies_with_a_password_change(client, person, login, outbox, app):
    mentor = person("mentor")
    login(mentor)
    client.post("/auth/email", data={"email": "new@example.org", "password": PASSWORD})
    link = _path(outbox, "/auth/email", to="new@example.org")
    new_password = "another long password 42"
    client.post("/auth/password", data={"current": PASSWORD, "password": new_password, "confirm": new_password})
    client.get(link)
    assert _user(app, mentor.id)["email"] == mentor.email


def test_an_email_change_link_expires_after_a_day(client, person, login, outbox, app, monkeypatch):
    from mentormatch.services import account_email

    mentor = person("mentor")
    login(mentor)
    client.post("/auth/email", data={"email": "new@example.org", "password": PASSWORD})
    monkeypatch.setattr(account_email, "CHANGE_MAX_AGE", -1)
    client.get(_path(outbox, "/auth/email", to="new@example.org"))
    assert _user(app, mentor.id)["email"] == mentor.email


def _pair_with_history(app):
    with app.app_context():
        match = make_pair("Leaving Mentee", "Staying Mentor")
        mentee, mentor, agreement = match.mentee, match.mentor, match.agreement
        today = agreements.today()
        from datetime import timedelta

        version = agreements.propose_terms(agreement, mentee, agreements.TermsInput(
            "monthly", "virtual", today, today + timedelta(days=180), ["specialty:hematology"]))
        agreements.confirm_terms(agreement, mentor, version.number)
        agreements.log_meeting(agreement, mentee, agreements.MeetingInput(
            today, 45, "virtual", ["specialty:hematology"], shared_notes="Talked about the SH exam",
            private_note="Mentee's own worries"))
        other = make_user("mentor")
        pending = Match(program_id=match.program_id, mentee_id=mentee.id, mentor_id=other.id,
                        origin=MatchOrigin.ROUND,
                        status=MatchStatus.PROPOSED)
        db.session.add(pending)
        db.session.commit()
        ids = {"mentee": mentee.id, "mentee_email": mentee.email, "mentor": mentor.id, "match": match.id,
               "pending": pending.id, "other": other.id}
        db.session.remove()
    return ids


def test_deleting_an_account_removes_personal_data_and_keeps_the_other_partys_history(app, client, login):
    ids = _pair_with_history(app)
    login(ids["mentee_email"])
    refused = client.post("/auth/delete", data={"password": PASSWORD})
    assert "Tick the box to confirm." in refused.get_data(as_text=True)
    assert client.post("/auth/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302

    gone = _user(app, ids["mentee"])
    assert gone["name"] == "Former participant" and ids["mentee_email"] not in gone["email"]
    assert gone["active"] is False and gone["deleted"] is True
    with app.app_context():
        assert db.session.scalar(db.select(Profile).where(Profile.user_id == ids["mentee"])) is None
        assert db.session.scalars(db.select(Notification).where(Notification.user_id == ids["mentee"])).all() == []
        assert db.session.scalars(db.select(PrivateNote).where(PrivateNote.author_id == ids["mentee"])).all() == []
        ended = db.session.get(Match, ids["match"])
        assert ended.status == MatchStatus.ENDED
        assert db.session.scalar(db.select(Agreement.status).where(Agreement.match_id == ids["match"])) == "ended"
        assert db.session.get(Match, ids["pending"]).status == MatchStatus.WITHDRAWN
        meeting = db.session.scalar(db.select(Meeting))  # the shared record stays, without her words
        assert meeting.logged_by_id == ids["mentee"] and meeting.shared_notes == ""
        db.session.remove()
    assert app.test_client().post("/auth/login", data={"email": ids["mentee_email"], "password": PASSWORD}
                                  ).status_code == 200

    mentor_client = app.test_client()
    with app.app_context():
        mentor_email = db.session.get(User, ids["mentor"]).email
    mentor_client.post("/auth/login", data={"email": mentor_email, "password": PASSWORD})
    history = mentor_client.get(f"/matches/{ids['match']}").get_data(as_text=True)
    assert "Former participant" in history and "Leaving Mentee" not in history


def test_a_wrong_password_deletes_nothing(app, client, person, login):
    mentee = person("mentee")
    login(mentee)
    page = client.post("/auth/delete", data={"password": "not my password", "understood": "y"})
    assert "That is not your current password." in page.get_data(as_text=True)
    assert _user(app, mentee.id)["deleted"] is False
