"""The home page says, per membership, what to do next, with the button that does it."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from mentormatch.extensions import db
from mentormatch.models import Agreement, Match, MatchOrigin, MatchStatus
from mentormatch.models.user import utcnow
from mentormatch.services import agreements, matches, messages
from mentormatch.services.agreements import TermsInput
from tests.factories import PASSWORD, default_program, make_pair, make_program, make_user

TODAY = agreements.today()


def _home(app, email: str) -> str:
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client.get("/home").get_data(as_text=True)


def _client(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _text(page: str) -> str:
    """The page's words without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _request(app, *, days_ago: int = 0, mentor_name: str = "Grace Ho", mentee_name: str = "Tomás Reyes"):
    """A mentee's request to a mentor, sent ``days_ago``: (mentee email, mentor email, match id)."""
    with app.app_context():
        program = default_program()
        mentee = make_user("mentee", name=mentee_name)
        mentor = make_user("mentor", name=mentor_name)
        match = matches.request_mentor(mentee, program, mentor.id, "")
        match.created_at = utcnow() - timedelta(days=days_ago, minutes=5)
        db.session.commit()
        found = mentee.email, mentor.email, match.id
        db.session.remove()
    return found


def _status(app, match_id: int) -> str:
    with app.app_context():
        status = db.session.get(Match, match_id).status
        db.session.remove()
    return status


def test_a_mentee_who_may_ask_is_told_how_many_mentors_are_suggested(app):
    with app.app_context():
        mentee = make_user("mentee", name="Tomás Reyes")
        for _ in range(3):
            make_user("mentor")
        make_user("mentor", accepting_mentees=False)  # not suggested: not taking mentees
        email = mentee.email
        db.session.remove()
    client = _client(app, email)
    page = client.get("/home").get_data(as_text=True)
    assert "3 mentors suggested for you" in _text(page)
    assert re.search(r'<input type="hidden" name="next" value="/matches/suggestions">\s*<button[^>]*>See my suggestions',
                     page)
    # The number is the suggestions page's own count.
    assert client.get("/matches/suggestions").get_data(as_text=True).count('class="suggestion"') == 3


def test_a_mentee_with_no_free_mentor_is_told_nothing_is_to_do_and_why(app):
    with app.app_context():
        email = make_user("mentee").email
        mentor = make_user("mentor", capacity=1)  # the only mentor, and their one place is taken
        match = matches.request_mentor(make_user("mentee"), default_program(), mentor.id, "")
        matches.accept(match, mentor)
        db.session.remove()
    text = _text(_home(app, email))
    assert "No mentor who fits you has a free place right now" in text
    assert "next matching round" in text and "suggested for you" not in text


def test_a_mentee_of_a_rounds_only_program_waits_for_the_next_round(app):
    with app.app_context():
        program = make_program("New graduate onboarding", direct_requests=False)
        email = make_user("mentee", program=program).email
        make_user("mentor", program=program)
        db.session.remove()
    text = _text(_home(app, email))
    assert "your coordinator will propose a mentor in the next matching round" in text
    assert "See my suggestions" not in text


def test_a_sent_request_shows_its_age_and_can_be_withdrawn_after_a_confirmation(app):
    mentee_email, _, match_id = _request(app, days_ago=3)
    client = _client(app, mentee_email)
    page = client.get("/home").get_data(as_text=True)
    text = _text(page)
    assert "Waiting for Grace Ho\u2019s answer" in text and "Accepted by the mentee" not in text
    assert re.search(r'sent <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+ C[SD]T">3 days ago</time>', page)
    # Withdrawing is behind a confirmation (a <details> with the real button inside).
    assert re.search(rf'<details class="confirm">\s*<summary[^>]*>Withdraw</summary>\s*<form method="post" '
                     rf'action="/matches/{match_id}/withdraw">', page)
    assert "Yes, withdraw my request" in page
    client.post(f"/matches/{match_id}/withdraw")
    assert _status(app, match_id) == MatchStatus.WITHDRAWN
    assert "Waiting for Grace Ho" not in client.get("/home").get_data(as_text=True)


