import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import TagKind, User

GOOD_MENTEE = {
    "job_title": "Medical Laboratory Technician", "organisation": "Lakeside Hospital",
    "years_experience": "2", "specialties": ["hematology", "blood_bank"], "credentials": ["ascp_mlt"],
    "goals": ["mlt_to_mls"], "credentials_sought": ["ascp_mls"], "hopes": "Plan my MLS degree.",
    "time_zone": "America/Denver", "meeting_mode": "virtual", "meeting_frequency": "biweekly",
    "shift": "evening", "bio": "Evening shift in the core lab.",
}
GOOD_MENTOR = {**{k: v for k, v in GOOD_MENTEE.items() if k not in ("credentials_sought", "hopes")},
               "job_title": "Blood Bank Supervisor", "years_experience": "18",
               "credentials": ["ascp_mls", "ascp_sbb"], "goals": ["supervisor", "specialist_certification"],
               "capacity": "3", "accepting_mentees": "y"}


def _profile(app, email):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return None if user.profile is None else {
            "title": user.profile.job_title, "years": user.profile.years_experience,
            "specialties": user.profile.codes(TagKind.SPECIALTY), "capacity": user.profile.capacity,
            "goals": user.profile.codes(TagKind.GOAL), "zone": user.profile.time_zone,
        }


def test_a_new_mentee_fills_the_profile_and_sees_it(client, person, login, app):
    mentee = person("mentee", profile=False)
    login(mentee)
    assert client.get("/profile/").headers["Location"] == "/profile/edit"
    response = client.post("/profile/edit", data=GOOD_MENTEE)
    assert response.status_code == 302
    page = client.get("/profile/").get_data(as_text=True)
    assert "Immunohematology / blood bank" in page and "America/Denver" in page
    assert _profile(app, mentee.email) == {
        "title": "Medical Laboratory Technician", "years": 2, "specialties": ["blood_bank", "hematology"],
        "capacity": None, "goals": ["mlt_to_mls"], "zone": "America/Denver",
    }


def test_a_mentor_sets_capacity_and_the_goals_they_can_help_with(client, person, login, app):
    mentor = person("mentor", profile=False)
    login(mentor)
    page = client.get("/profile/edit").get_data(as_text=True)
    assert "How many mentees can you take at once?" in page and "credentials_sought" not in page
    assert client.post("/profile/edit", data=GOOD_MENTOR).status_code == 302
    saved = _profile(app, mentor.email)
    assert saved["capacity"] == 3 and saved["goals"] == ["specialist_certification", "supervisor"]


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
    ("mentee", "goals", [], "Choose at least one career goal."),
    ("mentee", "time_zone", "Mars/Olympus_Mons", "Not a valid choice"),
    ("mentee", "time_zone", "", "Choose your time zone."),
    ("mentee", "meeting_mode", "telepathy", "Not a valid choice"),
    ("mentee", "meeting_frequency", "hourly", "Not a valid choice"),
    ("mentee", "shift", "", "This field is required."),
    ("mentee", "bio", "x" * 1001, "Field cannot be longer than 1000 characters."),
    ("mentee", "hopes", "x" * 1001, "Field cannot be longer than 1000 characters."),
    ("mentee", "job_title", "", "This field is required."),
    ("mentee", "organisation", "y" * 161, "Field cannot be longer than 160 characters."),
    ("mentor", "capacity", "0", "Enter a number from 1 to 10."),
    ("mentor", "capacity", "11", "Enter a number from 1 to 10."),
    ("mentor", "capacity", "", "Enter a number from 1 to 10."),
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
