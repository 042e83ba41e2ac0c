"""My credentials and licences: adding, editing and removing them with dates, in step with the profile form;
nobody reaches another person's records; the coordinator's lists show their own program only."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import CredentialRecord, TagKind, User
from mentormatch.services import credentials
from mentormatch.services.agreements.access import today
from mentormatch.services.credentials import CredentialInput
from tests.factories import PASSWORD, make_program, make_user
from tests.web.test_profiles import GOOD_MENTEE


def _state(app, email: str) -> tuple[list[str], dict]:
    """The profile's credential tags and the records (kind, code) -> (earned, expires, number)."""
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        rows = db.session.scalars(db.select(CredentialRecord).where(CredentialRecord.user_id == user.id))
        return (user.profile.codes(TagKind.CREDENTIAL),
                {(r.kind, r.code): (r.earned_on, r.expires_on, r.licence_number) for r in rows})


def _record_id(app, email: str, code: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(CredentialRecord.id).join(User, User.id == CredentialRecord.user_id)
                                 .where(User.email == email, CredentialRecord.code == code))


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_mentee_adds_a_credential_with_its_date_and_sees_the_cycle_and_the_points(client, person, login, app):
    mentee = person("mentee", credentials=["ascp_mlt"])
    login(mentee)
    earned = today() - timedelta(days=30)
    response = client.post("/profile/credentials/new?kind=credential",
                           data={"code": "ascp_mls", "earned_on": earned.isoformat()})
    assert response.status_code == 302 and response.headers["Location"] == "/profile/credentials"
    tags, records = _state(app, mentee.email)
    cycle_end = earned.replace(year=earned.year + 3)
    assert tags == ["ascp_mls", "ascp_mlt"] and records == {("credential", "ascp_mls"): (earned, cycle_end, "")}
    page = _text(client.get("/profile/credentials"))
    assert f"Earned: {earned.strftime('%d %b %Y')}" in page
    assert f"Current cycle ends: {cycle_end.strftime('%d %b %Y')}" in page
    assert "36 points, including laboratory or patient safety, every 3 years" in page
    # The credential held only as a ticked box says its dates are missing and offers to add them.
    assert 'href="/profile/credentials/new?kind=credential&amp;code=ascp_mlt"' in client.get(
        "/profile/credentials").get_data(as_text=True)
    form = client.get("/profile/credentials/new?kind=credential&code=ascp_mlt").get_data(as_text=True)
    assert re.search(r'<option selected value="ascp_mlt">|<option value="ascp_mlt" selected>', form)
    assert 'value="ascp_mls"' not in form  # already recorded: edited, not added twice
    assert "ASCP MLS" in _text(client.get("/profile/"))


@pytest.mark.parametrize("data, says", [
    ({"code": "ascp_sbb", "earned_on": (date.today() + timedelta(days=2)).isoformat()}, "cannot be in the future"),
    ({"code": "ascp_sbb", "earned_on": "2024-05-01", "expires_on": "2024-04-30"}, "must be after the date earned"),
    ({"code": "ascp_sbb", "earned_on": "not a date"}, "Not a valid date"),
    ({"code": "nonsense"}, "Not a valid choice"),
])
def test_dates_that_cannot_be_right_are_refused_on_the_form(client, person, login, app, data, says):
    mentee = person("mentee", credentials=[])
    login(mentee)
    response = client.post("/profile/credentials/new?kind=credential", data=data)
    assert response.status_code == 200 and says in response.get_data(as_text=True)
    assert _state(app, mentee.email) == ([], {})


