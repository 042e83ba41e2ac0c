import re

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, Notification, Program, User
from mentormatch.web.access import PROGRAM_KEY
from tests.factories import default_program, join, make_program, make_user


def _match(app, mentee, mentor, status=MatchStatus.PROPOSED, origin=MatchOrigin.ROUND, program_id=None):
    with app.app_context():
        match = Match(program_id=program_id or default_program().id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=status, origin=origin)
        db.session.add(match)
        db.session.commit()
        match_id = match.id
        db.session.remove()
    return match_id


def _status(app, match_id):
    with app.app_context():
        status = db.session.get(Match, match_id).status
        db.session.remove()
    return status


def test_a_mentee_sees_suggestions_with_scores_and_reasons(client, person, login):
    mentee = person("mentee", specialties=["microbiology"], credentials_sought=["ascp_sm"])
    person("mentor", name="Grace Ho", specialties=["microbiology"], credentials=["ascp_mls", "ascp_sm"])
    login(mentee)
    page = client.get("/matches/suggestions").get_data(as_text=True)
    assert "Grace Ho" in page
    assert "You both work in microbiology" in page
    assert "Holds ASCP SM, which you are working toward" in page
    assert re.search(r'class="score"><span class="visually-hidden">Score </span>\d{1,3}<small> / 100</small>', page)
    assert "%" not in page.split('class="score"')[1][:80]  # one format: out of 100, never a percentage


def test_a_mentee_without_a_profile_is_asked_to_complete_it(client, person, login):
    login(person("mentee", profile=False))
    page = client.get("/matches/suggestions").get_data(as_text=True)
    assert "Complete my profile" in page


def test_no_available_mentor_gives_a_helpful_empty_state(client, person, login):
    login(person("mentee"))
    page = client.get("/matches/suggestions").get_data(as_text=True)
    assert "No mentors available right now" in page


def test_request_accept_journey_through_the_pages(app, client, person, login):
    mentee = person("mentee")
    mentor = person("mentor", name="Grace Ho")
    login(mentee)
    response = client.post(f"/matches/request/{mentor.id}", data={"message": "Hello from nights"})
    match_url = response.headers["Location"]
    assert re.fullmatch(r"/matches/\d+", match_url)
    page = client.get(match_url).get_data(as_text=True)
    assert "Waiting for Grace Ho’s answer" in page and "Accepted by the mentee" not in page
    assert "Your mentor" not in page and "The mentor you asked" in page

    mentor_client = app.test_client()
    mentor_client.post("/auth/login", data={"email": mentor.email, "password": "correct horse battery staple"})
    home = mentor_client.get("/home").get_data(as_text=True)
    assert 'class="badge"' in home
    page = mentor_client.get(match_url).get_data(as_text=True)
    assert "Hello from nights" in page and "Accept" in page
    assert "asked you to mentor them — your answer" in page and "Your mentee" not in page
    mentor_client.post(match_url + "/accept")
    assert "Active" in mentor_client.get("/matches/").get_data(as_text=True)
    assert "Active" in client.get("/matches/").get_data(as_text=True)


def test_declining_without_a_reason_re_renders_with_a_message(app, client, person, login):
    mentee, mentor = person("mentee"), person("mentor")
    match_id = _match(app, mentee, mentor)
    login(mentor)
    response = client.post(f"/matches/{match_id}/decline", data={"note": "x"})
    assert response.status_code == 400
    assert "Choose a reason." in response.get_data(as_text=True)
    assert _status(app, match_id) == MatchStatus.PROPOSED
    client.post(f"/matches/{match_id}/decline", data={"reason": "schedule"})
    assert _status(app, match_id) == MatchStatus.DECLINED


def test_an_error_from_the_rules_is_shown_not_raised(app, client, person, login):
    mentee, mentor = person("mentee"), person("mentor")
    match_id = _match(app, mentee, mentor, status=MatchStatus.ACCEPTED_BY_MENTEE)
    login(mentee)
    response = client.post(f"/matches/{match_id}/accept", follow_redirects=True)
    assert "already accepted" in response.get_data(as_text=True)


def test_a_mentee_guessing_another_pairs_match_id_gets_404_and_changes_nothing(app, client, person, login):
    match_id = _match(app, person("mentee"), person("mentor"))
    login(person("mentee"))
    for method, suffix in (("GET", ""), ("POST", "/accept"), ("POST", "/decline"), ("POST", "/withdraw")):
        assert client.open(f"/matches/{match_id}{suffix}", method=method, data={"reason": "other"}).status_code == 404
    assert _status(app, match_id) == MatchStatus.PROPOSED


def test_a_coordinator_can_look_at_any_match_but_not_answer_for_people(app, client, person, login):
    match_id = _match(app, person("mentee"), person("mentor"))
    login(person("coordinator"))
    assert client.get(f"/matches/{match_id}").status_code == 200
    assert client.post(f"/matches/{match_id}/accept").status_code == 403


