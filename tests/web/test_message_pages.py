"""The message pages of a pair: only the two read and write, the form is kept on a mistake,
long threads page, an ended thread is read-only, and a report shows the coordinators one message."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, Message
from mentormatch.services import agreements, matches, messages
from tests.factories import PASSWORD, default_program, make_pair, make_user


def client_for(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def pair(app):
    """An active pair (Dana the mentee, Grace the mentor) and the program's coordinator."""
    with app.app_context():
        match = make_pair("Dana Okafor", "Grace Ho")
        coordinator = make_user("coordinator", name="Chris Coordinator")
        found = {"match_id": match.id, "mentee": match.mentee.email, "mentor": match.mentor.email,
                 "coordinator": coordinator.email}
        db.session.remove()
    return found


def thread_url(pair) -> str:
    return f"/matches/{pair['match_id']}/messages"


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_message_is_sent_shown_to_both_and_lands_on_the_latest(app, pair):
    dana = client_for(app, pair["mentee"])
    response = dana.post(thread_url(pair), data={"body": "Could we look at the hematology QC rota?"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{thread_url(pair)}#latest")
    seen_by_dana = dana.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Your message to Grace Ho is sent." in seen_by_dana
    assert "Could we look at the hematology QC rota?" in seen_by_dana and 'id="latest"' in seen_by_dana
    seen_by_grace = page_of(client_for(app, pair["mentor"]), thread_url(pair))
    assert "Could we look at the hematology QC rota?" in seen_by_grace
    assert "Dana Okafor" in seen_by_grace and "New" in seen_by_grace


@pytest.mark.parametrize("body, error", [
    ("   ", "Write a message before sending it."),
    ("x" * (messages.MAX_BODY + 1), f"A message is limited to {messages.MAX_BODY} characters"),
])
def test_an_empty_or_too_long_message_is_refused_with_the_text_kept(app, pair, body, error):
    dana = client_for(app, pair["mentee"])
    response = dana.post(thread_url(pair), data={"body": body})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error in page
    if body.strip():
        assert body in page  # what she wrote is still in the box
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0


@pytest.mark.parametrize("who", ["outsider", "coordinator", "admin"])
def test_nobody_but_the_pair_reads_or_writes_the_thread(app, pair, who):
    with app.app_context():
        email = pair["coordinator"] if who == "coordinator" else make_user(
            "admin" if who == "admin" else "mentee").email
        match = db.session.get(Match, pair["match_id"])
        message = messages.send_message(match, match.mentor, "Private: my evening shift swap")
        message_id = message.id
        db.session.remove()
    client = client_for(app, email)
    assert client.get(thread_url(pair)).status_code == 404
    assert client.post(thread_url(pair), data={"body": "Hello"}).status_code == 404
    assert client.get(f"{thread_url(pair)}/{message_id}/report").status_code == 404
    assert client.post(f"{thread_url(pair)}/{message_id}/report", data={"reason": "x"}).status_code == 404
    assert client.get(f"/coordinator/messages/{message_id}").status_code in (403, 404)  # nobody reported it
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 1


def test_a_long_thread_pages_and_opens_on_the_newest_page(app, pair):
    total = messages.PER_PAGE + 5
    with app.app_context():
        match = db.session.get(Match, pair["match_id"])
        for n in range(total):
            db.session.add(Message(match_id=match.id, author_id=match.mentor_id, body=f"Note number {n:03d}",
                                   report_reason=""))
        db.session.commit()
        db.session.remove()
    dana = client_for(app, pair["mentee"])
    newest = page_of(dana, thread_url(pair))
    # The page that opens holds the newest PER_PAGE messages; the oldest five are on page 1.
    assert f"Note number {total - 1:03d}" in newest and "Note number 005" in newest
    assert "Note number 004" not in newest
    first = page_of(dana, f"{thread_url(pair)}?page=1")
    assert "Note number 000" in first and "Note number 004" in first and "Note number 005" not in first
    assert f"{thread_url(pair)}?page=2" in first


def test_the_partners_email_shows_only_while_the_match_is_active(app):
    with app.app_context():
        mentee = make_user("mentee", name="Dana Okafor")
        mentor = make_user("mentor", name="Grace Ho", email="grace.ho@lab.example.org")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        match_id, mentee_email = match.id, mentee.email
        db.session.remove()
    dana = client_for(app, mentee_email)
    waiting = page_of(dana, f"/matches/{match_id}/messages")
    assert "grace.ho@lab.example.org" not in waiting
    assert "once the match is confirmed by both of you" in waiting
    assert dana.post(f"/matches/{match_id}/messages", data={"body": "Hello early"}).status_code == 400
    with app.app_context():
        match = db.session.get(Match, match_id)
        matches.accept(match, match.mentor)
        db.session.remove()
    assert "mailto:grace.ho@lab.example.org" in page_of(dana, f"/matches/{match_id}/messages")


def test_an_ended_mentorship_keeps_its_thread_readable_but_closed_to_new_messages(app, pair):
    with app.app_context():
        match = db.session.get(Match, pair["match_id"])
        messages.send_message(match, match.mentee, "Thanks for the SBB study plan")
        agreements.end_agreement(match.agreement, match.mentor, "goals_achieved")
        db.session.remove()
    grace = client_for(app, pair["mentor"])
    page = page_of(grace, thread_url(pair))
    assert "Thanks for the SBB study plan" in page and "This mentorship has ended" in page
    assert 'name="body"' not in page and "mailto:" not in page
    response = grace.post(thread_url(pair), data={"body": "One more thing"})
    assert response.status_code == 400 and "This mentorship has ended" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 1


def test_opening_the_thread_clears_its_unread_count_on_home(app, pair):
    with app.app_context():
        match = db.session.get(Match, pair["match_id"])
        messages.send_message(match, match.mentee, "First question about the MLS exam")
        messages.send_message(match, match.mentee, "And a second one")
        db.session.remove()
    grace = client_for(app, pair["mentor"])
    assert "2 unread messages" in page_of(grace, "/home")
    page_of(grace, thread_url(pair))
    assert "unread message" not in page_of(grace, "/home")
    again = page_of(grace, thread_url(pair))
    assert "message-new" not in again  # read on the first visit: no longer new


def test_a_reported_message_reaches_the_coordinator_alone(app, pair, outbox):
    with app.app_context():
        match = db.session.get(Match, pair["match_id"])
        messages.send_message(match, match.mentee, "Dana's ordinary question about rotations")
        reported = messages.send_message(match, match.mentor, "Grace's message that worried Dana")
        reported_id = reported.id
        db.session.remove()
    dana = client_for(app, pair["mentee"])
    form = page_of(dana, f"{thread_url(pair)}/{reported_id}/report")
    assert "Grace&#39;s message that worried Dana" in form or "Grace's message that worried Dana" in form
    refused = dana.post(f"{thread_url(pair)}/{reported_id}/report", data={"reason": "  "})
    assert refused.status_code == 400 and "Say in a few words what is wrong" in refused.get_data(as_text=True)
    done = dana.post(f"{thread_url(pair)}/{reported_id}/report", data={"reason": "Felt pressured"},
                     follow_redirects=True).get_data(as_text=True)
    assert "The message is reported." in done and "You reported this message to the coordinators." in done

    coordinator = client_for(app, pair["coordinator"])
    listing = page_of(coordinator, "/coordinator/messages/reported")
    assert f"/coordinator/messages/{reported_id}" in listing
    shown = page_of(coordinator, f"/coordinator/messages/{reported_id}")
    assert "message that worried Dana" in shown and "Felt pressured" in shown
    assert "ordinary question about rotations" not in shown + listing
    told = [email for email in outbox.emails() if "reported" in email.subject]
    assert [email.to for email in told] == [pair["coordinator"]]
    assert "worried" not in told[0].body  # the email points to the message, it does not carry it
    # Reporting twice does not tell the coordinators twice.
    again = dana.post(f"{thread_url(pair)}/{reported_id}/report", data={"reason": "Again"}, follow_redirects=True)
    assert "already reported" in again.get_data(as_text=True)
    assert len([email for email in outbox.emails() if "reported" in email.subject]) == 1


def test_one_cannot_report_ones_own_message_or_one_from_another_pair(app, pair):
    with app.app_context():
        match = db.session.get(Match, pair["match_id"])
        own = messages.send_message(match, match.mentee, "Mine").id
        other = make_pair("Ana Lima", "Ben Osei")
        elsewhere = messages.send_message(other, other.mentor, "Another pair's message").id
        db.session.remove()
    dana = client_for(app, pair["mentee"])
    assert dana.get(f"{thread_url(pair)}/{own}/report").status_code == 404
    assert dana.get(f"{thread_url(pair)}/{elsewhere}/report").status_code == 404