def test_a_state_licence_keeps_its_number_and_renewal_date_and_is_no_credential(client, person, login, app):
    mentee = person("mentee", credentials=["ascp_mlt"])
    login(mentee)
    refused = client.post("/profile/credentials/new?kind=licence", data={"code": "ca", "licence_number": "CLS 1"})
    assert refused.status_code == 200 and "Enter the date the licence must be renewed by." in refused.get_data(
        as_text=True)
    renew = today() + timedelta(days=40)
    assert client.post("/profile/credentials/new?kind=licence", data={
        "code": "ca", "licence_number": "CLS 12345", "expires_on": renew.isoformat()}).status_code == 302
    assert _state(app, mentee.email) == (["ascp_mlt"], {("licence", "ca"): (None, renew, "CLS 12345")})
    page = _text(client.get("/profile/credentials"))
    assert "California" in page and "Licence number: CLS 12345" in page and "Expires within 90 days" in page
    record_id = _record_id(app, mentee.email, "ca")
    edit = client.get(f"/profile/credentials/{record_id}/edit").get_data(as_text=True)
    assert 'value="CLS 12345"' in edit and 'name="code"' not in edit  # the state stays; the dates change
    assert client.post(f"/profile/credentials/{record_id}/edit", data={
        "licence_number": "CLS 99", "expires_on": (renew + timedelta(days=365)).isoformat()}).status_code == 302
    assert _state(app, mentee.email)[1] == {("licence", "ca"): (None, renew + timedelta(days=365), "CLS 99")}
    assert client.post(f"/profile/credentials/{record_id}/remove").status_code == 302
    assert _state(app, mentee.email) == (["ascp_mlt"], {})


def test_removing_a_credential_removes_its_tick_and_unticking_it_removes_its_dates(client, person, login, app):
    mentee = person("mentee", credentials=["ascp_mlt"])
    login(mentee)
    for code in ("ascp_mlt", "ascp_sh"):
        assert client.post("/profile/credentials/new?kind=credential",
                           data={"code": code, "earned_on": "2025-01-15"}).status_code == 302
    assert client.post(f"/profile/credentials/{_record_id(app, mentee.email, 'ascp_sh')}/remove").status_code == 302
    assert _state(app, mentee.email) == (["ascp_mlt"], {("credential", "ascp_mlt"): (
        date(2025, 1, 15), date(2028, 1, 15), "")})
    # The profile form without MLT: the tick and its record go together.
    assert client.post("/profile/edit", data={**GOOD_MENTEE, "credentials": []}).status_code == 302
    assert _state(app, mentee.email) == ([], {})


def test_nobody_sees_or_changes_another_person_s_records(client, person, login, app):
    owner, other = person("mentee"), person("mentee")
    with app.app_context():
        user = db.session.get(User, owner.id)
        credentials.record_credential(user, CredentialInput("licence", "ny", expires_on=date(2029, 1, 1),
                                                            licence_number="NY-777"))
    record_id = _record_id(app, owner.email, "ny")
    login(other)
    assert client.get(f"/profile/credentials/{record_id}/edit").status_code == 404
    assert client.post(f"/profile/credentials/{record_id}/edit",
                       data={"expires_on": "2030-01-01", "licence_number": "X"}).status_code == 404
    assert client.post(f"/profile/credentials/{record_id}/remove").status_code == 404
    assert "NY-777" not in client.get("/profile/credentials").get_data(as_text=True)
    assert _state(app, owner.email)[1] == {("licence", "ny"): (None, date(2029, 1, 1), "NY-777")}


def test_removing_needs_the_form_s_csrf_token(client, person, login, app):
    mentee = person("mentee")
    with app.app_context():
        credentials.record_credential(db.session.get(User, mentee.id),
                                      CredentialInput("licence", "fl", expires_on=date(2029, 1, 1)))
    login(mentee)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/profile/credentials/{_record_id(app, mentee.email, 'fl')}/remove").status_code == 400
    assert ("licence", "fl") in _state(app, mentee.email)[1]


def test_empty_lists_say_so_and_offer_to_add_one(client, person, login):
    login(person("mentee", credentials=[]))
    html = client.get("/profile/credentials").get_data(as_text=True)
    assert "You have not recorded a credential yet." in html and "No state licence recorded." in html
    assert 'href="/profile/credentials/new?kind=credential"' in html
    assert 'href="/profile/credentials/new?kind=licence"' in html


