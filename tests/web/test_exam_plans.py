"""A mentee's exam plans: made per credential sought, reached when the credential is held, counted on the
coordinator's dashboard; only the mentee's own membership has them."""

from __future__ import annotations

import re
from datetime import timedelta

from mentormatch.extensions import db
from mentormatch.models import ExamPlan, MembershipStatus, TagKind, User
from mentormatch.services.agreements.access import today
from tests.factories import PASSWORD, default_program, make_program, make_user, membership


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _plans(app, email: str) -> dict:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        rows = db.session.scalars(db.select(ExamPlan).where(ExamPlan.membership_id == membership(user).id))
        return {p.credential: (p.category, p.eligibility_route, p.planned_on, p.result, p.result_on, p.reached_on)
                for p in rows}


def _sought(app, email: str) -> list[str]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return membership(user).codes(TagKind.CREDENTIAL_SOUGHT)


def _pid(app) -> int:
    with app.app_context():
        return default_program().id


def test_a_mentee_plans_the_exam_for_a_credential_they_seek(client, person, login, app):
    mentee = person("mentee", credentials=["ascp_mlt"], credentials_sought=["ascp_mls"])
    login(mentee)
    pid = _pid(app)
    exams = f"/programs/{pid}/exams"
    assert f'href="{exams}"' in client.get(f"/programs/{pid}/membership").get_data(as_text=True)
    assert f'href="{exams}"' in client.get("/home").get_data(as_text=True)
    listing = client.get(exams).get_data(as_text=True)
    assert "ASCP MLS" in listing and "No exam planned yet." in listing
    assert f'href="{exams}/plan?credential=ascp_mls"' in listing
    form = client.get(f"{exams}/plan?credential=ascp_mls").get_data(as_text=True)
    assert '<datalist id="route-suggestions">' in form and 'list="route-suggestions"' in form
    assert 'value="ascp_mlt"' not in form  # held already: nothing to plan
    planned = today() + timedelta(days=60)
    response = client.post(f"{exams}/plan?credential=ascp_mls", data={
        "credential": "ascp_mls", "category": "Medical Laboratory Scientist (MLS)",
        "eligibility_route": "Current certification plus a degree and experience",
        "planned_on": planned.isoformat(), "result": "planned"})
    assert response.status_code == 302 and response.headers["Location"] == exams
    assert _plans(app, mentee.email) == {"ascp_mls": ("Medical Laboratory Scientist (MLS)",
                                                      "Current certification plus a degree and experience",
                                                      planned, "planned", None, None)}
    page = _text(client.get(exams))
    assert "Medical Laboratory Scientist (MLS)" in page and planned.strftime("%d %b %Y") in page
    # Editing keeps the credential: the form has no credential to choose.
    edit = client.get(f"{exams}/plan?credential=ascp_mls").get_data(as_text=True)
    assert 'name="credential"' not in edit and 'value="Medical Laboratory Scientist (MLS)"' in edit


def test_planning_a_credential_not_yet_sought_adds_it_to_those_sought(client, person, login, app):
    mentee = person("mentee", credentials_sought=["ascp_mls"])
    login(mentee)
    pid = _pid(app)
    assert client.post(f"/programs/{pid}/exams/plan", data={"credential": "ascp_sbb", "result": "planned"}
                       ).status_code == 302
    assert _sought(app, mentee.email) == ["ascp_mls", "ascp_sbb"]
    assert "ascp_sbb" in _plans(app, mentee.email)


def test_a_plan_s_impossible_result_is_refused_and_nothing_is_saved(client, person, login, app):
    mentee = person("mentee")
    login(mentee)
    response = client.post(f"/programs/{_pid(app)}/exams/plan", data={
        "credential": "ascp_mls", "result": "planned", "result_on": today().isoformat()})
    assert response.status_code == 200
    assert "Leave the result date empty until you have a result." in response.get_data(as_text=True)
    assert _plans(app, mentee.email) == {}


