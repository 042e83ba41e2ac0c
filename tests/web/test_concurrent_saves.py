"""Saves at the same moment through a real threaded server all succeed (SQLite: none gets the 503 page).

SQLite, the default database, lets one connection write at a time. A use case
whose transaction read first and wrote later could not take the write lock once
another request had committed in between, and its person saw "database
unavailable"; ``transaction()`` takes the lock when the use case begins.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import make_server

from mentormatch.extensions import db
from mentormatch.models import Profile
from tests.factories import PASSWORD
from tests.web.test_hostile_input import PROFILE

SAVERS = 10


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we check, not a page to follow


@pytest.fixture
def server(app):
    """The app on a real threaded HTTP server on a free port: its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def browser():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects)


def post(opener, url: str, form: dict) -> int:
    body = urllib.parse.urlencode(form, doseq=True).encode()
    try:
        with opener.open(url, data=body, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as answer:  # 302, 503 ...: the status is what we want
        return answer.code


def test_ten_people_saving_their_profiles_at_once_all_succeed(app, person, server):
    people = [person("mentor" if n % 2 else "mentee") for n in range(SAVERS)]
    browsers = [browser() for _ in people]
    for who, opener in zip(people, browsers):
        assert post(opener, f"{server}/auth/login", {"email": who.email, "password": PASSWORD}) == 302
    barrier = threading.Barrier(SAVERS)
    codes: dict[int, int] = {}

    def save(who, opener) -> None:
        barrier.wait(timeout=30)
        codes[who.id] = post(opener, f"{server}/profile/edit", {**PROFILE, "job_title": f"Saved by {who.id}"})

    threads = [threading.Thread(target=save, args=pair) for pair in zip(people, browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(codes.values()) == [302] * SAVERS, codes
    with app.app_context():
        titles = dict(db.session.execute(db.select(Profile.user_id, Profile.job_title)).all())
        db.session.remove()
    assert {who.id: titles[who.id] for who in people} == {who.id: f"Saved by {who.id}" for who in people}
