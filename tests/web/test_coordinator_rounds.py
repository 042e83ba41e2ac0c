"""The coordinator's round and pairing pages, and ending proposals from the waiting queue, through the test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func

from mentormatch.extensions import db
from mentormatch.models import Match, MatchingRound, MatchOrigin, MatchStatus, Notification, RoundStatus
from tests.conftest import Person
from tests.factories import default_program, make_program, make_user

ROUTES = [
    ("GET", "/coordinator/rounds"),
    ("GET", "/coordinator/rounds/new"),
    ("POST", "/coordinator/rounds/new"),
    ("POST", "/coordinator/rounds/1/withdraw"),
    ("GET", "/coordinator/pairs/new"),
    ("POST", "/coordinator/pairs/new"),
    ("GET", "/coordinator/queues/waiting"),
    ("POST", "/coordinator/queues/waiting/1/end"),
]
DEFAULTS = {"method": "optimal", "specialty": "3", "goals": "3", "credentials": "2", "experience": "1.5",
            "schedule": "1", "meeting_mode": "1", "frequency": "0.5"}


@pytest.fixture
def coordinator(person, login):
    someone = person("coordinator")
    login(someone)
    return someone


def rows(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def statuses(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(db.select(Match.status)))


def digest_of(html: str) -> str:
    return re.search(r'name="digest"[^>]*value="([0-9a-f]+)"|value="([0-9a-f]+)"[^>]*name="digest"', html).group(1)


def publish(client, preview_html: str, data=DEFAULTS):
    """Publish from a preview: the button asks first, then the confirmation page's button publishes."""
    asked = client.post("/coordinator/rounds/new", data={**data, "digest": digest_of(preview_html), "publish": "1"})
    assert asked.status_code == 200, asked.status_code
    html = asked.get_data(as_text=True)
    if 'name="confirmed" value="y"' not in html:
        return asked  # not asked: the preview again, with the reason
    return client.post("/coordinator/rounds/new", data={**data, "digest": digest_of(html), "publish": "1",
                                                        "confirmed": "y"})


def pair(client, mentee, mentor, **extra):
    """Propose a pair by hand, as choosing both from the search lists does."""
    return client.post("/coordinator/pairs/new", data={"mentee_id": mentee.id, "mentor_id": mentor.id, **extra})


