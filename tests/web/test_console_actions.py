"""Console actions through the web: roster upload, account actions, queue actions, exports, CSRF."""

from __future__ import annotations

import csv
import io

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Membership, ReviewFlag, User
from tests.factories import PASSWORD, make_program, make_user
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
    assert "0 people were invited by email; 0 who have an account were added; 2 were members already" in upload(
        coordinator, GOOD).get_data(as_text=True)
    assert len(sent) == 2 and audit_actions(app).count("roster_imported") == 2


def test_a_roster_that_is_not_utf8_or_too_large_is_refused(app, coordinator):
    assert "not UTF-8" in upload(coordinator, GOOD.replace("Ana", "Añá").encode("cp1252")).get_data(as_text=True)
    app.config["ROSTER_MAX_BYTES"] = 50
    try:
        assert "larger than" in upload(coordinator, GOOD).get_data(as_text=True)
    finally:
        del app.config["ROSTER_MAX_BYTES"]


def test_a_roster_imports_into_the_current_program_and_its_program_column_is_checked(app, coordinator, program):
    with app.app_context():
        make_program("Not mine", slug="not-mine")
    text = "email,name,role,program,specialties\nana@lab.example.org,Ana,mentee,,hematology\n"
    assert "1 people were invited" in upload(coordinator, text).get_data(as_text=True)
    page = upload(coordinator, text.replace(",,", ",not-mine,").replace("ana@", "ben@")).get_data(as_text=True)
    assert "do not coordinate the program" in page
    with app.app_context():
        assert set(db.session.scalars(db.select(Membership.program_id))) == {program["program_id"]}


def test_deactivating_from_the_people_page_asks_first_then_blocks_that_login(app, coordinator, program):
    with app.app_context():
        user = make_user("mentee", name="Dee Active")
        mentee = type("Someone", (), {"id": user.id, "email": user.email})
    person = coordinator.get(f"/coordinator/people/{mentee.id}").get_data(as_text=True)
    assert f'href="/coordinator/people/{mentee.id}/deactivate"' in person
    for asked in (coordinator.get(f"/coordinator/people/{mentee.id}/deactivate"),
                  coordinator.post(f"/coordinator/people/{mentee.id}/deactivate")):  # a POST without confirm asks too
        page = asked.get_data(as_text=True)
        assert asked.status_code == 200 and "Deactivate Dee Active's account?" in page
        assert "every program" in page and 'name="confirm" value="y"' in page
        assert page.count('aria-label="Coordinator area"') == 1
    with app.app_context():
        assert db.session.get(User, mentee.id).active and "deactivated" not in audit_actions(app)
    response = coordinator.post(f"/coordinator/people/{mentee.id}/deactivate", data={"confirm": "y"})
    assert response.status_code == 302
    blocked = app.test_client().post("/auth/login", data={"email": mentee.email, "password": PASSWORD})
    assert blocked.status_code == 200  # the form again, not a redirect into the app
    assert "already deactivated" in coordinator.get(f"/coordinator/people/{mentee.id}/deactivate").get_data(
        as_text=True)
    assert coordinator.post(f"/coordinator/people/{mentee.id}/reactivate").status_code == 302
    assert coordinator.post(f"/coordinator/people/{mentee.id}/make-coordinator").status_code in (404, 405)
    assert audit_actions(app)[-2:] == ["deactivated", "reactivated"]
    assert "Make coordinator" not in coordinator.get(f"/coordinator/people/{mentee.id}").get_data(as_text=True)


def test_the_deactivation_page_counts_the_proposals_it_withdraws(app, coordinator, program):
    page = coordinator.get(f"/coordinator/people/{program['mentor_id']}/deactivate").get_data(as_text=True)
    # build_program's first mentor has an active pair and one proposal waiting.
    assert "1 open proposal or request</strong>" in page and "1 active pair" in page


def test_flagging_from_the_people_page_puts_the_profile_in_the_flagged_queue(app, coordinator):
    with app.app_context():
        mentor = type("Someone", (), {"id": make_user("mentor").id})
    coordinator.post(f"/coordinator/people/{mentor.id}/flag", data={"reason": "Capacity looks wrong"})
    assert "Capacity looks wrong" in coordinator.get("/coordinator/queues/flagged").get_data(as_text=True)
    coordinator.post(f"/coordinator/people/{mentor.id}/unflag")
    with app.app_context():
        assert db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == mentor.id)) is None