def test_without_a_profile_the_pages_ask_for_it_first(client, person, login):
    login(person("coordinator"))
    for path in ("/profile/credentials", "/profile/credentials/new"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/profile/edit"


# --- the coordinator's lists ------------------------------------------------------------------------

def _coordinator_world(app) -> dict:
    with app.app_context():
        now = today()
        make_user("coordinator", email="cora@lab.example.org")
        dana = make_user("mentee", name="Dana Okafor", credentials=[])
        credentials.record_credential(dana, CredentialInput("credential", "ascp_sbb", earned_on=now))
        credentials.record_credential(dana, CredentialInput("licence", "ca", expires_on=now + timedelta(days=20)))
        lee = make_user("mentor", name="Lee Later", credentials=[])
        credentials.record_credential(lee, CredentialInput("licence", "ny", expires_on=now + timedelta(days=120)))
        other = make_program("Another program")
        outsider = make_user("mentee", program=other, name="Olive Outsider", credentials=[])
        credentials.record_credential(outsider, CredentialInput("credential", "ascp_sh", earned_on=now,
                                                                expires_on=now + timedelta(days=10)))
        make_user("coordinator", program=other, email="otto@lab.example.org")
        db.session.remove()
    return {"coordinator": "cora@lab.example.org", "other": "otto@lab.example.org"}


def _console(app, email):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_coordinator_sees_credentials_earned_and_upcoming_expiries_of_their_program_only(app):
    world = _coordinator_world(app)
    client = _console(app, world["coordinator"])
    board = client.get("/coordinator/").get_data(as_text=True)
    assert 'aria-label="1 credential earned during the program">1</a>' in board
    assert 'aria-label="1 credential or licence expiring in the next 90 days">1</a>' in board
    earned = _text(client.get("/coordinator/credentials/earned"))
    assert "Dana Okafor" in earned and "ASCP SBB" in earned and "Olive Outsider" not in earned
    expiring = _text(client.get("/coordinator/credentials/expiring"))
    assert "Dana Okafor" in expiring and "State licence: California" in expiring
    assert "Lee Later" not in expiring and "Olive Outsider" not in expiring  # 120 days away; another program
    theirs = _console(app, world["other"])
    assert "Olive Outsider" in _text(theirs.get("/coordinator/credentials/expiring"))
    assert "Dana Okafor" not in _text(theirs.get("/coordinator/credentials/earned"))


def test_the_coordinator_s_lists_say_when_they_are_empty(app):
    with app.app_context():
        email = make_user("coordinator").email
    client = _console(app, email)
    assert "No member has recorded a credential earned during" in _text(client.get("/coordinator/credentials/earned"))
    assert "No participant's credential or licence expires in the next 90 days." in _text(
        client.get("/coordinator/credentials/expiring"))
    board = client.get("/coordinator/").get_data(as_text=True)
    assert "Exam goals reached, no exam plan yet" in board


def test_participants_do_not_reach_the_coordinator_s_lists(client, person, login):
    login(person("mentee"))
    assert client.get("/coordinator/credentials/earned").status_code == 403
    assert client.get("/coordinator/credentials/expiring").status_code == 403


def _program_with_outcomes(app, size: int) -> str:
    """A program of ``size`` mentees, each with a credential earned in it, a licence due soon and two exam plans
    (one reached); returns its coordinator's email."""
    from mentormatch.services import exam_plans

    with app.app_context():
        program = make_program(f"Outcomes {size}")
        now = today()
        for n in range(size):
            mentee = make_user("mentee", program=program, credentials=[])
            own = mentee.membership_in(program.id)
            for code in ("ascp_mls", "ascp_sbb"):
                exam_plans.save_plan(mentee, own, exam_plans.ExamPlanInput(code))
            credentials.record_credential(mentee, CredentialInput("credential", "ascp_mls", earned_on=now))
            credentials.record_credential(mentee, CredentialInput("licence", "ca",
                                                                  expires_on=now + timedelta(days=n % 80 + 1)))
        email = make_user("coordinator", program=program).email
        db.session.remove()
    return email


def test_the_outcome_pages_send_as_many_statements_for_a_program_ten_times_larger(app):
    from tests.querycount import count_statements

    def statements(email: str, path: str) -> int:
        client = _console(app, email)
        client.get(path)
        with count_statements() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    small, large = _program_with_outcomes(app, 3), _program_with_outcomes(app, 30)
    for path in ("/coordinator/", "/coordinator/credentials/earned", "/coordinator/credentials/expiring"):
        assert statements(small, path) == statements(large, path), path
    html = _console(app, large).get("/coordinator/").get_data(as_text=True)
    assert '<p class="figure">30</p><p>Exam goals reached (of 60 exam plans)</p>' in html
    expiring = _console(app, large).get("/coordinator/credentials/expiring").get_data(as_text=True)
    assert "Page 1 of 2 (30 in all)" in expiring
