import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import TagKind, User
from tests.factories import default_program

GOOD_MENTEE = {
    "job_title": "Medical Laboratory Technician", "organisation": "Lakeside Hospital",
    "years_experience": "2", "specialties": ["hematology", "blood_bank"], "credentials": ["ascp_mlt"],
    "hopes": "Plan my MLS degree.",
    "time_zone": "America/Denver", "meeting_mode": "virtual", "meeting_frequency": "biweekly",
    "shift": "evening", "bio": "Evening shift in the core lab.",
}
GOOD_MENTOR = {**{k: v for k, v in GOOD_MENTEE.items() if k != "hopes"},
               "job_title": "Blood Bank Supervisor", "years_experience": "18",
               "credentials": ["ascp_mls", "ascp_sbb"], "goals": ["supervisor", "specialist_certification"]}


def _profile(app, email):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return None if user.profile is None else {
            "title": user.profile.job_title, "years": user.profile.years_experience,
            "specialties": user.profile.codes(TagKind.SPECIALTY), "hopes": user.profile.hopes,
            "goals": user.profile.codes(TagKind.GOAL), "zone": user.profile.time_zone,
        }


def _membership(app, email):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        m = user.membership_in(default_program().id)
        return {"capacity": m.capacity, "accepting": m.accepting_mentees, "goals": m.codes(TagKind.GOAL),
                "sought": m.codes(TagKind.CREDENTIAL_SOUGHT)}


def _program_id(app) -> int:
    with app.app_context():
        return default_program().id


def test_a_new_mentee_fills_the_profile_and_sees_it(client, person, login, app):
    mentee = person("mentee", profile=False)
    login(mentee)
    assert client.get("/profile/").headers["Location"] == "/profile/edit"
    form = client.get("/profile/edit").get_data(as_text=True)
    assert "credentials_sought" not in form and "capacity" not in form  # asked per program
    response = client.post("/profile/edit", data=GOOD_MENTEE)
    assert response.status_code == 302
    page = client.get("/profile/").get_data(as_text=True)
    assert "Immunohematology / blood bank" in page and "America/Denver" in page
    assert "Test program" in page and "Mentee" in page  # the profile lists the memberships
    assert _profile(app, mentee.email) == {
        "title": "Medical Laboratory Technician", "years": 2, "specialties": ["blood_bank", "hematology"],
        "hopes": "Plan my MLS degree.", "goals": [], "zone": "America/Denver",
    }


def test_a_mentor_sets_the_goals_they_can_help_with_and_capacity_per_program(client, person, login, app):
    mentor = person("mentor", profile=False)
    login(mentor)
    page = client.get("/profile/edit").get_data(as_text=True)
    assert "Goals you can help others with" in page and "How many mentees" not in page
    assert client.post("/profile/edit", data=GOOD_MENTOR).status_code == 302
    assert _profile(app, mentor.email)["goals"] == ["specialist_certification", "supervisor"]
    program_id = _program_id(app)
    form = client.get(f"/programs/{program_id}/membership").get_data(as_text=True)
    assert "How many mentees can you take at once in this program?" in form and "credentials_sought" not in form
    assert client.post(f"/programs/{program_id}/membership", data={"capacity": "3"}).status_code == 302
    assert _membership(app, mentor.email) == {"capacity": 3, "accepting": False, "goals": [], "sought": []}


def test_a_mentee_answers_the_programs_questions_on_the_membership_page(client, person, login, app):
    mentee = person("mentee", profile=False)
    login(mentee)
    program_id = _program_id(app)
    home = client.get("/home").get_data(as_text=True)
    assert "Choose my goals" in home and f"/programs/{program_id}/membership" in home
    response = client.post(f"/programs/{program_id}/membership",
                           data={"goals": ["mlt_to_mls"], "credentials_sought": ["ascp_mls"]})
    assert response.status_code == 302
    assert _membership(app, mentee.email) == {"capacity": None, "accepting": False, "goals": ["mlt_to_mls"],
                                              "sought": ["ascp_mls"]}
    assert "Choose my goals" not in client.get("/home").get_data(as_text=True)


