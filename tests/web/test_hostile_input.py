"""Hostile and random values posted to every form: never a 500, never stored markup.

Each form is listed with who may post it; hypothesis sends strings that are
huge, full of control characters, script tags or SQL, numbers out of range,
repeated fields and missing fields, files where text is expected, and ids in
the URL beyond any id column. The app must answer with a re-rendered form, a
redirect or a 4xx, and any value it stored must come back escaped.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus
from mentormatch.services import matches
from tests.factories import PASSWORD, default_program, make_program, make_user

SCRIPT = "<script>alert('x')</script>"
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),  # control characters, NUL included
    st.sampled_from([SCRIPT, "'; DROP TABLE users; --", "\x00", "-1", "1e309", "NaN", "99999999999999999999",
                     "America/../../etc/passwd", "%s%s%n", "\ud7ff\ue000", "<img src=x onerror=alert(1)>"]),
    st.integers(min_value=1000, max_value=200_000).map(lambda n: "x" * n),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, max_size=3))
# A file part where the form expects text (a browser sends one only for <input type=file>).
hostile_file = st.builds(lambda content, name: (io.BytesIO(content), name),
                         st.binary(max_size=200), st.sampled_from(["notes.txt", "", "../../etc/passwd", "a\x00.csv"]))
# Ids past INTEGER on PostgreSQL (2**31 - 1) and past SQLite's 64 bits; 0 is no id either.
hostile_id = st.one_of(st.sampled_from([0, 2**31, 2**63, 2**64]), st.integers(min_value=2**31, max_value=10**30))

PROFILE = {"job_title": "Lab tech", "organisation": "General", "years_experience": "4",
           "specialties": ["hematology"], "credentials": ["ascp_mlt"], "goals": ["supervisor"],
           "hopes": "Grow", "time_zone": "UTC", "meeting_mode": "virtual", "meeting_frequency": "monthly",
           "shift": "day", "bio": "Hi"}
NEW_PASSWORD = "another long password"
TODAY = date.today().isoformat()
LATER = (date.today() + timedelta(days=90)).isoformat()
# (role that posts, path, a valid submission); hostile values replace some of its fields.
# {mentor} and {match} are filled in per test.
FORMS = [
    ("anonymous", "/auth/signup", {"role": "mentee", "name": "New Person", "email": "new@example.org",
                                   "password": PASSWORD, "confirm": PASSWORD}),
    ("anonymous", "/auth/login", {"email": "nobody@example.org", "password": PASSWORD, "remember": "y"}),
    ("anonymous", "/auth/reset", {"email": "nobody@example.org"}),
    ("mentee", "/profile/edit", PROFILE),
    ("mentor", "/profile/edit", PROFILE),
    ("mentee", "/auth/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    ("mentee", "/matches/request/{mentor}", {"message": "Hello"}),
    ("mentee", "/auth/email", {"email": "elsewhere@example.org", "password": PASSWORD}),
    ("mentee", "/auth/delete", {"password": "not the password", "understood": "y"}),
    ("mentor", "/matches/{match}/decline", {"reason": "other", "note": "Sorry"}),
    ("mentee", "/notifications/read", {}),
    ("partner", "/agreements/{agreement}/terms", {
        "frequency": "monthly", "mode": "virtual", "start_date": TODAY, "end_date": LATER,
        "specialty_topics": ["hematology"], "goal_topics": ["supervisor"], "other_topics": "Lab math",
        "expectations": "Be on time"}),
    ("partner", "/agreements/{agreement}/confirm", {"number": "1"}),
    ("partner", "/agreements/{agreement}/goals", {"description": "Pass the SH exam", "target_date": LATER,
                                                  "submission_key": "first-visit"}),
    ("partner", "/agreements/{agreement}/meetings/new", {
        "held_on": TODAY, "duration_minutes": "60", "mode": "virtual", "topics": ["specialty:hematology"],
        "shared_notes": "Went well", "private_note": "Nervous", "submission_key": "first-visit"}),
    ("partner", "/agreements/{agreement}/end", {"reason": "other", "note": "Moving away"}),
    ("partner", "/agreements/{agreement}/feedback", {"rating": "5", "comment": "Great"}),
    ("mentee", "/programs/{other}/join", {"role": "mentee", "goals": ["supervisor"],
                                          "credentials_sought": ["ascp_mls"]}),
    ("mentor", "/programs/{other}/join", {"role": "mentor", "capacity": "2", "accepting_mentees": "y"}),
    ("mentee", "/programs/{program}/membership", {"goals": ["supervisor"], "credentials_sought": ["ascp_mls"]}),
    ("mentor", "/programs/{program}/membership", {"capacity": "3", "accepting_mentees": "y"}),
    ("mentee", "/programs/switch", {"program_id": "{program}", "next": "/matches/"}),
    ("admin", "/admin/programs/new", {
        "name": "Blood bank SBB preparation", "slug": "sbb", "description": "Exam prep", "track": "certification",
        "enrolment": "open", "enrol_opens_on": TODAY, "enrol_closes_on": LATER, "starts_on": TODAY,
        "ends_on": LATER,
        "agreement_months": "6", "mentees_may_join": "y", "mentors_may_join": "y", "matching_method": "optimal",
        "max_open_requests": "3", "expiry_days": "14", "suggestions": "10", "direct_requests": "y"}),
    ("admin", "/admin/programs/{program}", {"email": "nobody@example.org"}),
    ("admin", "/admin/programs/{program}/coordinators/{coordinator}/remove", {}),
]


def _ids(people) -> dict:
    return {"mentor": people["mentor_id"], "match": people["match_id"], "agreement": people["agreement_id"],
            "program": people["program_id"], "other": people["other_id"], "coordinator": people["coordinator_id"]}


def _filled(valid: dict, ids: dict) -> dict:
    """A valid submission with its "{program}"-like values filled in."""
    return {k: v.format(**ids) if isinstance(v, str) and v.startswith("{") else v for k, v in valid.items()}


def _client_for(app, role, ids):
    client = app.test_client()
    if role != "anonymous":
        client.post("/auth/login", data={"email": ids[role], "password": PASSWORD})
    return client


@pytest.fixture
def people(app):
    with app.app_context():
        mentee, mentor = make_user("mentee"), make_user("mentor")
        program, other = default_program(), make_program("Another program")
        admin, coordinator = make_user("admin"), make_user("coordinator")
        match = Match(program_id=program.id, mentee_id=make_user("mentee").id, mentor_id=mentor.id,
                      origin=MatchOrigin.ROUND,
                      status=MatchStatus.PROPOSED)
        db.session.add(match)
        db.session.commit()
        partner, partner_mentor = make_user("mentee"), make_user("mentor")
        active = matches.request_mentor(partner, program, partner_mentor.id, "")
        matches.accept(active, partner_mentor)
        ids = {"mentee": mentee.email, "mentor": mentor.email, "mentor_id": make_user("mentor").id,
               "match_id": match.id, "partner": partner.email, "agreement_id": active.agreement.id,
               "admin": admin.email, "program_id": program.id, "other_id": other.id, "coordinator_id": coordinator.id}
        db.session.remove()
    return ids


@pytest.mark.parametrize("role, path, valid", FORMS, ids=[f"{r}:{p}" for r, p, _ in FORMS])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_values_never_cause_a_server_error(app, people, role, path, valid, data):
    valid = _filled(valid, _ids(people))
    values = dict(valid)
    for name in valid:
        change = data.draw(st.sampled_from(["keep", "keep", "hostile", "drop", "file"]), label=f"{name}")
        if change == "hostile":
            values[name] = data.draw(hostile_value, label=f"{name} value")
        elif change == "drop":
            del values[name]
        elif change == "file":
            values[name] = data.draw(hostile_file, label=f"{name} file")
    ids = _ids(people)
    bad_id = "{" in path and data.draw(st.booleans(), label="id beyond the column")
    if bad_id:
        ids = dict.fromkeys(ids, data.draw(hostile_id, label="id"))
    client = _client_for(app, role, people)
    response = client.post(path.format(**ids), data=values)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert SCRIPT not in response.get_data(as_text=True)
    if any(isinstance(value, tuple) for value in values.values()):
        assert response.status_code == 400  # refused before any form reads it
    elif bad_id:
        assert response.status_code in (400, 404)  # no such page, unless a NUL was refused first


def test_markup_saved_in_a_profile_comes_back_escaped_everywhere(app, people):
    client = _client_for(app, "mentor", people)
    client.post("/profile/edit", data={
        "job_title": SCRIPT, "organisation": SCRIPT, "years_experience": "10", "specialties": ["hematology"],
        "goals": ["supervisor"], "time_zone": "UTC", "meeting_mode": "virtual", "meeting_frequency": "monthly",
        "shift": "day", "bio": SCRIPT})
    mentee = _client_for(app, "mentee", people)
    for page in (client.get("/profile/").get_data(as_text=True),
                 mentee.get("/matches/suggestions").get_data(as_text=True)):
        assert SCRIPT not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize("role, path, valid", FORMS, ids=[f"{r}:{p}" for r, p, _ in FORMS])
def test_every_form_refuses_a_post_without_its_csrf_token(app, people, role, path, valid):
    client = _client_for(app, role, people)
    app.config["WTF_CSRF_ENABLED"] = True
    ids = _ids(people)
    valid = _filled(valid, ids)
    assert client.post(path.format(**ids), data=valid).status_code == 400


@pytest.mark.parametrize("field", ["job_title", "organisation", "bio", "hopes"])
def test_a_nul_character_in_an_otherwise_valid_profile_is_refused_not_a_crash(app, people, field):
    client = _client_for(app, "mentee", people)
    response = client.post("/profile/edit", data={**PROFILE, field: "before\x00after"})
    assert response.status_code == 400


def test_a_nul_character_in_a_repeated_field_or_the_query_string_is_refused(app, people):
    client = _client_for(app, "mentee", people)
    assert client.post("/profile/edit", data={**PROFILE, "specialties": ["hematology", "x\x00"]}).status_code == 400
    assert client.get("/notifications/?page=1\x00").status_code == 400