def test_a_request_reads_from_each_side_as_that_side_sees_it(app):
    mentee_email, mentor_email, match_id = _request(app)
    for email, expected, wrong in (
            (mentee_email, "Waiting for Grace Ho\u2019s answer", "asked you to mentor them"),
            (mentor_email, "Tomás Reyes asked you to mentor them — your answer", "Waiting for Tomás")):
        client = _client(app, email)
        for path in ("/home", "/matches/", f"/matches/{match_id}"):
            text = _text(client.get(path).get_data(as_text=True))
            assert expected in text, (email, path)
            assert wrong not in text and "Accepted by the mentee" not in text, (email, path)
            assert "Your mentor" not in text and "Your mentee" not in text, (email, path)


def test_a_request_waiting_for_the_mentor_has_accept_and_view_buttons_and_accepting_from_home_works(app):
    _, mentor_email, match_id = _request(app)
    client = _client(app, mentor_email)
    page = client.get("/home").get_data(as_text=True)
    assert "1 request waits for your answer" in _text(page)
    assert re.search(rf'<form method="post" action="/matches/{match_id}/accept"[^>]*>\s*<input[^>]*csrf_token[^>]*>\s*'
                     r'<button type="submit" aria-label="Accept Tomás Reyes">Accept</button>', page)
    assert f'href="/matches/{match_id}" class="button outline" aria-label="View Tomás Reyes or decline"' in page
    client.post(f"/matches/{match_id}/accept")
    assert _status(app, match_id) == MatchStatus.ACTIVE
    text = _text(client.get("/home").get_data(as_text=True))
    assert "waits for your answer" not in text and "Your mentee: Tomás Reyes" in text


def test_a_round_proposal_waits_for_the_mentees_answer(app):
    with app.app_context():
        mentee, mentor = make_user("mentee"), make_user("mentor", name="Grace Ho")
        match = Match(program_id=default_program().id, mentee_id=mentee.id, mentor_id=mentor.id,
                      origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED, score=0.8149,
                      expires_at=utcnow() + timedelta(days=10))
        db.session.add(match)
        db.session.commit()
        email, match_id = mentee.email, match.id
        db.session.remove()
    client = _client(app, email)
    text = _text(client.get("/home").get_data(as_text=True))
    assert "1 proposal waits for your answer" in text and "Grace Ho : Proposed to you — your answer" in text
    assert "answer by" in text
    page = _text(client.get(f"/matches/{match_id}").get_data(as_text=True))
    assert "Proposed mentor" in page and "Your mentor" not in page
    assert "Score 81 / 100" in page and "%" not in page
    assert "81 / 100" in _text(client.get("/matches/").get_data(as_text=True))


def _terms(app, agreement_id: int, proposer: str, confirm: bool = True, **overrides) -> None:
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        by = agreement.match.mentee if proposer == "mentee" else agreement.match.mentor
        other = agreement.match.mentor if proposer == "mentee" else agreement.match.mentee
        values = dict(frequency="monthly", mode="virtual", start_date=TODAY - timedelta(days=10),
                      end_date=TODAY + timedelta(days=170), topics=["specialty:hematology"])
        values.update(overrides)
        version = agreements.propose_terms(agreement, by, TermsInput(**values))
        if confirm:
            agreements.confirm_terms(agreement, other, version.number)
        db.session.remove()


def _pair(app):
    with app.app_context():
        match = make_pair("Dana Okafor", "Grace Ho")
        found = match.mentee.email, match.mentor.email, match.id, match.agreement.id
        db.session.remove()
    return found


def test_a_new_pair_is_asked_to_agree_terms_and_terms_from_the_other_wait_for_confirmation(app):
    mentee_email, mentor_email, _, agreement_id = _pair(app)
    page = _home(app, mentee_email)
    assert "Your mentor: Grace Ho" in _text(page)
    assert f'href="/agreements/{agreement_id}/terms" class="button"' in page and "Agree your terms" in page
    _terms(app, agreement_id, "mentor", confirm=False)
    page = _home(app, mentee_email)
    assert "Review the terms" in page and f'href="/agreements/{agreement_id}#pending-title"' in page
    assert "Review the terms" not in _home(app, mentor_email)  # the proposer waits; nothing to review


def test_an_overdue_pair_is_told_so_and_offered_to_schedule_a_meeting(app):
    mentee_email, _, _, agreement_id = _pair(app)
    _terms(app, agreement_id, "mentee", start_date=TODAY - timedelta(days=45))
    page = _home(app, mentee_email)
    text = _text(page)
    assert "Overdue" in text and "Next meeting was due 15 days ago" in text and "no meeting is scheduled" in text
    assert re.search(rf'href="/agreements/{agreement_id}#schedule" class="button"[^>]*>Schedule a meeting', page)


