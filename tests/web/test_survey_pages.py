"""Survey pages: a participant answers under the visibility rule they read first; coordinators keep questions and
read results of their own program only, with the thresholds held."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from mentormatch import clock
from mentormatch.extensions import db
from mentormatch.models import Agreement, Program, SurveyQuestion, SurveyResponse
from mentormatch.services import surveys
from tests.factories import PASSWORD, default_program, make_program, make_user
from tests.services.test_surveys import at, started


@dataclass(frozen=True)
class Setup:
    agreement_id: int
    mentee: str
    mentor: str
    coordinator: str
    scale_id: int
    yes_no_id: int
    text_id: int


def client_for(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def setup(app) -> Setup:
    """A pair started on START, a kick-off survey of three questions, and the scheduler's clock on day 3."""
    with app.app_context():
        program = default_program()
        coordinator = make_user("coordinator", email="coord@lab.example.org", program=program)
        scale = surveys.add_question(program, coordinator, "kickoff", "scale", "How clear are your goals?")
        yes_no = surveys.add_question(program, coordinator, "kickoff", "yes_no", "Have you met yet?")
        text = surveys.add_question(program, coordinator, "kickoff", "text", "Anything to tell us?")
        agreement = started()
        found = Setup(agreement.id, agreement.match.mentee.email, agreement.match.mentor.email, coordinator.email,
                      scale.id, yes_no.id, text.id)
        clock.set_to(at(3))
        db.session.remove()
    return found


def answers(s: Setup, **overrides) -> dict:
    data = {f"q{s.scale_id}": "4", f"q{s.yes_no_id}": "yes", f"q{s.text_id}": "Good start", "rule_seen": "totals"}
    data.update(overrides)
    return data


def test_the_participant_reads_the_visibility_rule_above_the_questions_then_answers_once(app, setup):
    mentee = client_for(app, setup.mentee)
    url = f"/surveys/{setup.agreement_id}/kickoff"
    page = mentee.get(url).get_data(as_text=True)
    rule = page.index("see only totals of 5 or more people")
    assert rule < page.index("How clear are your goals?") < page.index("Send my answers")
    assert "can see your answers with your name" not in page
    assert "Your mentorship with Grace Ho" in page
    response = mentee.post(url, data=answers(setup))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agreements/{setup.agreement_id}")
    with app.app_context():
        saved = db.session.scalar(db.select(SurveyResponse))
        assert (saved.occasion, saved.role, len(saved.answers)) == ("kickoff", "mentee", 3)
    again = mentee.get(url).get_data(as_text=True)
    assert "You answered this survey" in again and "Send my answers" not in again
    refused = mentee.post(url, data=answers(setup, **{f"q{setup.scale_id}": "1"}))
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)) == 1


def test_the_page_says_so_when_coordinators_see_named_answers(app, setup):
    with app.app_context():
        program = default_program()
        program.survey_answers_named = True
        db.session.commit()
    page = client_for(app, setup.mentor).get(f"/surveys/{setup.agreement_id}/kickoff").get_data(as_text=True)
    assert page.index("can see your answers with your name") < page.index("How clear are your goals?")
    # Answers sent under the rule shown before the change are not saved: the person reads the new rule first.
    stale = client_for(app, setup.mentor).post(f"/surveys/{setup.agreement_id}/kickoff", data=answers(setup))
    assert stale.status_code == 400 and "read the note again" in stale.get_data(as_text=True)


def test_a_missing_scale_answer_re_renders_the_form_and_saves_nothing(app, setup):
    response = client_for(app, setup.mentee).post(f"/surveys/{setup.agreement_id}/kickoff",
                                                  data=answers(setup, **{f"q{setup.scale_id}": ""}))
    assert response.status_code == 400 and "Choose 1 to 5." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(SurveyResponse)) is None


def test_someone_outside_the_pair_or_an_unknown_occasion_is_not_found(app, setup):
    with app.app_context():
        email = make_user("mentee").email
    stranger = client_for(app, email)
    assert stranger.get(f"/surveys/{setup.agreement_id}/kickoff").status_code == 404
    assert stranger.post(f"/surveys/{setup.agreement_id}/kickoff", data=answers(setup)).status_code == 404
    coordinator = client_for(app, setup.coordinator)  # coordinators read results, they do not answer
    assert coordinator.get(f"/surveys/{setup.agreement_id}/kickoff").status_code == 404
    mentee = client_for(app, setup.mentee)
    for occasion in ("pulse-31", "pulse-60", "whatever", "pulse-030"):
        assert mentee.get(f"/surveys/{setup.agreement_id}/{occasion}").status_code == 404
    assert mentee.get(f"/surveys/{setup.agreement_id + 1000}/kickoff").status_code == 404


