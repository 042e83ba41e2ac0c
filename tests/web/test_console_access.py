"""Every console route × every role, exactly as the lines handed to tests/web/test_access.py's EXPECTED.

Anonymous visitors are sent to log in, participants get 403 on every method, coordinators reach
each page; empty POSTs (CSRF is off in tests) come back as a redirect with a message.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.web.test_access import LOGIN, ROLES, foreign  # noqa: F401  (the fixture is used by name)

CONSOLE_EXPECTED = {
    ("GET", "/coordinator/queues/"): (LOGIN, 403, 403, 302),
    ("GET", "/coordinator/queues/unmatched"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/queues/unmatched/{user}/candidates"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/queues/waiting"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/queues/waiting/{match}/remind"): (LOGIN, 403, 403, 302),
    ("GET", "/coordinator/queues/declined"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/queues/cadence"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/queues/cadence/{agreement}/nudge"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/queues/cadence/{agreement}/end"): (LOGIN, 403, 403, 302),  # empty form: message, back
    ("GET", "/coordinator/queues/flagged"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/people/"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/people/{user}"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/people/{user}/deactivate"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/people/{user}/reactivate"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/people/{user}/make-coordinator"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/people/{user}/flag"): (LOGIN, 403, 403, 302),  # empty reason: message, back
    ("POST", "/coordinator/people/{user}/unflag"): (LOGIN, 403, 403, 302),
    ("GET", "/coordinator/roster/import"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/roster/import"): (LOGIN, 403, 403, 200),  # no file: the form again with the error
    ("GET", "/coordinator/exports/"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/exports/pairings.csv"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/exports/meetings.csv"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/exports/unmatched.csv"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/audit"): (LOGIN, 403, 403, 200),
}
CONSOLE_PLACEHOLDERS = {"<int:user_id>": "{user}", "<int:match_id>": "{match}", "<int:agreement_id>": "{agreement}"}


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_each_console_route_gives_each_role_the_right_status(app, person, foreign, role_index, role):  # noqa: F811
    from mentormatch.extensions import db
    from mentormatch.models import Match

    with app.app_context():
        ids = {**foreign, "user": db.session.get(Match, foreign["match"]).mentee_id}
        db.session.remove()
    someone = person(role) if role != "anonymous" else None
    wrong = []
    for (method, path), statuses in CONSOLE_EXPECTED.items():
        client = app.test_client()
        if someone:
            client.post("/auth/login", data={"email": someone.email, "password": PASSWORD})
        with client.open(path.format(**ids), method=method) as response:
            expected = statuses[role_index]
            if expected == LOGIN:
                ok = response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
            else:
                ok = response.status_code == expected
            if not ok:
                wrong.append(f"{method} {path}: expected {expected}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_console_route_is_in_the_table(app):
    import re

    classified = set(CONSOLE_EXPECTED)
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console."):
            path = re.sub(r"<[^>]+>", lambda m: CONSOLE_PLACEHOLDERS[m.group(0)], rule.rule)
            missing += [f"{m} {path}" for m in rule.methods - {"HEAD", "OPTIONS"} if (m, path) not in classified]
    assert not missing
