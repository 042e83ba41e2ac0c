"""Response headers for logged-in pages, the password rule and the one-line rule for names and titles."""

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import AgreementGoal, Profile, User
from tests.factories import PASSWORD, make_pair
from tests.outbox import Outbox
from tests.web.test_profiles import GOOD_MENTEE

WEAK = "password1234"  # long enough, and one of the most common passwords
STRONG = "ferric lactate ledger 58"
SIGNUP = {"role": "mentee", "name": "Priya Shah", "email": "priya@example.org"}


# --- headers ---------------------------------------------------------------------------------

def test_pages_for_a_logged_in_person_are_never_stored(client, person, login):
    mentee = person("mentee")
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
    login(mentee)
    for path in ("/home", "/profile/", "/matches/", "/notifications/", "/auth/account"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.post("/notifications/read").headers.get("Cache-Control") == "no-store"


def test_https_deployments_send_strict_transport_security(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    monkeypatch.setitem(app.config, "HTTPS", True)
    hsts = client.get("/auth/login").headers.get("Strict-Transport-Security", "")
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts) and int(hsts.split("=")[1].split(";")[0]) >= 31536000


# --- passwords -------------------------------------------------------------------------------

def test_signing_up_refuses_a_common_password_with_the_reason(app, client):
    page = client.post("/auth/signup", data={**SIGNUP, "password": WEAK, "confirm": WEAK}).get_data(as_text=True)
    assert "This is a very common password." in page and "Check your inbox" not in page
    with_name = "Priya Shah 2024"
    page = client.post("/auth/signup", data={**SIGNUP, "password": with_name, "confirm": with_name}).get_data(as_text=True)
    assert 'id="password-error"' in page and "Check your inbox" not in page  # built from the person's own name
    assert Outbox(app, run_queue=True) == []
    page = client.post("/auth/signup", data={**SIGNUP, "password": STRONG, "confirm": STRONG}).get_data(as_text=True)
    assert "Check your inbox" in page


@pytest.mark.parametrize("password", ["x" * 1000, "Q7#vL!p2@Zr9^wK4&mT1*eB8" * 4])
def test_a_very_long_password_gets_a_form_error_not_a_server_error(client, password):
    response = client.post("/auth/signup", data={**SIGNUP, "password": password, "confirm": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("Check your inbox" in page) == (len(password) <= 128)


def test_a_reset_refuses_a_guessable_password(app, client, person):
    mentee = person("mentee")
    client.post("/auth/reset", data={"email": mentee.email})
    link = re.search(r"http://[^/]+(/auth/reset/\S+)", Outbox(app, run_queue=True)[-1].body).group(1)
    page = client.post(link, data={"password": "qwertyuiop12", "confirm": "qwertyuiop12"}).get_data(as_text=True)
    assert "commonly used password" in page
    assert app.test_client().post("/auth/login", data={"email": mentee.email, "password": PASSWORD}).status_code == 302


def test_changing_the_password_refuses_a_guessable_one(app, client, person, login):
    mentor = person("mentor")
    login(mentor)
    page = client.post("/auth/password", data={"current": PASSWORD, "password": WEAK, "confirm": WEAK})
    assert "This is a very common password." in page.get_data(as_text=True)
    assert app.test_client().post("/auth/login", data={"email": mentor.email, "password": WEAK}).status_code == 200
    client.post("/auth/password", data={"current": PASSWORD, "password": STRONG, "confirm": STRONG})
    assert app.test_client().post("/auth/login", data={"email": mentor.email, "password": STRONG}).status_code == 302


# --- names and titles ------------------------------------------------------------------------

HOSTILE_LINES = [
    ("Dana\r\nBcc: all@example.org", "no line breaks"),
    ("Dana\u2028Okafor", "no line breaks"),
    ("\u202eronakO anaD", "text-direction"),
    ("Dana \u2067Okafor\u2069", "text-direction"),
    ("\u200b\u200b", "visible text"),
    ("\u00a0 \ufeff", "visible text"),
]


@pytest.mark.parametrize("value, message", HOSTILE_LINES)
def test_a_name_at_sign_up_must_be_one_visible_line(app, client, value, message):
    page = client.post("/auth/signup", data={**SIGNUP, "name": value, "password": STRONG, "confirm": STRONG})
    assert message in page.get_data(as_text=True)
    assert Outbox(app, run_queue=True) == []


@pytest.mark.parametrize("field", ["job_title", "organisation"])
@pytest.mark.parametrize("value, message", HOSTILE_LINES)
def test_a_job_title_and_organisation_must_be_one_visible_line(app, client, person, login, field, value, message):
    mentee = person("mentee", profile=False)
    login(mentee)
    page = client.post("/profile/edit", data={**GOOD_MENTEE, field: value})
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Profile).where(Profile.user_id == mentee.id)) is None


@pytest.mark.parametrize("value, message", HOSTILE_LINES)
def test_a_goal_must_be_one_visible_line(app, client, login, value, message):
    with app.app_context():
        match = make_pair()
        agreement_id, email = match.agreement.id, match.mentee.email
        db.session.remove()
    login(email)
    page = client.post(f"/agreements/{agreement_id}/goals", data={"description": value})
    assert message in page.get_data(as_text=True)
    client.post(f"/agreements/{agreement_id}/goals", data={"description": "Pass the ASCP SH exam"})
    with app.app_context():
        assert db.session.scalars(db.select(AgreementGoal.description)).all() == ["Pass the ASCP SH exam"]


def test_ordinary_names_with_accents_and_apostrophes_are_accepted(app, client):
    page = client.post("/auth/signup", data={**SIGNUP, "name": "Zoë O'Brien-Núñez", "password": STRONG,
                                             "confirm": STRONG})
    assert "Check your inbox" in page.get_data(as_text=True)
    assert len(Outbox(app, run_queue=True)) == 1  # the worker creates the account
    with app.app_context():
        assert db.session.scalar(db.select(User.name)) == "Zoë O'Brien-Núñez"
