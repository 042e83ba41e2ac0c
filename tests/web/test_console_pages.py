"""Console pages: only coordinators reach them, they render, and their SQL count does not grow with the program."""

from __future__ import annotations

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import Agreement, Escalation, Match, MatchingRound, SurveyQuestion, User
from tests.factories import PASSWORD, make_program, make_user
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
    "/coordinator/rounds", "/coordinator/rounds/new", "/coordinator/pairs/new",
    "/coordinator/pairs/new?mentee_q=test&mentor_q=test", "/coordinator/pairs/new?mentee_id={mentee_id}",
    # The pages that ask before a change, and the roster template.
    "/coordinator/people/{mentee_id}/deactivate", "/coordinator/people/{mentee_id}/membership/end",
    "/coordinator/queues/waiting/{match_id}/end", "/coordinator/queues/cadence/{agreement_id}/end",
    "/coordinator/rounds/{round_id}/withdraw", "/coordinator/roster/template.csv", "/coordinator/messages/reported",
    # CE certificates: the program's list, those to issue, the policy, and a pair's issuing page.
    "/coordinator/certificates/", "/coordinator/certificates/?page=2", "/coordinator/certificates/to-issue",
    "/coordinator/certificates/policy", "/coordinator/certificates/issue/{agreement_id}",
    "/coordinator/credentials/earned", "/coordinator/credentials/expiring",
    # The automation: escalations and their settings, surveys and their results, the outcome report.
    "/coordinator/escalations", "/coordinator/escalations?kind=quiet_pair", "/coordinator/escalations/settings",
    "/coordinator/escalations/{escalation_id}/resolve", "/coordinator/surveys",
    "/coordinator/surveys/results?stage=pulse", "/coordinator/surveys/questions/{question_id}/edit",
    "/coordinator/surveys/questions/{question_id}/delete", "/coordinator/outcome-report",
    "/coordinator/outcome-report.csv",
]


def with_records(ids: dict) -> dict:
    """``build_program``'s ids plus a waiting proposal, an active pair and a round of that program."""
    program_id = ids["program_id"]
    matching_round = MatchingRound(program_id=program_id, method="optimal", status="published", proposals=0,
                                   total_score=0, weights={})
    db.session.add(matching_round)
    db.session.flush()
    agreement_id = db.session.scalar(db.select(Agreement.id).join(Match).where(
        Match.program_id == program_id, Agreement.status == "active").limit(1))
    question = SurveyQuestion(program_id=program_id, stage="pulse", kind="scale", text="How is it going?")
    escalation = Escalation(program_id=program_id, kind="quiet_pair", subject=f"agreement:{agreement_id}",
                            period=f"round-{matching_round.id}", reason="No meeting logged for 22 days.",
                            action="Nudge the pair")
    db.session.add_all([question, escalation])
    db.session.commit()
    return {**ids, "round_id": matching_round.id, "question_id": question.id, "escalation_id": escalation.id,
            "match_id": db.session.scalar(db.select(Match.id).where(Match.program_id == program_id,
                                                                    Match.status == "proposed").limit(1)),
            "agreement_id": db.session.scalar(db.select(Agreement.id).join(Match).where(
                Match.program_id == program_id, Agreement.status == "active").limit(1))}


def _client(app, email):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def program(app):
    with app.app_context():
        ids = with_records(build_program(3))
        db.session.remove()
    return ids


def test_every_console_page_renders_for_a_coordinator(app, program):
    client = _client(app, program["coordinator"])
    for path in GET_PAGES:
        with client.get(path.format(**program)) as response:  # closing ends a streamed export's context
            assert response.status_code == 200, path


@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_participants_get_403_on_every_console_route(app, program, role):
    with app.app_context():
        email = make_user(role).email
    client = _client(app, email)
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("coordinator."):
            path = re.sub(r"<int:\w+>", "1", rule.rule)
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


def test_the_proposals_page_is_gone_in_favour_of_the_waiting_queue(app, program):
    client = _client(app, program["coordinator"])
    assert client.get("/coordinator/proposals").status_code == 404
    html = client.get("/coordinator/").get_data(as_text=True)
    assert 'href="/coordinator/queues/waiting?days=0"' in html and "/coordinator/proposals" not in html


def test_every_page_shows_one_navigation_naming_the_program(app, program):
    client = _client(app, program["coordinator"])
    for path in [p for p in GET_PAGES if not p.split("?")[0].endswith(".csv")]:
        html = client.get(path.format(**program)).get_data(as_text=True)
        assert html.count('aria-label="Coordinator area"') == 1, path
        assert "Test program" in html and 'href="/coordinator/rounds"' in html, path
        assert 'href="/coordinator/messages/reported"' in html, path
        assert 'role="button"' not in html, path  # links stay links (styled with class="button")