@pytest.mark.parametrize("method, path", ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("role", ["mentee", "mentor"])
@pytest.mark.parametrize("method, path", ROUTES)
def test_participants_may_not_reach_coordinator_pages(client, person, login, role, method, path):
    login(person(role))
    assert client.open(path, method=method).status_code == 403


def test_the_dashboard_links_every_coordinator_page(client, coordinator):
    html = client.get("/coordinator/").get_data(as_text=True)
    for path in ("/coordinator/rounds/new", "/coordinator/rounds", "/coordinator/pairs/new",
                 "/coordinator/queues/waiting?days=0"):
        assert f'href="{path}"' in html


def test_the_round_form_starts_with_the_default_weights(client, coordinator):
    html = client.get("/coordinator/rounds/new").get_data(as_text=True)
    assert 'name="specialty"' in html and 'value="3.0"' in html and 'name="csrf_token"' in html


def test_the_round_form_starts_with_the_program_s_method_and_weights(app, client, coordinator):
    with app.app_context():
        program = default_program()
        program.matching_method, program.weights = "stable", {"specialty": 7.5, "goals": 0}
        db.session.commit()
    html = client.get("/coordinator/rounds/new").get_data(as_text=True)
    assert re.search(r'value="stable"[^>]*checked|checked[^>]*value="stable"', html)
    assert re.search(r'name="specialty"[^>]*value="7.5"|value="7.5"[^>]*name="specialty"', html)
    assert re.search(r'name="goals"[^>]*value="0(\.0)?"|value="0(\.0)?"[^>]*name="goals"', html)


def test_a_round_matches_its_own_program_only(app, client, coordinator, person):
    with app.app_context():
        other = make_program("Supervisor track")
        other_id = other.id
    person("mentee"), person("mentor", capacity=1)
    person("mentee", program=other), person("mentee", program=other)
    person("mentor", capacity=5, program=other)
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    assert "1 of 1" in html
    publish(client, html)
    assert rows(app, Match, Match.program_id == other_id) == 0 and rows(app, Match) == 1
    with app.app_context():
        theirs = MatchingRound(program_id=other_id, method="optimal", status="published", proposals=3,
                               total_score=1, weights={})
        db.session.add(theirs)
        db.session.commit()
        mine_id, theirs_id = db.session.scalar(db.select(MatchingRound.id).where(
            MatchingRound.program_id != other_id)), theirs.id
    listing = client.get("/coordinator/rounds").get_data(as_text=True)
    assert listing.count("Withdraw round…</a>") == 1
    assert f'<th scope="row">{mine_id}</th>' in listing and f'<th scope="row">{theirs_id}</th>' not in listing


def test_pairing_by_hand_refuses_people_of_another_program(app, client, coordinator, person):
    someone = person("mentee")
    with app.app_context():
        chosen = make_user("mentor", program=make_program("Supervisor track"))
        chosen = Person(chosen.id, chosen.email, "mentor")
    html = pair(client, someone, chosen).get_data(as_text=True)
    assert "Choose the mentor from the list" in html and rows(app, Match) == 0
    found = client.get("/coordinator/pairs/new", query_string={"mentor_q": chosen.email[:6]}).get_data(as_text=True)
    assert chosen.email not in found and "No active mentor of Test program has" in found
    with app.app_context():
        from mentormatch.services import pairing
        from mentormatch.services.matches import MatchError
        with pytest.raises(MatchError, match="No active mentor of Test program"):
            pairing.pair_by_hand(default_program(), someone.id, chosen.id, make_user("coordinator"))


def test_a_preview_shows_the_pairs_scores_and_who_is_left_out_and_writes_nothing(app, client, coordinator, person):
    person("mentee", specialties=["hematology"])
    person("mentee", specialties=["phlebotomy"])
    person("mentor", capacity=1, specialties=["hematology"])
    response = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 of 2" in html and "No mentor in their specialty" in html and "<progress" in html
    assert "Publish 1 proposal…<" in html and 'name="exclude"' in html
    assert re.search(r"<td>\d{1,3} / 100</td>", html)  # scores out of 100, as on every page
    assert rows(app, Match) == rows(app, MatchingRound) == rows(app, Notification) == 0


@pytest.mark.parametrize("field, value, message", [
    ("specialty", "11", "Enter a number from 0 to 10."),
    ("goals", "-1", "Enter a number from 0 to 10."),
    ("schedule", "lots", "Enter a number from 0 to 10."),
    ("frequency", "NaN", "Enter a number from 0 to 10."),
    ("method", "greedy", "Not a valid choice"),
])
def test_bad_round_settings_are_shown_again_with_a_message(client, coordinator, field, value, message):
    response = client.post("/coordinator/rounds/new", data={**DEFAULTS, field: value, "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "Preview" in html
    assert 'value="2"' in html or 'value="2.0"' in html  # the other answers are kept


def test_all_weights_at_zero_are_refused(client, coordinator):
    zeros = {**DEFAULTS, **{name: "0" for name in DEFAULTS if name != "method"}}
    html = client.post("/coordinator/rounds/new", data={**zeros, "preview": "1"}).get_data(as_text=True)
    assert "At least one weight must be above 0." in html


def test_a_malformed_excluded_pair_is_refused(client, coordinator):
    html = client.post("/coordinator/rounds/new",
                       data={**DEFAULTS, "excluded": "1;2", "preview": "1"}).get_data(as_text=True)
    assert "menteeId:mentorId" in html


def test_ticking_exclude_and_previewing_again_carries_the_exclusion_and_drops_the_pair(client, coordinator, person):
    someone = person("mentee")
    first, second = person("mentor", capacity=1), person("mentor", capacity=1,
                                                          specialties=["hematology"], meeting_mode="either")
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    proposed = re.search(rf'name="exclude" value="({someone.id}:\d+)"', html).group(1)
    html = client.post("/coordinator/rounds/new",
                       data={**DEFAULTS, "exclude": proposed, "preview": "1"}).get_data(as_text=True)
    assert f'name="excluded" value="{proposed}"' in html and "1 excluded pair" in html
    assert f'name="exclude" value="{proposed}"' not in html
    other = {first.id, second.id} - {int(proposed.split(":")[1])}
    assert f'name="exclude" value="{someone.id}:{other.pop()}"' in html


def test_publishing_asks_first_with_what_it_sends_then_creates_the_round_and_lists_it(app, client, coordinator,
                                                                                      person):
    person("mentee"), person("mentee"), person("mentor", capacity=2)
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    asked = client.post("/coordinator/rounds/new", data={**DEFAULTS, "digest": digest_of(html), "publish": "1"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Publish 2 proposals?" in page
    assert "2 mentees" in page and "1 mentor," in page and "4 notifications and 4 emails" in page
    assert "Publish and send 4 emails" in page and 'name="confirmed" value="y"' in page
    assert page.count('aria-label="Coordinator area"') == 1
    assert rows(app, Match) == rows(app, MatchingRound) == rows(app, Notification) == 0  # nothing sent yet
    back = client.post("/coordinator/rounds/new", data={**DEFAULTS, "digest": digest_of(page), "preview": "1",
                                                        "confirmed": "y"})
    assert "Preview again" in back.get_data(as_text=True) and rows(app, Match) == 0
    response = client.post("/coordinator/rounds/new", data={**DEFAULTS, "digest": digest_of(page), "publish": "1",
                                                            "confirmed": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/coordinator/rounds")
    assert rows(app, Match, Match.origin == MatchOrigin.ROUND) == 2 and rows(app, Notification) == 4
    listing = client.get("/coordinator/rounds").get_data(as_text=True)
    assert "published: 2 proposals" in listing and "Withdraw round…" in listing


def test_a_confirmed_publish_still_checks_the_preview_it_was_asked_for(app, client, coordinator, person):
    person("mentee"), person("mentor", capacity=2)
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    asked = client.post("/coordinator/rounds/new", data={**DEFAULTS, "digest": digest_of(html), "publish": "1"})
    person("mentee")  # the program changes while the coordinator reads the confirmation page
    response = client.post("/coordinator/rounds/new", data={**DEFAULTS, "digest": digest_of(asked.get_data(
        as_text=True)), "publish": "1", "confirmed": "y"})
    assert response.status_code == 200 and "differs from your last preview" in response.get_data(as_text=True)
    assert rows(app, Match) == 0


def test_publishing_with_pairs_ticked_for_exclusion_previews_instead(app, client, coordinator, person):
    someone, _ = person("mentee"), person("mentor")
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    ticked = re.search(rf'name="exclude" value="({someone.id}:\d+)"', html).group(1)
    response = client.post("/coordinator/rounds/new",
                           data={**DEFAULTS, "digest": digest_of(html), "exclude": ticked, "publish": "1"})
    assert response.status_code == 200 and "Preview again to see the round without them" in response.get_data(as_text=True)
    assert rows(app, Match) == 0


def test_publishing_after_the_program_changed_shows_the_new_preview(app, client, coordinator, person):
    person("mentee"), person("mentor", capacity=2)
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    person("mentee")
    response = publish(client, html)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "differs from your last preview" in page and "2 of 2" in page
    assert rows(app, Match) == 0


def test_withdrawing_a_round_asks_first(app, client, coordinator, person):
    person("mentee"), person("mentor")
    html = client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).get_data(as_text=True)
    publish(client, html)
    with app.app_context():
        round_id = db.session.scalar(db.select(MatchingRound.id))
    for asked in (client.get(f"/coordinator/rounds/{round_id}/withdraw"),
                  client.post(f"/coordinator/rounds/{round_id}/withdraw")):
        page = asked.get_data(as_text=True)
        assert asked.status_code == 200 and f"Withdraw round {round_id}?" in page
        assert "1 open proposal</strong>" in page and "(2 emails)" in page and statuses(app) == ["proposed"]
    response = client.post(f"/coordinator/rounds/{round_id}/withdraw", data={"confirm": "y"}, follow_redirects=True)
    assert f"Round {round_id} is withdrawn" in response.get_data(as_text=True)
    assert statuses(app) == ["withdrawn"]
    with app.app_context():
        assert db.session.get(MatchingRound, round_id).status == RoundStatus.WITHDRAWN
    assert "withdrawn already" in client.get(f"/coordinator/rounds/{round_id}/withdraw").get_data(as_text=True)


def test_withdrawing_a_missing_round_is_not_found(client, coordinator):
    assert client.post("/coordinator/rounds/999/withdraw", data={"confirm": "y"}).status_code == 404


def test_pairing_by_hand_warns_then_proposes_once_confirmed(app, client, coordinator, person):
    someone = person("mentee", meeting_mode="in_person")
    chosen = person("mentor", meeting_mode="virtual")
    html = pair(client, someone, chosen).get_data(as_text=True)
    assert "meeting modes clash" in html and "Pair them anyway" in html and rows(app, Match) == 0
    warned_for = f"{someone.id}:{chosen.id}"
    assert f'value="{warned_for}"' in html
    assert re.search(rf'name="mentee_id" value="{someone.id}" checked', html)  # the choice is kept
    response = pair(client, someone, chosen, confirm="y")
    assert response.status_code == 200 and rows(app, Match) == 0  # ticked without having seen the warnings
    response = pair(client, someone, chosen, confirm="y", warned_for=warned_for)
    assert response.status_code == 302 and response.headers["Location"].endswith("/coordinator/queues/waiting?days=0")
    assert rows(app, Match, Match.origin == MatchOrigin.MANUAL, Match.status == MatchStatus.PROPOSED) == 1


def test_pairing_by_hand_finds_people_by_part_of_their_name_or_email(app, client, coordinator, person):
    with app.app_context():
        ana = make_user("mentee", name="Ana Ruiz", email="ana.ruiz@lab.example.org")
        make_user("mentee", name="Anabel Ortiz", email="a.ortiz@lab.example.org")
        make_user("mentee", name="Ben Okafor", email="ben@lab.example.org")
        lee = make_user("mentor", name="Lee Chen", email="lchen@lab.example.org", capacity=3)
        make_user("mentee", name="Ana Elsewhere", program=make_program("Supervisor track"))
        ids = ana.id, lee.id
    html = client.get("/coordinator/pairs/new", query_string={"mentee_q": "ANA", "mentor_q": "lchen@"}).get_data(
        as_text=True)
    assert "Ana Ruiz" in html and "Anabel Ortiz" in html and "Ben Okafor" not in html
    assert "Ana Elsewhere" not in html  # another program's people are never listed
    assert "Lee Chen" in html and "3 free places" in html
    assert re.search(rf'name="mentor_id" value="{ids[1]}" checked', html)  # the only one found is chosen
    assert not re.search(r'name="mentee_id" value="\d+" checked', html)  # two found: the coordinator chooses
    searched = client.post("/coordinator/pairs/new", data={"mentee_q": "ruiz", "mentor_q": "", "mentor_id": ids[1],
                                                           "search": "mentee"})
    html = searched.get_data(as_text=True)
    assert searched.status_code == 200 and rows(app, Match) == 0  # searching proposes nothing
    assert re.search(rf'name="mentee_id" value="{ids[0]}" checked', html) and "Lee Chen" in html
    nobody = client.get("/coordinator/pairs/new", query_string={"mentee_q": "zzz"}).get_data(as_text=True)
    assert "No active mentee of Test program has “zzz”" in nobody
    response = client.post("/coordinator/pairs/new", data={"mentee_q": "ruiz", "mentee_id": ids[0],
                                                            "mentor_id": ids[1]})
    assert response.status_code == 302 and rows(app, Match, Match.origin == MatchOrigin.MANUAL) == 1


def test_a_pair_search_lists_a_bounded_number_of_people(app, client, coordinator):
    from mentormatch.services.pairing import SEARCH_LIMIT
    with app.app_context():
        for i in range(SEARCH_LIMIT + 3):
            make_user("mentee", name=f"Sam Many {i:02d}")
    html = client.get("/coordinator/pairs/new", query_string={"mentee_q": "sam many"}).get_data(as_text=True)
    assert html.count('name="mentee_id"') == SEARCH_LIMIT and "type more of the name" in html


def test_pairing_by_hand_explains_a_missing_choice(client, coordinator, person):
    chosen = person("mentor")
    html = client.post("/coordinator/pairs/new", data={"mentor_id": chosen.id}).get_data(as_text=True)
    assert "Choose the mentee from the list." in html and chosen.email in html
    html = client.post("/coordinator/pairs/new", data={"mentee_id": "99999999999999999999",
                                                       "mentor_id": "abc"}).get_data(as_text=True)
    assert "Choose a mentee and a mentor from the lists" in html


def test_a_coordinator_ends_a_pending_proposal_from_the_waiting_queue(app, client, coordinator, person):
    someone, chosen = person("mentee"), person("mentor")
    pair(client, someone, chosen)
    page = client.get("/coordinator/queues/waiting?days=0").get_data(as_text=True)
    match_id = int(re.search(r'/coordinator/queues/waiting/(\d+)/end', page).group(1))
    for asked in (client.get(f"/coordinator/queues/waiting/{match_id}/end?days=0"),
                  client.post(f"/coordinator/queues/waiting/{match_id}/end?days=0")):
        html = asked.get_data(as_text=True)
        assert asked.status_code == 200 and "End the proposal between" in html and statuses(app) == ["proposed"]
        assert f'action="/coordinator/queues/waiting/{match_id}/end?days=0"' in html
    response = client.post(f"/coordinator/queues/waiting/{match_id}/end?days=0", data={"confirm": "y"},
                           follow_redirects=True)
    assert "is ended; both were told" in response.get_data(as_text=True) and statuses(app) == ["withdrawn"]
    assert "nothing to end" in client.get(f"/coordinator/queues/waiting/{match_id}/end").get_data(as_text=True)
    again = client.post(f"/coordinator/queues/waiting/{match_id}/end", data={"confirm": "y"}, follow_redirects=True)
    assert "already withdrawn" in again.get_data(as_text=True)


def test_the_waiting_queue_is_paginated(app, client, coordinator, person):
    chosen = person("mentor", capacity=5)
    for _ in range(3):
        pair(client, person("mentee"), chosen)
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get("/coordinator/queues/waiting?days=0").get_data(as_text=True)
        second = client.get("/coordinator/queues/waiting?days=0&page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 25
    assert first.count("End proposal…</a>") == 2 and "Page 1 of 2" in first
    assert second.count("End proposal…</a>") == 1 and "Page 2 of 2" in second


def test_round_forms_refuse_posts_without_a_csrf_token(app, client, coordinator):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/coordinator/rounds/new", data={**DEFAULTS, "preview": "1"}).status_code == 400
    assert client.post("/coordinator/queues/waiting/1/end").status_code in (400, 404)
    assert client.post("/coordinator/rounds/1/withdraw", data={"confirm": "y"}).status_code in (400, 404)


def _queries_for(app, client, path) -> int:
    count = 0

    def counter(*_):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_waiting_and_rounds_pages_issue_the_same_queries_however_many_rows(app, client, coordinator, person):
    chosen = person("mentor", capacity=10)

    def propose(n):
        for _ in range(n):
            pair(client, person("mentee"), chosen)

    propose(2)
    waiting = "/coordinator/queues/waiting?days=0"
    few = _queries_for(app, client, waiting), _queries_for(app, client, "/coordinator/rounds")
    propose(4)
    assert (_queries_for(app, client, waiting), _queries_for(app, client, "/coordinator/rounds")) == few


def test_a_coordinator_keeps_a_method_and_weights_as_the_programs_defaults(app, client, login):
    from mentormatch.models import AuditEntry, Program

    with app.app_context():
        coordinator = make_user("coordinator")
        email, program_id = coordinator.email, default_program().id
        db.session.remove()
    login(email)
    chosen = {**DEFAULTS, "method": "stable", "specialty": "5"}
    response = client.post("/coordinator/rounds/new", data={**chosen, "save_defaults": "1"})
    assert response.status_code == 302
    with app.app_context():
        program = db.session.get(Program, program_id)
        assert (program.matching_method, program.weights["specialty"]) == ("stable", 5.0)
        assert db.session.scalar(db.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "round_defaults_saved"
    form = client.get("/coordinator/rounds/new").get_data(as_text=True)
    assert re.search(r'value="stable"[^>]*checked|checked[^>]*value="stable"', form) or \
        re.search(r'<option[^>]*selected[^>]*value="stable"|<option[^>]*value="stable"[^>]*selected', form)
    assert re.search(r'name="specialty"[^>]*value="5(\.0)?"|value="5(\.0)?"[^>]*name="specialty"', form)
