"""Hostile values posted to every console form: never a 500, never stored markup (like test_hostile_input)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentormatch.extensions import db
from tests.factories import PASSWORD
from tests.services.test_console_stats import build_program
from tests.web.test_hostile_input import SCRIPT, hostile_value

# (path, a valid submission): the payloads handed over for test_hostile_input.FORMS (role "coordinator").
CONSOLE_FORMS = [
    ("/coordinator/people/{user}/flag", {"reason": "Job title looks like a placeholder"}),
    ("/coordinator/people/{user}/deactivate", {"confirm": "y"}),
    ("/coordinator/people/{user}/membership/end", {"confirm": "y"}),
    ("/coordinator/people/{user}/reactivate", {}),
    ("/coordinator/people/{user}/unflag", {}),
    ("/coordinator/queues/waiting/{match}/remind", {}),
    ("/coordinator/queues/waiting/{match}/end", {"confirm": "y"}),
    ("/coordinator/queues/cadence/{agreement}/nudge", {}),
    ("/coordinator/queues/cadence/{agreement}/end", {"reason": "schedule", "note": "Moving on", "rematch": "y",
                                                     "confirm": "y"}),
    ("/coordinator/pairs/new", {"mentee_q": "a", "mentor_q": "b", "mentee_id": "{user}", "mentor_id": "{mentor_id}",
                                "confirm": "y", "warned_for": "1:2"}),
    ("/coordinator/pairs/new", {"mentee_q": "a", "mentor_q": "b", "search": "mentee"}),
    ("/coordinator/roster/import", {"check_only": "y"}),
    ("/coordinator/roster/import", {"full": "y", "sync_digest": "x", "confirm_sync": "y", "confirm_large": "y"}),
]


@pytest.fixture
def program(app):
    with app.app_context():
        ids = build_program(2)
        from mentormatch.services.console import queues
        from tests.factories import default_program
        here = default_program()
        ids["match"] = queues.waiting_proposals(here, 1, 1, 0).items[0].id
        ids["agreement"] = queues.behind_cadence(here, 1, 1).items[0].agreement_id
        ids["user"] = ids["waiting_mentee_id"]
        db.session.remove()
    return ids


@pytest.mark.parametrize("path, valid", CONSOLE_FORMS, ids=[f"{p}:{sorted(v)}" for p, v in CONSOLE_FORMS])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_values_never_cause_a_server_error(app, program, path, valid, data):
    values = {k: v.format(**program) if isinstance(v, str) else v for k, v in valid.items()}
    for name in valid:
        change = data.draw(st.sampled_from(["keep", "hostile", "drop"]), label=name)
        if change == "hostile":
            values[name] = data.draw(hostile_value, label=f"{name} value")
        elif change == "drop":
            del values[name]
    if path.endswith("/import") and data.draw(st.booleans(), label="with a file"):
        body = data.draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                                   st.just(f"email,name,role\n{SCRIPT},{SCRIPT},mentee\n".encode())), label="file")
        values["roster"] = (io.BytesIO(body), "people.csv")
    client = app.test_client()
    client.post("/auth/login", data={"email": program["coordinator"], "password": PASSWORD})
    response = client.post(path.format(**program), data=values, content_type="multipart/form-data",
                           follow_redirects=True)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert SCRIPT not in response.get_data(as_text=True)