def test_every_console_get_page_is_in_the_list_above(app):
    listed = {re.sub(r"\{\w+\}", "<id>", p.split("?")[0]) for p in GET_PAGES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("coordinator.") and "GET" in rule.methods:
            path = re.sub(r"<int:\w+>", "<id>", rule.rule)
            assert path in listed or rule.endpoint in ("coordinator.queues_index", "coordinator.reported_message"), \
                rule.rule


def test_console_pages_show_times_in_the_viewer_s_zone_and_scores_out_of_100(app, program):
    with app.app_context():
        from mentormatch.models import Profile
        coordinator = db.session.scalar(db.select(User).where(User.email == program["coordinator"]))
        db.session.add(Profile(user_id=coordinator.id, job_title="Coordinator", organisation="Lab",
                               years_experience=5, time_zone="America/Chicago", meeting_mode="either",
                               meeting_frequency="monthly", shift="day"))
        db.session.commit()
    client = _client(app, program["coordinator"])
    audit = client.get("/coordinator/audit").get_data(as_text=True)
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d C[SD]T", audit)  # local_time, labelled with the zone
    person = client.get(f"/coordinator/people/{program['mentor_id']}").get_data(as_text=True)
    assert "<td>80 / 100</td>" in person and "<td>60 / 100</td>" in person  # stored 0.8 and 0.6
    rounds = client.get("/coordinator/rounds").get_data(as_text=True)
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d C[SD]T", rounds)
    for path in GET_PAGES:
        if not path.split("?")[0].endswith(".csv"):
            html = client.get(path.format(**program)).get_data(as_text=True)
            assert not re.search(r"\b0\.\d{2}\b", html), path  # no score left on the engine's 0-1 scale


def test_each_dashboard_chart_has_a_data_table_with_its_figures(app, program):
    client = _client(app, program["coordinator"])
    html = client.get("/coordinator/").get_data(as_text=True)
    assert html.count("<summary>Data table") == 3 and html.count('<img src="data:image/svg+xml') == 3
    supply = html[html.index("Supply and demand per specialty"):html.index("Matches per week")]
    assert '<th scope="row">Hematology</th>' in supply and "Unmatched mentees wanting it" in supply
    cadence = html[html.index("Cadence adherence"):]
    assert re.search(r'<th scope="row">Overdue</th><td>\d+</td>', cadence)


def _foreign(app, program) -> dict:
    """A second program with a coordinator, people, a round and pairs; returns their ids and the coordinator."""
    with app.app_context():
        other = make_program("Supervisor track", slug="supervisor")
        ids = build_program(2, "b", program=other)
        db.session.add(MatchingRound(program_id=other.id, method="optimal", status="published", proposals=0,
                                     total_score=0, weights={}))
        db.session.commit()
        found = {
            "coordinator": ids["coordinator"], "mentee_id": ids["mentee_id"], "mentor_id": ids["mentor_id"],
            "match_id": db.session.scalar(db.select(Match.id).where(Match.program_id == other.id,
                                                                    Match.status == "proposed")),
            "agreement_id": db.session.scalar(db.select(Agreement.id).join(Match).where(
                Match.program_id == other.id, Agreement.status == "active")),
            "round_id": db.session.scalar(db.select(MatchingRound.id).where(MatchingRound.program_id == other.id)),
            "names": set(db.session.scalars(db.select(User.name).join(User.memberships).where(
                User.memberships.any(program_id=other.id)))),
            "emails": set(db.session.scalars(db.select(User.email).where(
                User.memberships.any(program_id=other.id)))),
        }
        db.session.remove()
    return found


def test_a_coordinator_of_one_program_sees_nothing_of_another(app, program):
    theirs = _foreign(app, program)
    client = _client(app, program["coordinator"])
    for path in GET_PAGES:
        with client.get(path.format(**program)) as response:
            body = response.get_data(as_text=True)
        leaked = [e for e in theirs["emails"] if e in body] + [n for n in theirs["names"] if n in body]
        assert not leaked, (path, leaked)
    # Figures: the dashboard counts this program only (3 mentors, 6 mentees, one coordinator).
    html = client.get("/coordinator/").get_data(as_text=True)
    assert '<p class="figure">3</p><p>Mentors</p>' in html and '<p class="figure">6</p><p>Mentees</p>' in html
    assert "Nudged pair" in client.get("/coordinator/audit").get_data(as_text=True)
    with client.get("/coordinator/exports/pairings.csv") as response:
        assert len(response.get_data(as_text=True).splitlines()) == 1 + 10  # this program's ten matches


def test_another_program_s_ids_are_not_found(app, program):
    theirs = _foreign(app, program)
    client = _client(app, program["coordinator"])
    for method, path in [
        ("GET", "/coordinator/people/{mentee_id}"), ("GET", "/coordinator/people/{mentor_id}"),
        ("GET", "/coordinator/queues/unmatched/{mentee_id}/candidates"),
        ("POST", "/coordinator/people/{mentee_id}/deactivate"), ("POST", "/coordinator/people/{mentee_id}/reactivate"),
        ("POST", "/coordinator/people/{mentee_id}/flag"), ("POST", "/coordinator/people/{mentee_id}/unflag"),
        ("POST", "/coordinator/queues/waiting/{match_id}/remind"), ("POST", "/coordinator/queues/waiting/{match_id}/end"),
        ("POST", "/coordinator/queues/cadence/{agreement_id}/nudge"),
        ("POST", "/coordinator/queues/cadence/{agreement_id}/end"),
        ("POST", "/coordinator/rounds/{round_id}/withdraw"),
    ]:
        assert client.open(path.format(**theirs), method=method, data={"confirm": "y", "reason": "x"}).status_code \
            == 404, (method, path)
    with app.app_context():
        assert all(u.active for u in db.session.scalars(db.select(User)))
        assert db.session.get(Match, theirs["match_id"]).status == "proposed"


def test_the_switcher_s_program_is_the_one_a_coordinator_of_both_works_on(app, program):
    theirs = _foreign(app, program)
    with app.app_context():
        from mentormatch.services.programs import appoint_coordinator
        other = db.session.scalar(db.select(User).where(User.email == theirs["coordinator"])).coordinated_programs[0]
        both = make_user("coordinator", email="both@example.org")
        appoint_coordinator(other, both)
        other_id = other.id
    client = _client(app, "both@example.org")
    with client.session_transaction() as session:
        session["program_id"] = program["program_id"]
    assert client.get(f"/coordinator/people/{theirs['mentee_id']}").status_code == 404
    assert client.get(f"/coordinator/people/{program['mentee_id']}").status_code == 200
    with client.session_transaction() as session:
        session["program_id"] = other_id
    assert client.get(f"/coordinator/people/{theirs['mentee_id']}").status_code == 200
    assert client.get(f"/coordinator/people/{program['mentee_id']}").status_code == 404


def test_a_site_administrator_runs_every_program(app, program):
    theirs = _foreign(app, program)
    with app.app_context():
        make_user("admin", email="admin@example.org")
        other_id = db.session.scalar(db.select(MatchingRound.program_id).where(MatchingRound.id == theirs["round_id"]))
    client = _client(app, "admin@example.org")
    with client.session_transaction() as session:
        session["program_id"] = other_id
    assert client.get(f"/coordinator/people/{theirs['mentee_id']}").status_code == 200
    assert "Supervisor track" in client.get("/coordinator/").get_data(as_text=True)


def test_hostile_filters_are_ignored_not_errors(app, program):
    client = _client(app, program["coordinator"])
    for query in ("page=-5", "page=abc", "page=99999999999999999999", "days=-1", "days=1e309", "reason=<script>",
                  "state='; DROP TABLE users; --", "since=2020-13-45", "q=%25_%25", "role=admin"):
        for path in ("/coordinator/queues/unmatched", "/coordinator/queues/waiting", "/coordinator/queues/cadence",
                     "/coordinator/people/", "/coordinator/audit"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200, (path, query)
            assert "<script>" not in response.get_data(as_text=True)


COUNTED = [p for p in GET_PAGES if not p.split("?")[0].endswith(".csv")]


def _statements(app, email: str, path: str) -> int:
    client = _client(app, email)
    client.get(path)  # warm caches outside the count
    with count_statements() as seen:
        assert client.get(path).status_code == 200, path
    return len(seen)


def test_console_pages_send_as_many_statements_for_a_program_ten_times_larger(app):
    with app.app_context():
        small = with_records(build_program(4, "s"))
        db.session.remove()
    counts_small = {p: _statements(app, small["coordinator"], p.format(**small)) for p in COUNTED}
    with app.app_context():
        large = with_records(build_program(40, "l"))
        db.session.remove()
    differences = [f"{p}: {counts_small[p]} vs {n}" for p in COUNTED
                   if (n := _statements(app, large["coordinator"], p.format(**large))) != counts_small[p]]
    assert not differences, differences


@pytest.mark.parametrize("path, says, next_step", [
    ("/coordinator/queues/unmatched", "No unmatched mentee", "/coordinator/roster/import"),
    ("/coordinator/queues/unmatched?name=zzz", "No unmatched mentee matches these filters", "/coordinator/queues/unmatched"),
    ("/coordinator/queues/waiting", "No proposal has been waiting 7 days", "/coordinator/queues/waiting?days=0"),
    ("/coordinator/queues/declined", "No declined proposal so far", "/coordinator/queues/waiting?days=0"),
    ("/coordinator/queues/cadence", "Every active pair is keeping its agreed pace", 'href="/coordinator/"'),
    ("/coordinator/queues/flagged", "No profile is flagged", "/coordinator/people/"),
    ("/coordinator/people/", "Nobody has joined Test program yet", "/coordinator/roster/import"),
    ("/coordinator/people/?q=zzz", "Nobody matches this search", 'href="/coordinator/people/"'),
    ("/coordinator/audit", "No coordinator action in Test program yet", "/coordinator/rounds/new"),
    ("/coordinator/audit?action=nudge_sent", "No entry matches these filters", 'href="/coordinator/audit"'),
    ("/coordinator/rounds", "No round has been published yet", "/coordinator/rounds/new"),
])
def test_an_empty_list_says_so_and_offers_a_next_step(app, path, says, next_step):
    with app.app_context():
        email = make_user("coordinator").email
    html = _client(app, email).get(path).get_data(as_text=True)
    assert says in html, path
    after = html[html.index(says):]
    assert next_step in after[:after.index("</p>")], path