def test_reminders_nudges_and_ending_a_pair_from_the_queues(app, coordinator, program):
    with app.app_context():
        from mentormatch.models import Program
        from mentormatch.services.console import queues
        here = db.session.get(Program, program["program_id"])
        match_id = queues.waiting_proposals(here, 1, 25, 7).items[0].id
        agreement_ids = [row.agreement_id for row in queues.behind_cadence(here, 1, 25).items]
        db.session.remove()
    response = coordinator.post(f"/coordinator/queues/waiting/{match_id}/remind?page=1&days=7")
    assert response.status_code == 302 and response.headers["Location"].endswith("/coordinator/queues/waiting?page=1&days=7")
    assert coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/nudge").status_code == 302
    asked = coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/end",
                             data={"reason": "schedule", "note": "", "rematch": "y"})
    assert asked.status_code == 200 and "End the pair" in asked.get_data(as_text=True)  # no confirm: asked first
    assert audit_actions(app)[-2:] == ["reminder_sent", "nudge_sent"]
    ended = coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/end",
                             data={"reason": "schedule", "note": "", "rematch": "y", "confirm": "y"})
    assert "/candidates" in ended.headers["Location"]
    assert audit_actions(app)[-3:] == ["reminder_sent", "nudge_sent", "rematch"]
    again = coordinator.post(f"/coordinator/queues/cadence/{agreement_ids[0]}/nudge", follow_redirects=True)
    assert "no longer active" in again.get_data(as_text=True)
    ended = coordinator.post(f"/coordinator/queues/waiting/{match_id}/end?days=0", data={"confirm": "y"},
                             follow_redirects=True)
    assert "is ended; both were told" in ended.get_data(as_text=True) and audit_actions(app)[-1] == "proposal_ended"


def test_a_pair_is_nudged_at_most_once_a_day_and_the_queue_says_when_it_last_was(app, coordinator, program):
    with app.app_context():
        from mentormatch.models import Program
        from mentormatch.services.console import queues
        here = db.session.get(Program, program["program_id"])
        agreement_id = queues.behind_cadence(here, 1, 25).items[0].agreement_id
        db.session.remove()
    before = coordinator.get("/coordinator/queues/cadence").get_data(as_text=True)
    assert "Last nudged" in before and f"/coordinator/queues/cadence/{agreement_id}/nudge" in before
    assert coordinator.post(f"/coordinator/queues/cadence/{agreement_id}/nudge").status_code == 302
    page = coordinator.get("/coordinator/queues/cadence").get_data(as_text=True)
    assert f"/coordinator/queues/cadence/{agreement_id}/nudge" not in page  # no button: the reason instead
    assert "The next nudge can go from" in page and "one a day is enough" in page
    again = coordinator.post(f"/coordinator/queues/cadence/{agreement_id}/nudge", follow_redirects=True)
    text = again.get_data(as_text=True)
    assert "No nudge sent: this pair was last nudged" in text and " UTC" in text  # a time, labelled with its zone
    assert audit_actions(app).count("nudge_sent") == 3 + 1  # build_program's three, older than a day, and one


