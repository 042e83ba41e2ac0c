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


def _zone_options(page: str) -> list[str]:
    select = page[re.search(r'<select[^>]*id="time_zone"', page).start():]
    return re.findall(r'<option[^>]*value="([^"]*)"', select[:select.index("</select>")])


def test_the_time_zone_list_puts_the_common_zones_first_and_hides_obsolete_names(client, person, login):
    login(person("mentee", profile=False))
    page = client.get("/profile/edit").get_data(as_text=True)
    options = _zone_options(page)
    assert options[:3] == ["", "America/New_York", "America/Chicago"]
    assert '<optgroup label="Common time zones">' in page and '<optgroup label="All other time zones">' in page
    assert "Europe/London" in options[:20] and "Australia/Sydney" in options[:40]
    assert "Asia/Tokyo" in options and "America/Argentina/Buenos_Aires" in options
    assert len(options) == len(set(options)) > 300  # every place zone, each once
    for obsolete in ("US/Eastern", "EST5EDT", "Etc/GMT+5", "GB", "Asia/Calcutta", "Europe/Kiev", "America/Buenos_Aires"):
        assert obsolete not in options, obsolete
    # The old names ride along for the browser's zone (Chrome reports "Asia/Calcutta"), and the script loads.
    assert re.search(r'value="Asia/Kolkata"[^>]*data-also="Asia/Calcutta"|data-also="Asia/Calcutta"[^>]*value="Asia/Kolkata"',
                     page)
    assert 'data-browser-zone' in page and '/static/js/timezone.js" defer' in page
    assert "Eastern time (New York)" in page


def test_an_obsolete_name_is_refused_for_a_new_choice(client, person, login, app):
    someone = person("mentee", profile=False)
    login(someone)
    page = client.post("/profile/edit", data={**GOOD_MENTEE, "time_zone": "US/Eastern"}).get_data(as_text=True)
    assert "Not a valid choice" in page and _profile(app, someone.email) is None


def test_a_stored_obsolete_name_still_shows_and_saves_and_the_person_is_told_its_new_name(client, person, login, app):
    mentee = person("mentee", time_zone="US/Eastern")
    login(mentee)
    shown = client.get("/profile/").get_data(as_text=True)
    assert "US/Eastern" in shown and "old name for Eastern time (New York)" in shown
    form = client.get("/profile/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="US/Eastern">', form)
    assert "old name for Eastern time (New York)" in form
    assert client.post("/profile/edit", data={**GOOD_MENTEE, "time_zone": "US/Eastern"}).status_code == 302
    assert _profile(app, mentee.email)["zone"] == "US/Eastern"
    assert client.post("/profile/edit", data={**GOOD_MENTEE, "time_zone": "America/New_York"}).status_code == 302
    assert "old name" not in client.get("/profile/edit").get_data(as_text=True)
    # Another obsolete name than the stored one is still refused.
    page = client.post("/profile/edit", data={**GOOD_MENTEE, "time_zone": "US/Pacific"}).get_data(as_text=True)
    assert "Not a valid choice" in page and _profile(app, mentee.email)["zone"] == "America/New_York"


def test_the_profile_names_a_common_zone_in_words(client, person, login):
    login(person("mentee", time_zone="America/Phoenix"))
    page = client.get("/profile/").get_data(as_text=True)
    assert "Mountain time without daylight saving (Phoenix)" in page and "America/Phoenix" in page


def test_a_stored_name_that_is_no_zone_at_all_must_be_chosen_again(client, person, login, app):
    mentee = person("mentee", time_zone="Mars/Olympus_Mons")
    login(mentee)
    assert "Mars/Olympus_Mons" not in _zone_options(client.get("/profile/edit").get_data(as_text=True))
    page = client.post("/profile/edit", data={**GOOD_MENTEE, "time_zone": "Mars/Olympus_Mons"}).get_data(as_text=True)
    assert "Not a valid choice" in page and _profile(app, mentee.email)["zone"] == "Mars/Olympus_Mons"


def test_the_account_page_gives_session_times_in_the_persons_zone(client, person, login):
    login(person("mentee", time_zone="America/Los_Angeles"))
    page = client.get("/auth/account").get_data(as_text=True)
    assert re.search(r"since \d{1,2} \w{3} \d{4}, \d\d:\d\d P[SD]T", page)
    assert " UTC" not in page
