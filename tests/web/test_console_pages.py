"""Console pages: only coordinators reach them, they render, and their SQL count does not grow with the program."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from tests.factories import PASSWORD
from tests.querycount import count_statements
from tests.services.test_console_stats import build_program

GET_PAGES = [
    "/coordinator/",
    "/coordinator/queues/unmatched", "/coordinator/queues/unmatched?reason=Profile+incomplete+(specialty+or+goals+missing)",
    "/coordinator/queues/unmatched?specialty=hematology&name=test",
    "/coordinator/queues/unmatched/{mentee_id}/candidates", "/coordinator/queues/waiting",
    "/coordinator/queues/waiting?days=0", "/coordinator/queues/declined", "/coordinator/queues/declined?reason=no_time",
    "/coordinator/queues/cadence", "/coordinator/queues/cadence?state=overdue", "/coordinator/queues/flagged", "/coordinator/queues/flagged?name=test",
    "/coordinator/people/", "/coordinator/people/?q=test&role=mentee&specialty=hematology&state=active",
    "/coordinator/people/{mentee_id}", "/coordinator/people/{mentor_id}", "/coordinator/roster/import",
    "/coordinator/exports/", "/coordinator/audit", "/coordinator/audit?action=nudge_sent&actor=test&since=2020-01-01",
    "/coordinator/exports/pairings.csv", "/coordinator/exports/meetings.csv", "/coordinator/exports/unmatched.csv",
]


def _client(app, email):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def program(app):
    with app.app_context():
        ids = build_program(3)
        db.session.remove()
    return ids


def test_every_console_page_renders_for_a_coordinator(app, program):
    client = _client(app, program["coordinator"])
    for path in GET_PAGES:
        with client.get(path.format(**program)) as response:  # closing ends a streamed export's context
            assert response.status_code == 200, path


@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_participants_get_403_on_every_console_route(app, person, program, role):
    client = _client(app, person(role).email)
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console."):
            path = rule.rule.replace("<int:user_id>", "1").replace("<int:match_id>", "1").replace(
                "<int:agreement_id>", "1")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert client.open(path, method=method).status_code == 403, (method, path)


def test_anonymous_visitors_are_sent_to_log_in(app, program):
    client = app.test_client()
    for path in ("/coordinator/queues/unmatched", "/coordinator/people/1", "/coordinator/exports/pairings.csv"):
        with client.get(path) as response:
            assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_unknown_ids_are_404(app, program):
    client = _client(app, program["coordinator"])
    assert client.get("/coordinator/people/99999").status_code == 404
    assert client.get("/coordinator/queues/unmatched/99999/candidates").status_code == 404
    assert client.get(f"/coordinator/queues/unmatched/{program['mentor_id']}/candidates").status_code == 404
    assert client.post("/coordinator/queues/waiting/99999/remind").status_code == 404
    assert client.post("/coordinator/people/99999/deactivate").status_code == 404


def test_hostile_filters_are_ignored_not_errors(app, program):
    client = _client(app, program["coordinator"])
    for query in ("page=-5", "page=abc", "page=99999999999999999999", "days=-1", "days=1e309", "reason=<script>",
                  "state='; DROP TABLE users; --", "since=2020-13-45", "q=%25_%25", "role=admin"):
        for path in ("/coordinator/queues/unmatched", "/coordinator/queues/waiting", "/coordinator/queues/cadence",
                     "/coordinator/people/", "/coordinator/audit"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200, (path, query)
            assert "<script>" not in response.get_data(as_text=True)


COUNTED = [p for p in GET_PAGES if not p.endswith(".csv")]


def _statements(app, email: str, path: str) -> int:
    client = _client(app, email)
    client.get(path)  # warm caches outside the count
    with count_statements() as seen:
        assert client.get(path).status_code == 200, path
    return len(seen)


def test_console_pages_send_as_many_statements_for_a_program_ten_times_larger(app):
    with app.app_context():
        small = build_program(4, "s")
        db.session.remove()
    counts_small = {p: _statements(app, small["coordinator"], p.format(**small)) for p in COUNTED}
    with app.app_context():
        large = build_program(40, "l")
        db.session.remove()
    differences = [f"{p}: {counts_small[p]} vs {n}" for p in COUNTED
                   if (n := _statements(app, large["coordinator"], p.format(**large))) != counts_small[p]]
    assert not differences, differences
