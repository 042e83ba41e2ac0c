"""The outcome report's page and CSV file: for the program's coordinators only."""

from __future__ import annotations

import csv
import io

import pytest

from mentormatch import clock
from mentormatch.extensions import db
from tests.factories import make_program, make_user
from tests.services.test_outcome_report import NOW, build_varied_program
from tests.querycount import count_statements
from tests.web.test_console_pages import _client

PAGE, CSV = "/coordinator/outcome-report", "/coordinator/outcome-report.csv"


@pytest.fixture
def varied(app):
    with app.app_context():
        built = build_varied_program()
        coordinator = make_user("coordinator", email="coord@example.org", program=built["program"])
        found = {"coordinator": coordinator.email, "slug": built["program"].slug,
                 "mentee": built["mentees"][0].email, "mentor": built["mentors"][0].email}
        clock.set_to(NOW)
        db.session.remove()
    return found


def test_a_coordinator_sees_the_figures_and_the_charts_with_their_tables(app, varied):
    html = _client(app, varied["coordinator"]).get(PAGE).get_data(as_text=True)
    assert "<h1>Test program: outcome report</h1>" in html
    assert "83.3%" in html and "5 of 6 ever enrolled" in html  # matched share
    assert "70.6%" in html and "13 meetings logged, 17 expected" in html  # adherence
    assert "2 / 4" in html  # pairs on pace
    assert "3 / 6" in html and "1 / 2" in html  # goals, exam plans
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert html.count("Data table") == 4
    assert "<td>fewer than 5</td><td>hidden</td>" in html  # January: 4 people
    assert "<td>6</td><td>4.00</td>" in html  # February: 6 people
    assert 'href="/coordinator/outcome-report.csv"' in html
    assert html.count('aria-label="Coordinator area"') == 1


def test_the_page_takes_the_same_number_of_queries_however_big_the_program(app, varied):
    client = _client(app, varied["coordinator"])
    client.get(PAGE)
    with count_statements() as few:
        assert client.get(PAGE).status_code == 200
    with app.app_context():
        from tests.factories import default_program
        build_varied_program(default_program())
        db.session.remove()
    with count_statements() as many:
        assert client.get(PAGE).status_code == 200
    assert len(many) == len(few), str(many)


def test_the_csv_download_holds_the_report(app, varied):
    response = _client(app, varied["coordinator"]).get(CSV)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="mentormatch-{varied["slug"]}-outcomes-2027-03-15.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Figure", "Value"]
    values = {row[0]: row[1] for row in rows if len(row) == 2}
    assert values["Counted to"] == "2027-03-15"
    assert values["Matched share"] == "83.3%" and values["Mentees matched"] == "5"
    assert values["Agreements completed"] == "2" and values["Agreements ended early"] == "1"
    assert ["2027-02", "6", "4.00"] in rows and ["2027-01", "fewer than 5", "hidden"] in rows
    assert ["2026-09", "0", "3"] in rows


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_participants_are_refused(app, varied, side):
    client = _client(app, varied[side])
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(app, varied):
    for path in (PAGE, CSV):
        response = app.test_client().get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_a_new_program_shows_what_the_report_will_hold(app):
    with app.app_context():
        email = make_user("coordinator", email="fresh@example.org", program=make_program("Fresh start")).email
        clock.set_to(NOW)
    client = _client(app, email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Nothing to report yet" in html and "Nobody has enrolled in Fresh start yet" in html
    assert "data:image/svg+xml" not in html
    rows = list(csv.reader(io.StringIO(client.get(CSV).get_data(as_text=True)[1:])))
    assert ["Mentees ever enrolled", "0"] in rows and ["Matched share", "n/a"] in rows


def test_a_coordinator_sees_only_their_own_program(app, varied):
    with app.app_context():
        email = make_user("coordinator", email="other@example.org", program=make_program("Elsewhere")).email
    html = _client(app, email).get(PAGE).get_data(as_text=True)
    assert "Nothing to report yet" in html and "83.3%" not in html


def test_a_program_nobody_has_surveyed_yet_draws_no_empty_survey_chart(app):
    from tests.services.test_console_stats import build_program

    with app.app_context():
        email = build_program(2)["coordinator"]
    html = _client(app, email).get(PAGE).get_data(as_text=True)
    assert "No survey answers yet." in html
    assert html.count('<img src="data:image/svg+xml') == 3 and "Survey scores per month</strong>" not in html
