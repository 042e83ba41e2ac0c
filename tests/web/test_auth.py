import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import User
from tests.factories import PASSWORD, default_program, make_program
from tests.outbox import Outbox

SIGNUP = {"role": "mentee", "name": "Priya Shah", "email": "Priya@Example.org",
          "password": PASSWORD, "confirm": PASSWORD}


@pytest.fixture
def one_program(app):
    """The installation runs one open program: sign-up enrols in it."""
    with app.app_context():
        program_id = default_program().id
        db.session.remove()
    return program_id


def test_signing_up_creates_the_account_from_the_queue_and_asks_to_confirm(client, app, one_program):
    response = client.post("/auth/signup", data=SIGNUP)
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    emails = Outbox(app, run_queue=True)  # the worker creates the account
    assert [e.subject for e in emails] == ["MentorMatch: confirm your email address"]
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.name) == ("priya@example.org", "Priya Shah")
        assert [(m.program_id, m.role) for m in user.memberships] == [(one_program, "mentee")]
    assert client.post("/auth/login", data={"email": "priya@example.org", "password": PASSWORD}).status_code == 302


def test_the_signup_link_from_the_landing_page_preselects_the_role(client, one_program):
    page = client.get("/auth/signup?role=mentor").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="mentor"', page)
    assert not re.search(r'<input[^>]*checked[^>]*value="mentee"', page)
    assert "Programs" not in page  # one program stays simple


def test_with_several_open_programs_sign_up_asks_no_role_and_enrols_nowhere(client, app, one_program):
    with app.app_context():
        make_program("MLT to MLS pathway")
        db.session.remove()
    page = client.get("/auth/signup?role=mentor").get_data(as_text=True)
    assert 'name="role"' not in page and "choose the mentoring programs" in page
    data = {k: v for k, v in SIGNUP.items() if k != "role"}
    assert "Check your inbox" in client.post("/auth/signup", data=data).get_data(as_text=True)
    assert len(Outbox(app, run_queue=True)) == 1  # the worker creates the account
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user.email == "priya@example.org" and user.memberships == []


def test_with_no_program_yet_sign_up_still_creates_the_account(client, app):
    page = client.get("/auth/signup").get_data(as_text=True)
    assert 'name="role"' not in page
    data = {k: v for k, v in SIGNUP.items() if k != "role"}
    client.post("/auth/signup", data=data)
    assert len(Outbox(app, run_queue=True)) == 1  # the worker creates the account
    with app.app_context():
        assert db.session.scalar(db.select(User)).memberships == []


def test_only_the_sides_open_in_the_only_program_are_offered(client, app):
    with app.app_context():
        make_program("Mentees only", mentors_may_join=False)
        db.session.remove()
    page = client.get("/auth/signup").get_data(as_text=True)
    assert 'value="mentee"' in page and 'value="mentor"' not in page
    response = client.post("/auth/signup", data={**SIGNUP, "role": "mentor"})
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_signing_up_with_a_taken_email_answers_the_same_and_mails_the_owner(client, person, app):
    person("mentor", email="priya@example.org")
    taken = client.post("/auth/signup", data=SIGNUP).get_data(as_text=True)
    fresh = client.post("/auth/signup", data={**SIGNUP, "email": "someone.new@example.org"}).get_data(as_text=True)
    assert taken.replace("priya@example.org", "X") == fresh.replace("someone.new@example.org", "X")
    emails = Outbox(app, run_queue=True)
    assert sorted((e.to, e.subject) for e in emails) == [
        ("priya@example.org", "MentorMatch: someone tried to sign up with your address"),
        ("someone.new@example.org", "MentorMatch: confirm your email address")]
    with app.app_context():
        owner = db.session.scalar(db.select(User).where(User.email == "priya@example.org"))
        # the owner's account is untouched
        assert [m.role for m in owner.memberships] == ["mentor"] and owner.name != "Priya Shah"


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-email", "Invalid email address"),
    ("password", "short", "Field must be between 10 and 128 characters long"),
    ("confirm", "something else entirely", "The two passwords differ"),
    ("name", "x" * 121, "Field cannot be longer than 120 characters"),
    ("role", "coordinator", "Not a valid choice"),
])
def test_signup_rejects_bad_input_beside_the_field(client, app, one_program, field, value, message):
    response = client.post("/auth/signup", data={**SIGNUP, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-error"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_login_gives_the_same_answer_for_a_wrong_password_and_an_unknown_email(client, person):
    person("mentee", email="known@example.org")
    wrong = client.post("/auth/login", data={"email": "known@example.org", "password": "bad password 123"})
    unknown = client.post("/auth/login", data={"email": "ghost@example.org", "password": "bad password 123"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Email or password is incorrect." in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).replace("known@example.org", "").replace("ghost@example.org", "")
    assert strip(wrong) == strip(unknown)


def test_login_follows_a_local_next_path(client, person):
    mentee = person("mentee")
    response = client.post("/auth/login?next=/profile/", data={"email": mentee.email, "password": PASSWORD})
    assert response.headers["Location"] == "/profile/"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "\t//evil.example", "relative/path",
])
def test_login_ignores_a_next_that_leaves_the_site(client, person, target):
    mentee = person("mentee")
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": mentee.email, "password": PASSWORD})
    assert response.headers["Location"] == "/home"


def test_logging_out_needs_a_post_and_ends_the_session(client, person, login):
    login(person("mentor"))
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/home").status_code == 302


def test_a_deactivated_user_cannot_log_in(client, person):
    gone = person("mentee", active=False)
    response = client.post("/auth/login", data={"email": gone.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(client, app, person):
    app.config["WTF_CSRF_ENABLED"] = True
    mentee = person("mentee")
    response = client.post("/auth/login", data={"email": mentee.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_forms_with_the_csrf_token_from_the_page_are_accepted(client, app, person):
    app.config["WTF_CSRF_ENABLED"] = True
    mentee = person("mentee")
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": mentee.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
