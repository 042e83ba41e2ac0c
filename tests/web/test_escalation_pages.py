"""The escalations page: a coordinator sees their program's open escalations, marks one resolved after being asked,
and sets the thresholds; nobody reaches another program's escalation, and participants reach none."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mentormatch.extensions import db
from mentormatch.models import Escalation, Program
from mentormatch.services import escalations
from tests.factories import PASSWORD, default_program, make_program, make_user, membership

NOW = datetime(2030, 3, 4, 15, tzinfo=timezone.utc)


def _client(app, email):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def waiting_mentee(name: str, program=None) -> None:
    """A mentee of ``program`` enrolled 40 days before NOW and still without a mentor."""
    member = membership(make_user("mentee", name=name, program=program), program)
    member.created_at = NOW - timedelta(days=40)
    db.session.commit()


@pytest.fixture
def setup(app):
    """Two programs, each with a coordinator and an unmatched mentee escalated; returns emails and ids."""
    with app.app_context():
        here = default_program()
        coordinator = make_user("coordinator", email="cora@example.org", program=here)
        waiting_mentee("Dana Okafor", here)
        waiting_mentee("Eli Long", here)
        other = make_program("Supervisor track")
        make_user("coordinator", email="otto@example.org", program=other)
        waiting_mentee("Far Away", other)
        mentee = make_user("mentee", email="mentee@example.org", program=here)
        escalations.raise_due(NOW)
        ids = {row.reason.split(" has")[0]: row.id for row in db.session.scalars(db.select(Escalation))}
        found = {"coordinator": coordinator.email, "mentee": mentee.email, "program_id": here.id, "ids": ids}
        db.session.remove()
    return found


def test_a_coordinator_sees_their_programs_open_escalations_with_reason_and_action(app, setup):
    page = _client(app, setup["coordinator"]).get("/coordinator/escalations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dana Okafor has had no mentor for 40 days" in html and "Eli Long" in html
    assert "Far Away" not in html  # another program's
    assert "Pair by hand or include in the next round" in html
    assert "/coordinator/pairs/new?mentee_id=" in html and "Mark resolved" in html
    assert "/coordinator/escalations/settings" in html


def test_the_list_filters_by_kind_and_says_when_nothing_is_open(app, setup):
    client = _client(app, setup["coordinator"])
    html = client.get("/coordinator/escalations?kind=quiet_pair").get_data(as_text=True)
    assert "Dana Okafor" not in html and "No open escalation of this kind" in html
    html = client.get("/coordinator/escalations?kind=unmatched_mentee").get_data(as_text=True)
    assert "Dana Okafor" in html
    with app.app_context():
        db.session.execute(db.update(Escalation).values(resolved_at=NOW))
        db.session.commit()
    html = client.get("/coordinator/escalations").get_data(as_text=True)
    assert "Nothing needs you right now" in html


def test_marking_resolved_asks_first_then_resolves(app, setup):
    client = _client(app, setup["coordinator"])
    target = setup["ids"]["Dana Okafor"]
    path = f"/coordinator/escalations/{target}/resolve"
    for asked in (client.get(path), client.post(path)):  # the list's button posts without confirm
        assert asked.status_code == 200
        assert "Mark this escalation resolved?" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Escalation, target).resolved_at is None
    done = client.post(path + "?kind=unmatched_mentee", data={"confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/coordinator/escalations?kind=unmatched_mentee")
    with app.app_context():
        row = db.session.get(Escalation, target)
        assert row.resolved_at is not None and row.resolved_by_id is not None
    html = client.get("/coordinator/escalations").get_data(as_text=True)
    assert "Dana Okafor" not in html and "Eli Long" in html
    again = client.post(path, data={"confirm": "y"}, follow_redirects=True)
    assert "resolved already" in again.get_data(as_text=True)


def test_another_programs_escalation_is_not_found(app, setup):
    client = _client(app, setup["coordinator"])
    theirs = setup["ids"]["Far Away"]
    assert client.get(f"/coordinator/escalations/{theirs}/resolve").status_code == 404
    assert client.post(f"/coordinator/escalations/{theirs}/resolve", data={"confirm": "y"}).status_code == 404
    with app.app_context():
        assert db.session.get(Escalation, theirs).resolved_at is None


@pytest.mark.parametrize("method, path", [
    ("GET", "/coordinator/escalations"), ("GET", "/coordinator/escalations/settings"),
    ("POST", "/coordinator/escalations/settings"), ("GET", "/coordinator/escalations/{id}/resolve"),
    ("POST", "/coordinator/escalations/{id}/resolve")])
def test_participants_may_not_use_the_escalation_pages(app, setup, method, path):
    client = _client(app, setup["mentee"])
    target = setup["ids"]["Dana Okafor"]
    response = client.open(path.format(id=target), method=method, data={"confirm": "y", "quiet_days": "5"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Escalation, target).resolved_at is None
        assert db.session.get(Program, setup["program_id"]).escalate_quiet_days == 21


def test_the_settings_form_keeps_bad_input_and_saves_good_input(app, setup):
    client = _client(app, setup["coordinator"])
    form = client.get("/coordinator/escalations/settings").get_data(as_text=True)
    assert 'value="21"' in form and 'value="7"' in form and 'value="30"' in form
    bad = client.post("/coordinator/escalations/settings",
                      data={"quiet_days": "0", "unanswered_days": "ten", "unmatched_days": "45"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "Enter a whole number of days from 1 to 365." in html and "from 1 to 90." in html
    assert 'value="0"' in html and 'value="ten"' in html and 'value="45"' in html  # what was typed stays
    with app.app_context():
        program = db.session.get(Program, setup["program_id"])
        assert (program.escalate_quiet_days, program.escalate_unmatched_days) == (21, 30)  # nothing half-saved
    good = client.post("/coordinator/escalations/settings",
                       data={"quiet_days": "14", "unanswered_days": "10", "unmatched_days": "45"})
    assert good.status_code == 302 and good.headers["Location"].endswith("/coordinator/escalations")
    with app.app_context():
        program = db.session.get(Program, setup["program_id"])
        assert (program.escalate_quiet_days, program.escalate_unanswered_days,
                program.escalate_unmatched_days) == (14, 10, 45)
    assert "A pair with no meeting logged for 14 days." in client.get("/coordinator/escalations").get_data(as_text=True)
