"""Every route × every role gets the status the design says.

Routes that take an id are tried with a match between two *other* people:
participants must get 404 (they cannot even learn it exists), coordinators
may look. ``test_every_route_in_the_url_map_is_classified`` fails when a new
route is added without a line here.
"""

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus
from tests.factories import make_user

ROLES = ("anonymous", "mentee", "mentor", "coordinator")
LOGIN = "login"  # a 302 to the login page

# route: expected status for (anonymous, mentee, mentor, coordinator)
EXPECTED = {
    ("GET", "/"): (200, 200, 200, 200),
    ("GET", "/auth/signup"): (200, 302, 302, 302),
    ("POST", "/auth/signup"): (200, 302, 302, 302),  # anonymous: empty form comes back with errors
    ("GET", "/auth/login"): (200, 302, 302, 302),
    ("POST", "/auth/login"): (200, 302, 302, 302),
    ("POST", "/auth/logout"): (LOGIN, 302, 302, 302),
    ("GET", "/auth/reset"): (200, 200, 200, 200),
    ("POST", "/auth/reset"): (200, 200, 200, 200),  # empty form: errors shown, nothing sent
    ("GET", "/auth/reset/{token}"): (302, 302, 302, 302),  # a forged token goes back to the request form
    ("POST", "/auth/reset/{token}"): (302, 302, 302, 302),
    ("GET", "/auth/password"): (LOGIN, 200, 200, 200),
    ("POST", "/auth/password"): (LOGIN, 200, 200, 200),
    ("GET", "/home"): (LOGIN, 200, 200, 302),
    ("GET", "/healthz"): (200, 200, 200, 200),
    ("GET", "/profile/"): (LOGIN, 200, 200, 403),
    ("GET", "/profile/edit"): (LOGIN, 200, 200, 403),
    ("POST", "/profile/edit"): (LOGIN, 200, 200, 403),
    ("GET", "/matches/"): (LOGIN, 200, 200, 403),
    ("GET", "/matches/suggestions"): (LOGIN, 200, 403, 403),
    ("POST", "/matches/request/{mentor}"): (LOGIN, 302, 403, 403),
    ("GET", "/matches/{match}"): (LOGIN, 404, 404, 200),
    ("POST", "/matches/{match}/accept"): (LOGIN, 404, 404, 403),
    ("POST", "/matches/{match}/decline"): (LOGIN, 404, 404, 403),
    ("POST", "/matches/{match}/withdraw"): (LOGIN, 404, 403, 403),
    ("GET", "/notifications/"): (LOGIN, 200, 200, 200),
    ("POST", "/notifications/read"): (LOGIN, 302, 302, 302),
    ("GET", "/coordinator/"): (LOGIN, 403, 403, 200),
}

PLACEHOLDERS = {"<int:match_id>": "{match}", "<int:mentor_id>": "{mentor}", "<token>": "{token}"}


@pytest.fixture
def foreign(app):
    """A mentor and a match that belong to nobody the test logs in as."""
    with app.app_context():
        mentor = make_user("mentor")
        match = Match(mentee_id=make_user("mentee").id, mentor_id=make_user("mentor").id,
                      origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED)
        db.session.add(match)
        db.session.commit()
        ids = {"mentor": mentor.id, "match": match.id, "token": "forged.token"}
        db.session.remove()
    return ids


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("method, path", list(EXPECTED))
def test_each_role_gets_the_right_status(client, person, login, foreign, method, path, role_index, role):
    if role != "anonymous":
        login(person(role))
    response = client.open(path.format(**foreign), method=method)
    expected = EXPECTED[(method, path)][role_index]
    if expected == LOGIN:
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected


def test_every_route_in_the_url_map_is_classified(app):
    classified = {(method, path) for method, path in EXPECTED}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<[^>]+>", lambda m: PLACEHOLDERS.get(m.group(0), m.group(0)), rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) not in classified:
                missing.append(f"{method} {path}")
    assert not missing, f"unclassified routes: {sorted(missing)}"