def test_ending_a_pair_asks_first_with_the_reason_and_a_missing_reason_is_explained(app, coordinator, program):
    with app.app_context():
        from mentormatch.models import Agreement, Program
        from mentormatch.services.console import queues
        here = db.session.get(Program, program["program_id"])
        agreement_id = queues.behind_cadence(here, 1, 25).items[0].agreement_id
        db.session.remove()
    queue = coordinator.get("/coordinator/queues/cadence?state=overdue").get_data(as_text=True)
    assert f'href="/coordinator/queues/cadence/{agreement_id}/end?page=1&amp;state=overdue"' in queue
    page = coordinator.get(f"/coordinator/queues/cadence/{agreement_id}/end?state=overdue")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot be undone" in html and 'name="reason"' in html
    assert f'action="/coordinator/queues/cadence/{agreement_id}/end?state=overdue"' in html
    assert html.count('aria-label="Coordinator area"') == 1
    missing = coordinator.post(f"/coordinator/queues/cadence/{agreement_id}/end", data={"confirm": "y"})
    assert missing.status_code == 200 and "Choose why the pair ends" in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, agreement_id).status == "active"
    done = coordinator.post(f"/coordinator/queues/cadence/{agreement_id}/end?state=overdue",
                            data={"confirm": "y", "reason": "schedule"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/coordinator/queues/cadence?state=overdue")
    with app.app_context():
        assert db.session.get(Agreement, agreement_id).status == "ended"
    assert "no longer active" in coordinator.get(f"/coordinator/queues/cadence/{agreement_id}/end").get_data(
        as_text=True)


def test_an_export_streams_a_csv_attachment_and_is_audited(app, coordinator):
    with coordinator.get("/coordinator/exports/pairings.csv") as response:
        assert response.is_streamed and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.get_data(as_text=True).splitlines()[0].startswith("\ufeffmatch_id,mentee_name")
        assert 'filename="mentormatch-test-program-pairings.csv"' in response.headers["Content-Disposition"]
    assert audit_actions(app)[-1] == "exported"


def test_an_export_opens_in_excel_with_labels_not_codes(app, coordinator):
    with coordinator.get("/coordinator/exports/pairings.csv") as response:
        data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel reads the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["status"] for r in rows} == {"Active", "Proposed", "Declined", "Ended"}
    assert {r["origin"] for r in rows} == {"Matching round", "Paired by hand", "Requested by the mentee"}
    assert "I don't have time for this right now" in {r["decline_reason"] for r in rows}
    assert {r["score"] for r in rows} >= {"80", "60"} and b"\r\n" in data
    with coordinator.get("/coordinator/exports/meetings.csv") as response:
        meetings = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert {r["frequency"] for r in meetings} >= {"Weekly", "Monthly"} and "Virtual" in {r["mode"] for r in meetings}


@pytest.mark.parametrize("path, data", [
    ("/coordinator/people/{mentee_id}/deactivate", {"confirm": "y"}),
    ("/coordinator/people/{mentee_id}/flag", {"reason": "x"}),
    ("/coordinator/queues/cadence/1/nudge", {}),
    ("/coordinator/queues/waiting/{match_id}/end", {"confirm": "y"}),
])
def test_console_posts_need_the_csrf_token(app, coordinator, program, path, data):
    with app.app_context():
        from mentormatch.models import Match
        program = {**program, "match_id": db.session.scalar(db.select(Match.id).where(Match.status == "proposed"))}
    app.config["WTF_CSRF_ENABLED"] = True
    assert coordinator.post(path.format(**program), data=data).status_code == 400


def test_ending_a_membership_asks_first_then_ends_it_and_another_programs_coordinator_gets_404(app, client, login):
    from mentormatch.models import Membership
    from tests.factories import default_program, make_program, make_user

    with app.app_context():
        coordinator = make_user("coordinator")
        member = make_user("mentee", name="Lee Leaving")
        elsewhere = make_user("coordinator", program=make_program("Leadership"))
        ids = coordinator.email, member.id, elsewhere.email, default_program().id
        db.session.remove()
    login(ids[0])
    page = client.get(f"/coordinator/people/{ids[1]}/membership/end")
    assert page.status_code == 200 and "End Lee Leaving" in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count('aria-label="Coordinator area"') == 1
    unconfirmed = client.post(f"/coordinator/people/{ids[1]}/membership/end")
    assert unconfirmed.status_code == 200 and "End Lee Leaving" in unconfirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Membership.status).where(Membership.user_id == ids[1])) == "active"
    done = client.post(f"/coordinator/people/{ids[1]}/membership/end", data={"confirm": "y"}, follow_redirects=True)
    assert "has left this program" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Membership.status).where(Membership.user_id == ids[1])) == "left"
    client.post("/auth/logout")
    login(ids[2])
    assert client.post(f"/coordinator/people/{ids[1]}/membership/pause").status_code == 404
    assert client.get(f"/coordinator/people/{ids[1]}/membership/end").status_code == 404


def test_the_import_page_lists_the_accepted_values_and_offers_a_template(app, coordinator):
    page = coordinator.get("/coordinator/roster/import").get_data(as_text=True)
    assert 'href="/coordinator/roster/template.csv"' in page and "<summary>Columns and accepted values" in page
    for shown in ("Immunohematology / blood bank", "(also: blood bank", "Every two weeks", "credentials_sought",
                  "ASCP SBB (specialist in blood banking)", "Rotating"):
        assert shown in page, shown
    template = coordinator.get("/coordinator/roster/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert "attachment" in template.headers["Content-Disposition"] and template.get_data().startswith(b"\xef\xbb\xbf")
    checked = upload(coordinator, template.get_data(), check_only="y").get_data(as_text=True)
    assert "The file is fine: 2 people would be invited" in checked


def test_a_semicolon_roster_with_labels_and_synonyms_imports_and_a_bad_value_is_explained(app, coordinator):
    good = ("Email;Name;Role;Specialties;Goals\n"
            "ana@lab.example.org;Ana Ruiz;Mentee;Blood bank;Supervisor or lead\n"
            "ben@lab.example.org;Ben Okafor;mentor;Clinical chemistry, heme;supervisor\n")
    assert "2 people were invited by email" in upload(coordinator, good).get_data(as_text=True)
    bad = upload(coordinator, "email;name;role;specialties\ncy@lab.example.org;Cy;mentee;Hemotology\n")
    html = bad.get_data(as_text=True)
    assert "Nobody was imported" in html and '<th scope="row">2</th>' in html
    assert "unknown specialties &#39;Hemotology&#39; (did you mean &#39;Hematology&#39;?)" in html