def test_a_closed_occasion_shows_a_message_and_refuses_answers(app, setup):
    mentee = client_for(app, setup.mentee)
    url = f"/surveys/{setup.agreement_id}/pulse-30"  # day 3: the first pulse opens on day 30
    page = mentee.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "This survey is closed" in text and "Send my answers" not in text
    assert mentee.post(url, data=answers(setup)).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(SurveyResponse)) is None


def test_the_list_of_open_surveys_links_to_each_and_has_an_empty_state(app, setup):
    mentee = client_for(app, setup.mentee)
    page = mentee.get("/surveys/").get_data(as_text=True)
    assert f'href="/surveys/{setup.agreement_id}/kickoff"' in page
    assert "Your kick-off survey for the mentorship with Grace Ho" in page
    mentee.post(f"/surveys/{setup.agreement_id}/kickoff", data=answers(setup))
    assert "No survey is waiting for you" in mentee.get("/surveys/").get_data(as_text=True)


# The coordinator's pages.

def test_the_coordinator_adds_edits_moves_and_retires_questions(app, setup):
    coordinator = client_for(app, setup.coordinator)
    page = coordinator.get("/coordinator/surveys").get_data(as_text=True)
    assert "How clear are your goals?" in page and 'aria-current="page"' in page
    response = coordinator.post("/coordinator/surveys/pulse/questions",
                                data={"pulse-kind": "yes_no", "pulse-text": "Is the pace right?"})
    assert response.status_code == 302
    bad = coordinator.post("/coordinator/surveys/pulse/questions", data={"pulse-kind": "yes_no", "pulse-text": ""})
    assert bad.status_code == 400 and "Write the question." in bad.get_data(as_text=True)
    assert coordinator.post("/coordinator/surveys/nonsense/questions", data={}).status_code == 404
    assert coordinator.post(f"/coordinator/surveys/questions/{setup.text_id}/edit",
                            data={"text": "Anything else to tell us?"}).status_code == 302
    assert coordinator.post(f"/coordinator/surveys/questions/{setup.text_id}/move",
                            data={"direction": "up"}).status_code == 302
    assert coordinator.post(f"/coordinator/surveys/questions/{setup.scale_id}/retire").status_code == 302
    with app.app_context():
        program = default_program()
        assert [q.text for q in surveys.questions_for(program.id, "kickoff")] == [
            "Anything else to tell us?", "Have you met yet?"]
        assert [q.text for q in surveys.questions_for(program.id, "pulse")] == ["Is the pace right?"]


def test_delete_asks_first_and_a_question_with_answers_is_only_retired(app, setup):
    client_for(app, setup.mentee).post(f"/surveys/{setup.agreement_id}/kickoff", data=answers(setup))
    coordinator = client_for(app, setup.coordinator)
    with app.app_context():
        program = default_program()
        spare = surveys.add_question(program, program.coordinators[0], "closing", "text", "Would you mentor again?")
        spare_id = spare.id
    asked = coordinator.get(f"/coordinator/surveys/questions/{spare_id}/delete").get_data(as_text=True)
    assert "Nobody has answered it yet" in asked
    assert coordinator.post(f"/coordinator/surveys/questions/{spare_id}/delete").status_code == 200  # not confirmed: asked again
    with app.app_context():
        assert db.session.get(SurveyQuestion, spare_id) is not None
    assert coordinator.post(f"/coordinator/surveys/questions/{spare_id}/delete", data={"confirm": "y"}).status_code == 302
    refused = coordinator.post(f"/coordinator/surveys/questions/{setup.scale_id}/delete", data={"confirm": "y"})
    assert refused.status_code == 400 and "retire it instead" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SurveyQuestion, spare_id) is None
        assert db.session.get(SurveyQuestion, setup.scale_id) is not None