def test_adding_the_credential_reaches_the_goal_and_the_dashboard_counts_it(client, person, login, app):
    mentee = person("mentee", credentials=["ascp_mlt"], credentials_sought=["ascp_mls", "ascp_sbb"])
    coordinator = person("coordinator")
    login(mentee)
    pid = _pid(app)
    for code in ("ascp_mls", "ascp_sbb"):
        assert client.post(f"/programs/{pid}/exams/plan", data={"credential": code, "result": "planned"}
                           ).status_code == 302
    earned = today()  # on the day they joined: earned during the program
    assert client.post("/profile/credentials/new?kind=credential",
                       data={"code": "ascp_mls", "earned_on": earned.isoformat()}).status_code == 302
    plans = _plans(app, mentee.email)
    assert plans["ascp_mls"][3:] == ("passed", earned, today()) and plans["ascp_sbb"][5] is None
    assert "Goal reached on" in _text(client.get(f"/programs/{pid}/exams"))
    board = app.test_client()
    board.post("/auth/login", data={"email": coordinator.email, "password": PASSWORD})
    html = board.get("/coordinator/").get_data(as_text=True)
    assert '<p class="figure">1</p><p>Exam goals reached (of 2 exam plans)</p>' in html
    assert 'aria-label="1 credential earned during the program"' in html


def test_a_passed_result_adds_the_credential_held_and_closes_the_plan(client, person, login, app):
    mentee = person("mentee", credentials=["ascp_mlt"])
    login(mentee)
    pid = _pid(app)
    result_on = today() - timedelta(days=1)
    response = client.post(f"/programs/{pid}/exams/plan", data={
        "credential": "ascp_mls", "result": "passed", "result_on": result_on.isoformat()}, follow_redirects=True)
    assert "Goal reached: you hold ASCP MLS." in response.get_data(as_text=True)
    assert _plans(app, mentee.email)["ascp_mls"][3:] == ("passed", result_on, today())
    credentials_page = _text(client.get("/profile/credentials"))
    assert f"Earned: {result_on.strftime('%d %b %Y')}" in credentials_page


def test_removing_a_plan_keeps_the_credential_sought(client, person, login, app):
    mentee = person("mentee", credentials_sought=["ascp_mls"])
    login(mentee)
    pid = _pid(app)
    client.post(f"/programs/{pid}/exams/plan", data={"credential": "ascp_mls", "result": "planned"})
    assert client.post(f"/programs/{pid}/exams/remove", data={"credential": "ascp_mls"}).status_code == 302
    assert _plans(app, mentee.email) == {} and _sought(app, mentee.email) == ["ascp_mls"]
    assert client.post(f"/programs/{pid}/exams/remove", data={"credential": "ascp_mls"}).status_code == 404
    assert client.post(f"/programs/{pid}/exams/remove", data={}).status_code == 404


def test_only_the_mentee_s_own_current_membership_has_exam_plans(client, person, login, app):
    mentor = person("mentor")
    login(mentor)
    pid = _pid(app)
    assert client.get(f"/programs/{pid}/exams").status_code == 403
    assert client.post(f"/programs/{pid}/exams/plan", data={"credential": "ascp_mls"}).status_code == 403
    with app.app_context():
        other = make_program("Another program").id
        leaver = make_user("mentee", email="leaver@lab.example.org")
        membership(leaver).status = MembershipStatus.LEFT
        db.session.commit()
    for path in (f"/programs/{other}/exams", f"/programs/{other}/exams/plan", "/programs/99999/exams"):
        assert client.get(path).status_code == 404, path
    leaving = app.test_client()
    leaving.post("/auth/login", data={"email": "leaver@lab.example.org", "password": PASSWORD})
    assert leaving.get(f"/programs/{pid}/exams").status_code == 404
    assert leaving.post(f"/programs/{pid}/exams/plan", data={"credential": "ascp_mls"}).status_code == 404


def test_without_a_credential_sought_the_page_says_so(client, person, login, app):
    login(person("mentee", credentials_sought=[]))
    html = client.get(f"/programs/{_pid(app)}/exams").get_data(as_text=True)
    assert "You have not chosen a credential to work toward" in html
    assert f'href="/programs/{_pid(app)}/exams/plan"' in html