def test_notifications_are_listed_and_marked_read(app, client, person, login):
    mentee, mentor = person("mentee"), person("mentor")
    login(mentee)
    client.post(f"/matches/request/{mentor.id}", data={"message": ""})
    other = app.test_client()
    other.post("/auth/login", data={"email": mentor.email, "password": "correct horse battery staple"})
    page = other.get("/notifications/").get_data(as_text=True)
    assert "asked you to be their mentor" in page and 'class="new-label"' in page
    other.post("/notifications/read")
    assert 'class="new-label"' not in other.get("/notifications/").get_data(as_text=True)
    assert 'class="badge"' not in other.get("/home").get_data(as_text=True)


def test_notifications_are_paginated(app, client, person, login):
    mentee = person("mentee")
    with app.app_context():
        db.session.add_all(Notification(user_id=mentee.id, kind="proposal", text=f"note {i}") for i in range(30))
        db.session.commit()
        db.session.remove()
    login(mentee)
    first = client.get("/notifications/").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count("note ") == 25
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert second.count("note ") == 5
    assert client.get("/notifications/?page=99").status_code == 200


def test_an_unconfirmed_mentee_is_told_to_confirm_before_seeing_mentors(client, person, login):
    person("mentor")
    login(person("mentee", confirmed=False))
    page = client.get("/matches/suggestions").get_data(as_text=True)
    assert "Confirm your email address first" in page and "to mentor me" not in page


# --- Programs ---------------------------------------------------------------------------------


def _program(app, name, **settings) -> int:
    with app.app_context():
        program_id = make_program(name, **settings).id
        db.session.remove()
    return program_id


def _join(app, who, role, program_id, **overrides) -> None:
    with app.app_context():
        join(db.session.get(User, who.id), role, db.session.get(Program, program_id), **overrides)
        db.session.remove()


def _member(app, role, program_id, **overrides):
    """A participant of the program ``program_id``: (id, email)."""
    with app.app_context():
        user = make_user(role, program=db.session.get(Program, program_id), **overrides)
        found = user.id, user.email
        db.session.remove()
    return found


def _work_in(client, program_id: int) -> None:
    with client.session_transaction() as session:
        session[PROGRAM_KEY] = program_id


def test_someone_who_mentors_in_one_program_gets_suggestions_in_the_other_only_from_its_mentors(
        app, client, person, login):
    other = _program(app, "Supervisor and leadership track")
    someone = person("mentor", specialties=["hematology"])  # a mentor in the default program
    _join(app, someone, "mentee", other)
    _member(app, "mentor", other, name="Grace Ho", specialties=["hematology"])
    person("mentor", name="Omar Diaz", specialties=["hematology"])  # mentors in the default program only
    login(someone)
    assert client.get("/matches/suggestions").status_code == 403  # a mentor where they work now
    _work_in(client, other)
    page = client.get("/matches/suggestions").get_data(as_text=True)
    assert "Grace Ho" in page and "Omar Diaz" not in page


def test_a_request_goes_to_the_current_programs_mentor_and_a_mentor_of_another_is_refused(
        app, client, person, login):
    other = _program(app, "MLT to MLS pathway")
    mentee = person("mentee")
    elsewhere = person("mentor")
    there_id, _ = _member(app, "mentor", other, name="Lena Park")
    login(mentee)
    response = client.post(f"/matches/request/{there_id}", data={"message": ""}, follow_redirects=True)
    assert "That mentor is not available." in response.get_data(as_text=True)
    response = client.post(f"/matches/request/{elsewhere.id}", data={"message": ""})
    assert re.fullmatch(r"/matches/\d+", response.headers["Location"])
    with app.app_context():
        assert db.session.scalars(db.select(Match.program_id)).all() == [default_program().id]
        db.session.remove()


def test_a_program_matched_by_rounds_only_says_so_and_refuses_requests(app, client, person, login):
    rounds_only = _program(app, "New graduate onboarding", direct_requests=False)
    _, email = _member(app, "mentee", rounds_only)
    mentor_id, _ = _member(app, "mentor", rounds_only, name="Grace Ho")
    login(email)
    page = client.get("/matches/suggestions").get_data(as_text=True)
    assert "Matching happens through rounds" in page and "Grace Ho" not in page
    response = client.post(f"/matches/request/{mentor_id}", data={"message": ""}, follow_redirects=True)
    assert "matching rounds" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Match)) == 0
        db.session.remove()


