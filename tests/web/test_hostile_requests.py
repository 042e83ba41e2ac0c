"""Requests no browser of ours sends: files in text fields, ids beyond the id column, NUL in a roster.

Each answered 500 before: a text field's validators cannot measure a file
(``TypeError: FileStorage has no len()``), an id past the column's range
overflows in the database driver, and PostgreSQL refuses a NUL in text.
"""

from __future__ import annotations

import io
import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import User
from mentormatch.services.console import roster
from mentormatch.web.security import MAX_ID
from tests.factories import PASSWORD, default_program, make_pair
from tests.web.test_hostile_input import PROFILE

HEADER = "email,name,role,specialties\n"


def a_file(content: bytes = b"not text") -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), "field.txt"


def logged_in(app, who):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": who.email, "password": PASSWORD}).status_code == 302
    return client


def test_a_file_where_the_login_form_expects_text_is_refused_before_anyone_logs_in(client):
    response = client.post("/auth/login", data={"email": a_file(), "password": PASSWORD},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "a file where it expects text" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["job_title", "bio", "specialties", "csrf_token"])
def test_a_file_in_any_field_of_a_logged_in_form_is_refused(app, person, field):
    client = logged_in(app, person("mentee"))
    response = client.post("/profile/edit", data={**PROFILE, field: a_file()}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_the_roster_upload_takes_its_file_but_not_a_file_in_its_other_field(app, person):
    client = logged_in(app, person("coordinator"))
    good = (HEADER + "ana@lab.example.org,Ana Ruiz,mentee,hematology\n").encode()
    checked = client.post("/coordinator/roster/import", data={"roster": a_file(good), "check_only": "y"},
                          content_type="multipart/form-data")
    assert checked.status_code == 200 and "1 people would be invited" in checked.get_data(as_text=True)
    sneaky = client.post("/coordinator/roster/import", data={"roster": a_file(good), "check_only": a_file()},
                         content_type="multipart/form-data")
    assert sneaky.status_code == 400


def id_routes(app) -> list[tuple[str, str, list[str]]]:
    """Every route with an ``<int:...>`` part: (rule, a method it answers, the names of its id parts)."""
    found = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if converter.regex == r"\d+"]
        if ids:
            found.append((rule.rule, "GET" if "GET" in rule.methods else "POST", ids))
    return found


@pytest.mark.parametrize("too_big", [MAX_ID + 1, 2**63, 10**30])
def test_every_id_route_answers_404_for_an_id_beyond_the_column(app, person, too_big):
    """A coordinator and a participant reach every loader (the others' pages are 403 for each)."""
    clients = [logged_in(app, person("coordinator")), logged_in(app, person("mentee"))]
    routes = id_routes(app)
    assert len(routes) > 20
    answers = {}
    for path, method, ids in routes:
        url = re.sub(r"<int:\w+>", str(too_big), path)
        answers[f"{method} {url}"] = {client.open(url, method=method).status_code for client in clients}
    assert {route: codes for route, codes in answers.items() if codes != {404}} == {}


def test_the_largest_id_still_reaches_the_page(app, person):
    client = logged_in(app, person("mentee"))
    assert client.get(f"/matches/{MAX_ID}").status_code == 404  # no such match, but the loader ran
    assert client.get("/matches/0").status_code == 404


def test_a_roster_with_a_nul_character_is_refused_at_the_check_with_its_line(app_ctx):
    data = (HEADER + "ana@lab.example.org,Ana Ruiz,mentee,hematology\n"
            + "ben@lab.example.org,Ben\x00Okafor,mentor,hematology\n").encode()
    check = roster.check_roster(data, default_program(), max_bytes=1 << 20, max_rows=100)
    assert not check.ok
    assert check.file_errors == ["Line 3 contains a NUL character, which cannot be stored. "
                                 "Remove it (or save the file again as 'CSV UTF-8') and upload it again."]
    with pytest.raises(ValueError):
        roster.import_roster(check, None)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_the_upload_page_names_the_line_with_the_nul_character(app, person):
    client = logged_in(app, person("coordinator"))
    data = (HEADER + "ana@lab.example.org,Ana\x00Ruiz,mentee,hematology\r\n").encode()
    page = client.post("/coordinator/roster/import", data={"roster": a_file(data)},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "Line 2 contains a NUL character" in page.get_data(as_text=True)



@pytest.mark.parametrize("number", ["²", "1" * 5000, "-1", "1.0"])
def test_confirming_a_version_number_that_is_no_number_is_refused_not_a_crash(app, number):
    with app.app_context():
        match = make_pair()
        mentor_email, agreement_id = match.mentor.email, match.agreement.id
        db.session.remove()
    client = app.test_client()
    client.post("/auth/login", data={"email": mentor_email, "password": PASSWORD})
    response = client.post(f"/agreements/{agreement_id}/confirm", data={"number": number})
    assert response.status_code == 302
    assert "could not be read" in client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