def test_an_on_track_pair_sees_when_the_next_meeting_is_due(app):
    mentee_email, _, _, agreement_id = _pair(app)
    _terms(app, agreement_id, "mentee")
    text = _text(_home(app, mentee_email))
    assert "On track" in text and "Next meeting due in 20 days" in text


def test_unread_messages_are_counted_per_pair_with_a_link_to_the_thread(app):
    mentee_email, mentor_email, match_id, _ = _pair(app)
    with app.app_context():
        match = db.session.get(Match, match_id)
        for body in ("Hello Dana", "Are you free on Tuesday?"):
            messages.send_message(match, match.mentor, body)
        db.session.remove()
    page = _home(app, mentee_email)
    assert "2 unread messages" in _text(page)
    assert re.search(rf'href="/matches/{match_id}/messages" class="button "[^>]*>Messages \(2\)', page)
    mentor_page = _home(app, mentor_email)  # the author has nothing unread
    assert "unread message" not in mentor_page
    assert re.search(rf'href="/matches/{match_id}/messages" class="button outline"[^>]*>Messages</a>', mentor_page)


def test_a_mentor_with_nothing_to_answer_is_told_so_and_what_comes_next(app):
    with app.app_context():
        email = make_user("mentor", capacity=2).email
        db.session.remove()
    text = _text(_home(app, email))
    assert "Nothing waits for your answer" in text and "2 free places" in text


def test_a_mentor_not_accepting_mentees_is_offered_to_start(app):
    with app.app_context():
        email = make_user("mentor", accepting_mentees=False).email
        program_id = default_program().id
        db.session.remove()
    page = _home(app, email)
    assert "You are not accepting new mentees now" in page
    assert f'href="/programs/{program_id}/membership">Start accepting mentees' in page


def test_an_unconfirmed_mentee_is_asked_to_confirm_first(app):
    app.config["REQUIRE_CONFIRMED_EMAIL"], before = True, app.config["REQUIRE_CONFIRMED_EMAIL"]
    try:
        with app.app_context():
            email = make_user("mentee", confirmed=False).email
            make_user("mentor")
            db.session.remove()
        page = _home(app, email)
    finally:
        app.config["REQUIRE_CONFIRMED_EMAIL"] = before
    assert "confirm your email address" in page and "Send the link again" in page
    assert "suggested for you" not in page


def test_the_next_meeting_shows_in_each_persons_zone_and_a_proposal_waits_for_the_others_answer(app):
    from mentormatch.services.agreements import schedule

    mentee_email, mentor_email, _, agreement_id = _pair(app)
    _terms(app, agreement_id, "mentee")
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        agreement.match.mentor.profile.time_zone = "Europe/Paris"  # the mentee stays in America/Chicago
        db.session.commit()
        starts = (utcnow() + timedelta(days=5)).replace(hour=15, minute=0, second=0, microsecond=0)
        meeting = schedule.propose_meeting(agreement, agreement.match.mentor,
                                           schedule.ProposalInput(starts, 45, "virtual"))
        meeting_id, sequence = meeting.id, meeting.sequence
        db.session.remove()
    paris, chicago = starts.astimezone(ZoneInfo("Europe/Paris")), starts.astimezone(ZoneInfo("America/Chicago"))
    mentee_page = _home(app, mentee_email)
    text = _text(mentee_page)
    assert f"Next meeting: {chicago.day} {chicago:%b %Y}, {chicago:%H:%M} C" in text
    assert "proposed by Grace Ho: your answer" in text and "no meeting is scheduled" not in text
    assert re.search(rf'href="/agreements/{agreement_id}#schedule" class="button"[^>]*>Answer the meeting', mentee_page)
    assert "Schedule a meeting" not in mentee_page
    text = _text(_home(app, mentor_email))
    assert f"Next meeting: {paris.day} {paris:%b %Y}, {paris:%H:%M} CE" in text
    assert "proposed by you; waiting for Dana Okafor to confirm" in text and "Answer the meeting" not in text
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        schedule.confirm_meeting(agreement, agreement.match.mentee, meeting_id, sequence)
        db.session.remove()
    text = _text(_home(app, mentee_email))
    assert "Next meeting:" in text and "your answer" not in text and "Answer the meeting" not in text