def test_my_matches_lists_the_current_programs_and_a_match_page_is_reachable_from_any(app, client, person, login):
    other = _program(app, "Supervisor and leadership track")
    someone = person("mentee")
    _join(app, someone, "mentor", other)
    here_mentor, there_mentee = person("mentor", name="Grace Ho"), person("mentee", name="Sam Rivera")
    _join(app, there_mentee, "mentee", other)
    here = _match(app, someone, here_mentor)
    there = _match(app, there_mentee, someone, program_id=other)
    login(someone)
    page = client.get("/matches/").get_data(as_text=True)
    assert "Grace Ho" in page and "Sam Rivera" not in page
    _work_in(client, other)
    page = client.get("/matches/").get_data(as_text=True)
    assert "Sam Rivera" in page and "Grace Ho" not in page and "Mentee" in page
    # Either match page opens whatever program is current; the person answers as their side there.
    assert client.get(f"/matches/{here}").status_code == 200
    client.post(f"/matches/{here}/accept")
    assert _status(app, here) == MatchStatus.ACCEPTED_BY_MENTEE
    client.post(f"/matches/{there}/accept")
    assert _status(app, there) == MatchStatus.ACCEPTED_BY_MENTOR


def test_a_coordinator_of_another_program_cannot_see_a_match(app, client, person, login):
    match_id = _match(app, person("mentee"), person("mentor"))
    other = _program(app, "MLT to MLS pathway")
    _, email = _member(app, "coordinator", other)
    login(email)
    assert client.get(f"/matches/{match_id}").status_code == 404
    assert client.post(f"/matches/{match_id}/accept").status_code == 404


# --- Words and facts for the viewer -------------------------------------------------------------


def _emails(app, match_id):
    with app.app_context():
        match = db.session.get(Match, match_id)
        found = match.mentee.email, match.mentor.email
        db.session.remove()
    return found


def test_the_partners_address_shows_only_once_the_match_is_active_and_only_to_the_pair(app, client, person, login):
    mentee, mentor = person("mentee"), person("mentor", name="Grace Ho")
    for status in (MatchStatus.PROPOSED, MatchStatus.ACCEPTED_BY_MENTEE, MatchStatus.ACCEPTED_BY_MENTOR,
                   MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.WITHDRAWN):
        match_id = _match(app, mentee, mentor, status=status)
        login(mentee)
        page = client.get(f"/matches/{match_id}").get_data(as_text=True)
        assert mentor.email not in page and "mailto:" not in page, status
        assert f"/matches/{match_id}/messages" not in page, status
        with app.app_context():
            db.session.delete(db.session.get(Match, match_id))
            db.session.commit()
            db.session.remove()
    match_id = _match(app, mentee, mentor, status=MatchStatus.ACTIVE)
    page = client.get(f"/matches/{match_id}").get_data(as_text=True)
    assert f'<a href="mailto:{mentor.email}">{mentor.email}</a>' in page and "Your mentor" in page
    assert f'href="/matches/{match_id}/messages"' in page
    other = app.test_client()
    other.post("/auth/login", data={"email": mentor.email, "password": "correct horse battery staple"})
    assert f"mailto:{mentee.email}" in other.get(f"/matches/{match_id}").get_data(as_text=True)
    client.post("/auth/logout")
    login(person("coordinator"))
    page = client.get(f"/matches/{match_id}").get_data(as_text=True)
    assert "mailto:" not in page and f"/matches/{match_id}/messages" not in page


def test_an_active_match_page_links_the_thread_with_its_unread_count_and_the_agreement(app, client, login):
    from mentormatch.services import messages
    from tests.factories import make_pair

    with app.app_context():
        match = make_pair("Dana Okafor", "Grace Ho")
        messages.send_message(match, match.mentor, "Welcome!")
        match_id, agreement_id, email = match.id, match.agreement.id, match.mentee.email
        db.session.remove()
    login(email)
    page = client.get(f"/matches/{match_id}").get_data(as_text=True)
    assert re.search(rf'href="/matches/{match_id}/messages"[^>]*aria-label="Messages, 1 unread">Messages \(1 unread\)',
                     page)
    assert f'href="/agreements/{agreement_id}"' in page
    assert "Active" in page and "Your mentor" in page


def test_declines_and_withdrawals_say_who_did_them_to_each_side(app, client, person, login):
    mentee, mentor = person("mentee", name="Tomás Reyes"), person("mentor", name="Grace Ho")
    declined = _match(app, mentee, mentor)
    login(mentor)
    client.post(f"/matches/{declined}/decline", data={"reason": "schedule"})
    assert "You declined" in client.get(f"/matches/{declined}").get_data(as_text=True)
    client.post("/auth/logout")
    login(mentee)
    page = client.get(f"/matches/{declined}").get_data(as_text=True)
    assert "Declined by Grace Ho" in page
    other = person("mentor", name="Lena Park")
    response = client.post(f"/matches/request/{other.id}", data={"message": ""})
    requested = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/matches/{requested}/withdraw")
    assert "You withdrew your request" in client.get("/matches/").get_data(as_text=True)
