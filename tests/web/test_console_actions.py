"""Console actions through the web: roster upload, account actions, queue actions, exports, CSRF."""

from __future__ import annotations

import io

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, ReviewFlag, User
from tests.factories import PASSWORD
from tests.services.test_console_roster import GOOD, HEADER
from tests.services.test_console_stats import build_program


@pytest.fixture
def program(app):
    with app.app_context():
        ids = build_program(3)
        db.session.remove()
    return ids


@pytest.fixture
def coordinator(app, program):
    client = app.test_client()
    client.post("/auth/login", data={"email": program["coordinator"], "password": PASSWORD})
    return client


def upload(client, text: str | bytes, **extra):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/coordinator/roster/import", data={"roster": (io.BytesIO(data), "people.csv"), **extra},
                       content_type="multipart/form-data")


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_roster_with_errors_shows_each_line_and_imports_nobody(app, coordinator):
    page = upload(coordinator, HEADER + "bad,Bad,mentee,astrology,,,UTC,,,\n").get_data(as_text=True)
    assert "Nobody was imported" in page and "not an email address" in page and "unknown specialties" in page
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "bad")) is None


def test_a_good_roster_can_be_checked_then_imported_once(app, coordinator, outbox):
    sent = outbox
    assert "2 people would be invited" in upload(coordinator, GOOD, check_only="y").get_data(as_text=True)
    assert sent == []
    assert "2 people were invited by email" in upload(coordinator, GOOD).get_data(as_text=True)
    assert "0 people were invited by email; 2 were in the program already" in upload(coordinator, GOOD).get_data(as_text=True)
    assert len(sent) == 2 and audit_actions(app).count("roster_imported") == 2


def test_a_roster_that_is_not_utf8_or_too_large_is_refused(app, coordinator):
    assert "not UTF-8" in upload(coordinator, GOOD.replace("Ana", "Añá").encode("cp1252")).get_data(as_text=True)
    app.config["ROSTER_MAX_BYTES"] = 50
    try:
        assert "larger than" in upload(coordinator, GOOD).get_data(as_text=True)
    finally:
        del app.config["ROSTER_MAX_BYTES"]


def test_deactivating_from_the_people_page_blocks_that_login(app, coordinator, program, person):
    mentee = person("mentee")
    response = coordinator.post(f"/coordinator/people/{mentee.id}/deactivate")
    assert response.status_code == 302
    blocked = app.test_client().post("/auth/login", data={"email": mentee.email, "password": PASSWORD})
    assert blocked.status_code == 200  # the form again, not a redirect into the app
    assert coordinator.post(f"/coordinator/people/{mentee.id}/reactivate").status_code == 302
    assert coordinator.post(f"/coordinator/people/{mentee.id}/make-coordinator").status_code == 302
    assert audit_actions(app)[-3:] == ["deactivated", "reactivated", "role_changed"]


def test_flagging_from_the_people_page_puts_the_profile_in_the_flagged_queue(app, coordinator, person):
    mentor = person("mentor")
    coordinator.post(f"/coordinator/people/{mentor.id}/flag", data={"reason": "Capacity looks wrong"})
    assert "Capacity looks wrong" in coordinator.get("/coordinator/queues/flagged").get_data(as_text=True)
    coordinator.post(f"/coordinator/people/{mentor.id}/unflag")
    with app.app_context():
        assert db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == mentor.id)) is None


def test_reminders_nudges_and_ending_a_pair_from_the_queues(app, coordinator, program):
    with app.app_context():
        from mentormatch.services.console import queues
        match_id = queues.waiting_proposals(1, 25, 7).items[0].id
        agreement_ids = [row.agreement_id for row in queues.behind_cadence(1, 25).items]
        db.session.remove()
    response = coordinator.post(f"/coordinator/queues/waiting/{match_id}/remind?page=1&days=7")
    assert response.status_code == 302 and response.headers["Location"].endswith("/coordinator/queues/waiting?page=1&days=7")
    assert coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/nudge").status_code == 302
    ended = coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/end",
                             data={"reason": "schedule", "note": "", "rematch": "y"})
    assert "/candidates" in ended.headers["Location"]
    assert audit_actions(app)[-3:] == ["reminder_sent", "nudge_sent", "rematch"]
    again = coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/nudge", follow_redirects=True)
    assert "no longer active" in again.get_data(as_text=True)


def test_an_export_streams_a_csv_attachment_and_is_audited(app, coordinator):
    with coordinator.get("/coordinator/exports/pairings.csv") as response:
        assert response.is_streamed and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.get_data(as_text=True).splitlines()[0].startswith("match_id,mentee_name")
    assert audit_actions(app)[-1] == "exported"


@pytest.mark.parametrize("path, data", [
    ("/coordinator/people/{mentee_id}/deactivate", {}),
    ("/coordinator/people/{mentee_id}/flag", {"reason": "x"}),
    ("/coordinator/queues/cadence/1/nudge", {}),
])
def test_console_posts_need_the_csrf_token(app, coordinator, program, path, data):
    app.config["WTF_CSRF_ENABLED"] = True
    assert coordinator.post(path.format(**program), data=data).status_code == 400