@pytest.mark.parametrize("role, data, field, message", [
    ("mentee", {"goals": []}, "goals", "Choose at least one career goal."),
    ("mentee", {"goals": ["astrology"]}, "goals", "not a valid choice"),
    ("mentor", {"capacity": "0"}, "capacity", "Enter a number from 1 to 10."),
    ("mentor", {"capacity": "11"}, "capacity", "Enter a number from 1 to 10."),
    ("mentor", {"capacity": ""}, "capacity", "Enter a number from 1 to 10."),
])
def test_a_bad_membership_answer_is_explained_and_nothing_changes(client, person, login, app, role, data, field,
                                                                  message):
    someone = person(role)
    login(someone)
    before = _membership(app, someone.email)
    response = client.post(f"/programs/{_program_id(app)}/membership", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and f'id="{field}-error"' in page
    assert _membership(app, someone.email) == before


def test_the_membership_page_of_a_program_i_am_not_in_is_not_found(client, person, login, app):
    from tests.factories import make_program

    with app.app_context():
        other = make_program("Elsewhere").id
    login(person("mentee"))
    assert client.get(f"/programs/{other}/membership").status_code == 404
    assert client.post(f"/programs/{other}/membership", data={"goals": ["supervisor"]}).status_code == 404


def test_editing_shows_the_saved_answers(client, person, login):
    mentee = person("mentee", job_title="Phlebotomist", specialties=["phlebotomy"])
    login(mentee)
    page = client.get("/profile/edit").get_data(as_text=True)
    assert 'value="Phlebotomist"' in page
    assert re.search(r'<input[^>]*checked[^>]*value="phlebotomy"', page)
    assert not re.search(r'<input[^>]*checked[^>]*value="hematology"', page)


@pytest.mark.parametrize("role, field, value, message", [
    ("mentee", "years_experience", "-1", "Enter a number from 0 to 60."),
    ("mentee", "years_experience", "61", "Enter a number from 0 to 60."),
    ("mentee", "years_experience", "ten", "Not a valid integer value"),
    ("mentee", "specialties", [], "Choose at least one specialty."),
    ("mentee", "specialties", ["astrology"], "not a valid choice"),
    ("mentee", "time_zone", "Mars/Olympus_Mons", "Not a valid choice"),
    ("mentee", "time_zone", "", "Choose your time zone."),
    ("mentee", "meeting_mode", "telepathy", "Not a valid choice"),
    ("mentee", "meeting_frequency", "hourly", "Not a valid choice"),
    ("mentee", "shift", "", "This field is required."),
    ("mentee", "bio", "x" * 1001, "Field cannot be longer than 1000 characters."),
    ("mentee", "hopes", "x" * 1001, "Field cannot be longer than 1000 characters."),
    ("mentee", "job_title", "", "This field is required."),
    ("mentee", "organisation", "y" * 161, "Field cannot be longer than 160 characters."),
    ("mentor", "goals", ["astrology"], "not a valid choice"),
    ("mentor", "goals", [], "Choose at least one goal you can help with."),
])
def test_a_bad_answer_is_explained_beside_its_field_and_the_rest_is_kept(
        client, person, login, app, role, field, value, message):
    someone = person(role, profile=False)
    login(someone)
    data = {**(GOOD_MENTOR if role == "mentor" else GOOD_MENTEE), field: value}
    response = client.post("/profile/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-error"' in page
    kept = "Blood Bank Supervisor" if role == "mentor" else "Lakeside Hospital"
    if field not in ("job_title", "organisation"):
        assert f'value="{kept}"' in page
    assert _profile(app, someone.email) is None


def test_a_failed_edit_changes_nothing(client, person, login, app):
    mentee = person("mentee", job_title="Phlebotomist")
    login(mentee)
    before = _profile(app, mentee.email)
    client.post("/profile/edit", data={**GOOD_MENTEE, "years_experience": "99"})
    assert _profile(app, mentee.email) == before


def test_markup_in_a_bio_is_shown_as_text(client, person, login):
    mentee = person("mentee", profile=False)
    login(mentee)
    client.post("/profile/edit", data={**GOOD_MENTEE, "bio": "<script>alert(1)</script>"})
    page = client.get("/profile/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
