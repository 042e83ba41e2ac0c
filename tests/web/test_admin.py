"""The site administrator's area: programs and their coordinators, each action in the audit log."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Program, ProgramCoordinator, User
from tests.factories import PASSWORD, make_program, make_user

NEW_PROGRAM = {
    "name": "Blood bank SBB preparation", "slug": "", "description": "Twelve months toward the ASCP SBB exam.",
    "track": "certification", "enrolment": "open", "agreement_months": "12", "mentees_may_join": "y",
    "matching_method": "stable", "max_open_requests": "2", "expiry_days": "7", "suggestions": "5",
}


@pytest.fixture
def admin(app):
    with app.app_context():
        make_user("admin", email="root@lab.example.org", name="Root Admin")
        db.session.remove()
    return "root@lab.example.org"


def _program(app, name) -> Program | None:
    with app.app_context():
        found = db.session.scalar(db.select(Program).where(Program.name == name))
        db.session.expunge_all()
        return found


def test_the_admin_creates_a_program_with_its_settings(app, client, login, admin):
    login(admin)
    form = client.get("/admin/programs/new").get_data(as_text=True)
    assert "Certification exam preparation" in form and 'value="10"' in form  # tracks; the installation's defaults
    response = client.post("/admin/programs/new", data=NEW_PROGRAM)
    assert response.status_code == 302
    program = _program(app, "Blood bank SBB preparation")
    assert response.headers["Location"] == f"/admin/programs/{program.id}"
    assert (program.slug, program.track, program.agreement_months, program.mentees_may_join,
            program.mentors_may_join, program.matching_method, program.max_open_requests, program.expiry_days,
            program.suggestions, program.direct_requests) == (
        "blood-bank-sbb-preparation", "certification", 12, True, False, "stable", 2, 7, 5, False)
    assert "Blood bank SBB preparation" in client.get("/admin/").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "program_created"))
        assert entry.program_id == program.id and entry.actor_name == "Root Admin"


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "This field is required."),
    ("slug", "Not A Slug!", "Use lower-case letters"),
    ("agreement_months", "37", "Enter a number from 1 to 36."),
    ("track", "astrology", "Not a valid choice"),
    ("suggestions", "0", "Enter a number from 1 to 50."),
])
def test_a_bad_program_answer_is_explained_and_nothing_is_created(app, client, login, admin, field, value, message):
    login(admin)
    page = client.post("/admin/programs/new", data={**NEW_PROGRAM, field: value}).get_data(as_text=True)
    assert message in page and f'id="{field}-error"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Program)) == 0


def test_a_taken_slug_and_dates_in_the_wrong_order_are_refused(app, client, login, admin):
    with app.app_context():
        make_program("Existing", slug="sbb")
    login(admin)
    taken = client.post("/admin/programs/new", data={**NEW_PROGRAM, "slug": "sbb"}).get_data(as_text=True)
    assert "Another program already uses that short name" in taken
    backwards = client.post("/admin/programs/new", data={**NEW_PROGRAM, "starts_on": "2027-06-01",
                                                         "ends_on": "2027-01-01"}).get_data(as_text=True)
    assert "This date comes before the one it closes." in backwards
    assert _program(app, "Blood bank SBB preparation") is None


def test_an_appointed_coordinator_reaches_the_coordinator_area_of_that_program(app, client, login, admin):
    with app.app_context():
        program_id = make_program("MLT to MLS pathway").id
        make_user("mentor", email="cora@lab.example.org", name="Cora Lead")  # an existing account (a mentor elsewhere)
        db.session.remove()
    login(admin)
    unknown = client.post(f"/admin/programs/{program_id}", data={"email": "nobody@lab.example.org"})
    assert "No active account uses that address" in unknown.get_data(as_text=True)
    asked = client.post(f"/admin/programs/{program_id}", data={"email": "Cora@Lab.example.org"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Make Cora Lead a coordinator of MLT to MLS pathway?" in page
    assert "cora@lab.example.org" in page and 'name="confirm" value="y"' in page
    with app.app_context():  # asked, not appointed
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramCoordinator)) == 0
    response = client.post(f"/admin/programs/{program_id}", data={"email": "Cora@Lab.example.org", "confirm": "y"})
    assert response.status_code == 302
    assert "Cora Lead" in client.get(f"/admin/programs/{program_id}").get_data(as_text=True)
    again = client.post(f"/admin/programs/{program_id}", data={"email": "cora@lab.example.org"})
    assert "coordinates MLT to MLS pathway already" in again.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "coordinator_appointed"))
        assert entry.program_id == program_id
    client.post("/auth/logout")

    login("cora@lab.example.org")
    client.post("/programs/switch", data={"program_id": str(program_id)})
    dashboard = client.get("/coordinator/")
    assert dashboard.status_code == 200 and "MLT to MLS pathway" in dashboard.get_data(as_text=True)
    assert client.get("/admin/").status_code == 403


def test_the_admin_removes_a_coordinator_after_confirming(app, client, login, admin):
    with app.app_context():
        program = make_program("Supervisor track")
        cora = make_user("coordinator", email="cora@lab.example.org", program=program)
        ids = program.id, cora.id
        db.session.remove()
    login(admin)
    ask = client.get(f"/admin/programs/{ids[0]}/coordinators/{ids[1]}/remove")
    assert ask.status_code == 200 and "Remove" in ask.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramCoordinator)) == 1
    unconfirmed = client.post(f"/admin/programs/{ids[0]}/coordinators/{ids[1]}/remove")
    assert unconfirmed.status_code == 200 and 'name="confirm" value="y"' in unconfirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramCoordinator)) == 1
    assert client.post(f"/admin/programs/{ids[0]}/coordinators/{ids[1]}/remove",
                       data={"confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramCoordinator)) == 0
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "coordinator_removed"))
        assert entry.program_id == ids[0] and entry.target_id == ids[1]
    assert client.post(f"/admin/programs/{ids[0]}/coordinators/{ids[1]}/remove",
                       data={"confirm": "y"}).status_code == 404
    client.post("/auth/logout")
    login("cora@lab.example.org")
    assert client.get("/coordinator/").status_code == 403


@pytest.mark.parametrize("role", ["mentee", "mentor", "coordinator"])
def test_nobody_but_an_administrator_reaches_the_admin_area(app, client, person, login, role):
    with app.app_context():
        program_id = make_program("Any").id
        cora_id = make_user("coordinator", program=db.session.get(Program, program_id)).id
    login(person(role))
    for path in ("/admin/", "/admin/programs/new", f"/admin/programs/{program_id}",
                 f"/admin/programs/{program_id}/coordinators/{cora_id}/remove"):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/programs/new", data=NEW_PROGRAM).status_code == 403
    assert client.post(f"/admin/programs/{program_id}", data={"email": "x@example.org"}).status_code == 403
    assert client.get("/admin/").status_code == 403
    assert "Administration" not in client.get("/home", follow_redirects=True).get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get("/admin/").headers["Location"].startswith("/auth/login")


def test_an_administrator_made_on_the_command_line_logs_in_to_the_admin_area(app, client):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "ops@lab.example.org", "--name", "Ops Admin"],
        env={"MENTORMATCH_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert client.post("/auth/login", data={"email": "ops@lab.example.org", "password": PASSWORD}).status_code == 302
    assert client.get("/home").headers["Location"] == "/admin/"  # no program yet: create one
    page = client.get("/admin/").get_data(as_text=True)
    assert "Create a program" in page and "Administration" in page
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "ops@lab.example.org")).is_admin


def test_the_admin_changes_a_programs_settings_and_the_log_keeps_before_and_after(app, client, login, admin):
    with app.app_context():
        program = make_program("Onboarding", slug="onboarding")
        make_program("Leadership", slug="leadership")
        program_id = program.id
        db.session.remove()
    login(admin)
    form = client.get(f"/admin/programs/{program_id}/edit").get_data(as_text=True)
    assert "Settings of Onboarding" in form and 'value="onboarding"' in form  # today's values filled in
    taken = client.post(f"/admin/programs/{program_id}/edit", data={**NEW_PROGRAM, "name": "Onboarding",
                                                                    "slug": "leadership"})
    assert taken.status_code == 200 and "already uses that short name" in taken.get_data(as_text=True)
    assert _program(app, "Onboarding").slug == "onboarding"  # nothing half-saved
    saved = client.post(f"/admin/programs/{program_id}/edit", data={**NEW_PROGRAM, "name": "Onboarding",
                                                                    "slug": "onboarding", "suggestions": "7"})
    assert saved.headers["Location"] == f"/admin/programs/{program_id}"
    changed = _program(app, "Onboarding")
    assert (changed.suggestions, changed.matching_method, changed.direct_requests) == (7, "stable", False)
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "program_changed"))
        assert entry.program_id == program_id
        assert (entry.before["suggestions"], entry.after["suggestions"]) == (10, 7)
        assert "slug" not in entry.before  # only what changed