def test_a_coordinator_of_another_program_cannot_see_or_change_these_questions(app, setup):
    with app.app_context():
        other = make_program("Night shift")
        email = make_user("coordinator", program=other).email
    outsider = client_for(app, email)
    page = outsider.get("/coordinator/surveys").get_data(as_text=True)
    assert "How clear are your goals?" not in page
    for method, url in (("get", f"/coordinator/surveys/questions/{setup.scale_id}/edit"),
                        ("post", f"/coordinator/surveys/questions/{setup.scale_id}/edit"),
                        ("post", f"/coordinator/surveys/questions/{setup.scale_id}/move"),
                        ("post", f"/coordinator/surveys/questions/{setup.scale_id}/retire"),
                        ("get", f"/coordinator/surveys/questions/{setup.scale_id}/delete"),
                        ("post", f"/coordinator/surveys/questions/{setup.scale_id}/delete")):
        assert getattr(outsider, method)(url, data={"text": "Hijacked", "direction": "up", "confirm": "y"}
                                         if method == "post" else None).status_code == 404, url
    assert "How clear" not in outsider.get("/coordinator/surveys/results?stage=kickoff").get_data(as_text=True)
    participant = client_for(app, setup.mentee)
    assert participant.get("/coordinator/surveys").status_code == 403
    assert participant.get("/coordinator/surveys/results").status_code == 403
    with app.app_context():
        question = db.session.get(SurveyQuestion, setup.scale_id)
        assert (question.text, question.retired_at) == ("How clear are your goals?", None)


def answer_as_five(app, setup: Setup) -> None:
    """Five people answer the kick-off: the mentee of ``setup`` and two more pairs (scale 5, 4, 4, 2, 1)."""
    with app.app_context():
        first, *others = [db.session.get(Agreement, setup.agreement_id), started("Ada Lin", "Bo Chen"),
                          started("Cy Park", "Di Roy")]
        people = [(first.match.mentee, first)] + [(p, a) for a in others for p in (a.match.mentee, a.match.mentor)]
        for (person, agreement), value in zip(people, (5, 4, 4, 2, 1)):
            surveys.submit(person, agreement.id, "kickoff", {setup.scale_id: value, setup.yes_no_id: "no",
                                                             setup.text_id: f"Note {value}"}, at(3))
        db.session.remove()


def test_results_hold_the_threshold_and_named_answers_follow_the_program(app, setup):
    coordinator = client_for(app, setup.coordinator)
    client_for(app, setup.mentee).post(f"/surveys/{setup.agreement_id}/kickoff", data=answers(setup))
    page = coordinator.get("/coordinator/surveys/results?stage=kickoff").get_data(as_text=True)
    assert page.count("Fewer than 5 answers: hidden") == 3 and "Good start" not in page
    assert "Dana Okafor" not in page  # totals only: no names
    with app.app_context():
        db.session.execute(db.delete(SurveyResponse))
        db.session.commit()
    answer_as_five(app, setup)
    page = coordinator.get("/coordinator/surveys/results?stage=kickoff").get_data(as_text=True)
    assert "Mean <strong>3.20</strong>" in page and "0% yes" in page and "Note 2" in page
    assert "Fewer than 5 answers" not in page and "Dana Okafor" not in page
    with app.app_context():
        clock.set_to(at(3, 13))  # an hour after the five answered
    assert coordinator.post("/coordinator/surveys/visibility", data={"named": "named"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Program.survey_answers_named)) is True
        clock.set_to(at(4))
    client_for(app, setup.mentor).post(f"/surveys/{setup.agreement_id}/kickoff",
                                       data=answers(setup, rule_seen="named", **{f"q{setup.text_id}": "Named note"}))
    page = coordinator.get("/coordinator/surveys/results?stage=kickoff").get_data(as_text=True)
    named = page[page.index('id="named"'):]
    assert "Grace Ho" in named and "Named note" in named
    assert re.search(r"Dana Okafor", named) is None  # she answered before the program allowed names


@pytest.mark.parametrize("url", ["/coordinator/surveys", "/coordinator/surveys/results",
                                 "/coordinator/surveys/results?stage=pulse", "/coordinator/surveys/results?stage=closing&occasion=x",
                                 "/coordinator/surveys/results?stage=bogus"])
def test_coordinator_survey_pages_render(app, setup, url):
    assert client_for(app, setup.coordinator).get(url).status_code == 200


def test_home_lists_the_surveys_waiting_for_me_and_forgets_an_answered_one(app, setup):
    mentee = client_for(app, setup.mentee)
    home = mentee.get("/home").get_data(as_text=True)
    assert "Surveys to answer" in home and f'href="/surveys/{setup.agreement_id}/kickoff"' in home
    assert mentee.post(f"/surveys/{setup.agreement_id}/kickoff", data=answers(setup)).status_code == 302
    assert "Surveys to answer" not in mentee.get("/home").get_data(as_text=True)
