"""Password reset by a signed, expiring, single-use emailed link; change password."""

import re
import statistics
import time

import pytest

from tests.factories import PASSWORD
from tests.outbox import Outbox

NEW = "a brand new password"


@pytest.fixture
def outbox(app):
    """Reset emails are written by the worker: each read runs the queue first."""
    return Outbox(app, run_queue=True)


def _link(outbox) -> str:
    return re.search(r"http://[^/]+(/auth/reset/\S+)", outbox[-1].body).group(1)


def _logs_in(app, email, password) -> bool:
    return app.test_client().post("/auth/login", data={"email": email, "password": password}).status_code == 302


def test_a_reset_link_sets_a_new_password_once(app, client, person, outbox):
    mentee = person("mentee")
    response = client.post("/auth/reset", data={"email": mentee.email.upper()})
    assert response.status_code == 302
    assert [e.to for e in outbox] == [mentee.email]
    link = _link(outbox)
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": NEW, "confirm": NEW}).headers["Location"] == "/auth/login"
    assert _logs_in(app, mentee.email, NEW) and not _logs_in(app, mentee.email, PASSWORD)
    # Single use: the same link no longer works.
    again = client.post(link, data={"password": "yet another password", "confirm": "yet another password"})
    assert again.headers["Location"] == "/auth/reset"
    assert _logs_in(app, mentee.email, NEW)


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, person, outbox):
    mentee = person("mentee")
    known = client.post("/auth/reset", data={"email": mentee.email}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(outbox) == 1


def test_an_expired_or_forged_link_is_refused(app, client, person, outbox, monkeypatch):
    mentee = person("mentee")
    client.post("/auth/reset", data={"email": mentee.email})
    link = _link(outbox)
    assert client.get(link[:-3] + "abc").headers["Location"] == "/auth/reset"
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    assert client.get(link).headers["Location"] == "/auth/reset"


def test_a_deactivated_account_gets_no_reset_email(client, person, outbox):
    gone = person("mentor", active=False)
    client.post("/auth/reset", data={"email": gone.email})
    assert outbox == []


def test_a_new_password_must_be_long_enough_and_repeated(client, person, outbox):
    mentee = person("mentee")
    client.post("/auth/reset", data={"email": mentee.email})
    link = _link(outbox)
    short = client.post(link, data={"password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "Field must be between 10 and 128 characters long" in short
    differ = client.post(link, data={"password": NEW, "confirm": NEW + "x"}).get_data(as_text=True)
    assert "The two passwords differ" in differ


def test_changing_the_password_needs_the_current_one(app, client, person, login):
    mentor = person("mentor")
    login(mentor)
    wrong = client.post("/auth/password", data={"current": "not my password", "password": NEW, "confirm": NEW})
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert _logs_in(app, mentor.email, PASSWORD)
    client.post("/auth/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert _logs_in(app, mentor.email, NEW)


def test_a_reset_request_takes_the_same_path_and_time_whether_or_not_the_account_exists(app, client, person):
    """Known and unknown addresses: no SQL in the request, one identical task queued, the same time."""
    from mentormatch.extensions import queue
    from tests.querycount import count_statements

    known = person("mentee").email
    paths, times = {}, {known: [], "nobody@example.org": []}
    for round_ in range(15):
        for email in times:  # interleaved, so machine noise hits both alike
            with app.app_context():
                before = [t.name for t in queue.pending()]
            with count_statements() as statements:
                started = time.perf_counter()
                response = client.post("/auth/reset", data={"email": email})
                times[email].append(time.perf_counter() - started)
            with app.app_context():
                queued = [t.name for t in queue.pending()][len(before):]
            paths[email] = (response.status_code, response.headers["Location"], list(statements), queued)
    assert paths[known] == paths["nobody@example.org"] == (302, "/auth/login", [], ["email_reset_link"])
    known_time, unknown_time = (statistics.median(t) for t in times.values())
    assert abs(known_time - unknown_time) < 0.5 * max(known_time, unknown_time) + 0.002
