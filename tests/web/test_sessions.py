"""Sessions the server can end: logout, credential changes, deactivation and 'log out of all other sessions'."""

from __future__ import annotations

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import User, UserSession
from mentormatch.services.console import people
from tests.factories import PASSWORD, default_program, make_user
from tests.outbox import Outbox

NEW = "a completely new password 7"


def browser(app, email: str, remember: bool = False):
    """A fresh test client logged in as ``email``."""
    client = app.test_client()
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/auth/login", data=data).status_code == 302
    return client


def cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token") if client.get_cookie(name)}


def replay(app, saved: dict[str, str]):
    """Another client that presents exactly these cookies, as a thief with a copy would."""
    thief = app.test_client()
    for name, value in saved.items():
        thief.set_cookie(name, value)
    return thief


def logged_in(client) -> bool:
    return client.get("/home").status_code == 200


@pytest.fixture
def mentor(person):
    return person("mentor")


def test_after_logout_neither_the_session_nor_the_remember_cookie_logs_in(app, mentor):
    client = browser(app, mentor.email, remember=True)
    saved = cookies(client)
    assert set(saved) == {"session", "remember_token"} and logged_in(replay(app, saved))
    client.post("/auth/logout")
    assert not logged_in(replay(app, saved))
    assert not logged_in(replay(app, {"remember_token": saved["remember_token"]}))


def test_each_login_gets_its_own_token_and_a_fresh_csrf_secret(app, mentor):
    app.config["WTF_CSRF_ENABLED"] = True  # the conftest's app fixture turns it off again
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as before:
        anonymous_secret = before["csrf_token"]
    client.post("/auth/login", data={"email": mentor.email, "password": PASSWORD, "remember": "y", "csrf_token": token})
    client.get("/home")  # renders the logout form: a CSRF secret for the new session
    with client.session_transaction() as after:
        assert after["csrf_token"] != anonymous_secret and after["_user_id"] != str(mentor.id)
    app.config["WTF_CSRF_ENABLED"] = False
    other = browser(app, mentor.email, remember=True)
    assert cookies(client)["remember_token"] != cookies(other)["remember_token"]


def test_a_password_change_logs_out_every_other_browser_but_not_this_one(app, mentor):
    here, there = browser(app, mentor.email), browser(app, mentor.email, remember=True)
    stolen = cookies(there)
    here.post("/auth/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert logged_in(here)
    assert not logged_in(there) and not logged_in(replay(app, {"remember_token": stolen["remember_token"]}))
    changed = [e for e in Outbox(app) if e.subject == "MentorMatch: your password was changed"]
    assert [e.to for e in changed] == [mentor.email]


def test_a_password_reset_logs_out_every_browser(app, mentor):
    one, two = browser(app, mentor.email), browser(app, mentor.email, remember=True)
    app.test_client().post("/auth/reset", data={"email": mentor.email})
    link = re.search(r"http://[^/]+(/auth/reset/\S+)", Outbox(app, run_queue=True)[-1].body).group(1)
    app.test_client().post(link, data={"password": NEW, "confirm": NEW})
    assert not logged_in(one) and not logged_in(two)


def test_a_reset_link_works_once_and_a_newer_one_voids_it(app, client, mentor):
    emails = Outbox(app, run_queue=True)
    client.post("/auth/reset", data={"email": mentor.email})
    first = re.search(r"(/auth/reset/\S+)", emails[-1].body).group(1)
    client.post("/auth/reset", data={"email": mentor.email})
    second = re.search(r"(/auth/reset/\S+)", emails[-1].body).group(1)
    assert client.get(first).headers["Location"] == "/auth/reset"  # the newer link replaced it
    assert client.get(second).status_code == 200
    client.post(second, data={"password": NEW, "confirm": NEW})
    assert client.get(second).headers["Location"] == "/auth/reset"  # used


def test_an_email_change_logs_out_the_other_browsers(app, mentor):
    here, there = browser(app, mentor.email), browser(app, mentor.email)
    here.post("/auth/email", data={"email": "moved@example.org", "password": PASSWORD})
    emails = Outbox(app, run_queue=True)
    link = re.search(r"http://[^/]+(/auth/email/\S+)", [e for e in emails if e.to == "moved@example.org"][-1].body)
    here.get(link.group(1))
    assert logged_in(here) and not logged_in(there)


def test_a_deactivated_account_is_logged_out_on_its_next_request(app, mentor):
    client = browser(app, mentor.email, remember=True)
    with app.app_context():
        coordinator = make_user("coordinator")
        people.deactivate(default_program(), db.session.get(User, mentor.id), coordinator)
        assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == mentor.id)) == 0
        db.session.remove()
    assert not logged_in(client)


def test_the_account_page_logs_out_of_all_other_sessions(app, mentor):
    here, phone, tablet = (browser(app, mentor.email) for _ in range(3))
    page = here.get("/auth/account").get_data(as_text=True)
    assert "(this browser)" in page and "Log out of all other sessions" in page
    answer = here.post("/auth/sessions/end-others", follow_redirects=True).get_data(as_text=True)
    assert "Logged out of 2 other sessions." in answer
    assert logged_in(here) and not logged_in(phone) and not logged_in(tablet)
    assert "This is the only browser logged in to your account." in here.get("/auth/account").get_data(as_text=True)


def test_a_session_past_its_end_no_longer_logs_in(app, mentor):
    client = browser(app, mentor.email)
    with app.app_context():
        db.session.execute(db.update(UserSession).values(expires_at=db.func.current_timestamp()))
        db.session.commit()
    assert not logged_in(client)


def test_the_cookie_never_carries_the_bare_user_id(app, mentor):
    client = browser(app, mentor.email)
    with client.session_transaction() as session:
        assert len(session["_user_id"]) >= 40
