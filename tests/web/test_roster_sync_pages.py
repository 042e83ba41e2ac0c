"""The import page's full sync: a preview listing who leaves, nothing applied until the same file comes back with
the preview's confirmation, a stale or unconfirmed confirmation refused with the new preview, the >50% guard."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Membership, User
from tests.factories import default_program, make_user
from tests.web.test_hostile_input import SCRIPT, hostile_value

FILE = "email,name,role\nkept@lab.example.org,Kept Mentee,mentee\nnew@lab.example.org,New Mentor,mentor\n"


@pytest.fixture
def coordinator(app, person, login, client):
    with app.app_context():
        for email, name in (("kept@lab.example.org", "Kept Mentee"), ("gone@lab.example.org", "Gone Mentee")):
            make_user("mentee", email=email, name=name)
        make_user("mentor", email="stays@lab.example.org", name="Stays Mentor")
    login(person("coordinator", name="Cora Coordinator"))
    return client


def upload(client, text: str = FILE, **fields) -> str:
    """The page the upload answers, its whitespace runs as one space (a sentence reads as it shows)."""
    response = client.post("/coordinator/roster/import", data={"roster": (io.BytesIO(text.encode()), "people.csv"),
                                                               **fields}, content_type="multipart/form-data")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def digest_in(page: str) -> str:
    return re.search(r'name="sync_digest"[^>]*value="([0-9a-f]{64})"', page).group(1)


def status_of(app, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(db.select(Membership.status).join(User, User.id == Membership.user_id)
                                 .where(User.email == email, Membership.program_id == default_program().id))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


WITH_STAYS = FILE + "stays@lab.example.org,Stays Mentor,mentor\n"  # one of three leaves: under the guard


def test_the_preview_lists_who_leaves_and_changes_nothing(app, coordinator, outbox):
    page = upload(coordinator, WITH_STAYS, full="y")
    assert "Nothing has changed yet" in page and "1 person is not in the file and will leave Test program" in page
    assert "Gone Mentee" in page and "gone@lab.example.org" in page
    leaving = page.split('id="leaving-title"')[1].split("</table>")[0]
    assert "Kept Mentee" not in leaving and "Stays Mentor" not in leaving and "Cora" not in leaving
    assert digest_in(page) and 'name="confirm_sync"' in page and 'name="confirm_large"' not in page
    assert status_of(app, "gone@lab.example.org") == "active" and status_of(app, "new@lab.example.org") is None
    assert audit_actions(app) == [] and outbox == []


def test_the_confirmed_preview_imports_and_takes_the_missing_out(app, coordinator, outbox):
    digest = digest_in(upload(coordinator, WITH_STAYS, full="y"))
    unticked = upload(coordinator, WITH_STAYS, full="y", sync_digest=digest)
    assert "tick the box" in unticked and status_of(app, "gone@lab.example.org") == "active"
    done = upload(coordinator, WITH_STAYS, full="y", sync_digest=digest, confirm_sync="y")
    assert "1 people were invited by email" in done and "1 not in the file left Test program" in done
    assert status_of(app, "gone@lab.example.org") == "left"
    assert status_of(app, "kept@lab.example.org") == status_of(app, "stays@lab.example.org") == "active"
    assert status_of(app, "new@lab.example.org") == "active" and [e.to for e in outbox] == ["new@lab.example.org"]
    assert audit_actions(app) == ["roster_imported", "roster_sync_removed", "roster_synced"]
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roster_sync_removed"))
        assert entry.actor_name == "Cora Coordinator" and "gone@lab.example.org" in entry.summary


def test_a_confirmation_after_the_program_changed_is_refused_with_the_new_preview(app, coordinator):
    digest = digest_in(upload(coordinator, WITH_STAYS, full="y"))
    with app.app_context():
        make_user("mentee", email="late@lab.example.org", name="Joined Later")
    page = upload(coordinator, WITH_STAYS, full="y", sync_digest=digest, confirm_sync="y")
    assert "Nothing was changed" in page and "Joined Later" in page and "2 people are not in the file" in page
    assert digest_in(page) != digest
    assert status_of(app, "gone@lab.example.org") == status_of(app, "late@lab.example.org") == "active"
    assert status_of(app, "new@lab.example.org") is None and audit_actions(app) == []


def test_a_different_file_on_confirmation_is_refused(app, coordinator):
    digest = digest_in(upload(coordinator, WITH_STAYS, full="y"))
    page = upload(coordinator, FILE, full="y", sync_digest=digest, confirm_sync="y")
    assert "Nothing was changed" in page and "Stays Mentor" in page  # the new file leaves out one more
    assert status_of(app, "gone@lab.example.org") == "active" and audit_actions(app) == []


def test_more_than_half_leaving_needs_the_second_box(app, coordinator):
    page = upload(coordinator, FILE, full="y")  # two of three would leave
    assert "more than 50%" in page and 'name="confirm_large"' in page
    digest = digest_in(page)
    refused = upload(coordinator, FILE, full="y", sync_digest=digest, confirm_sync="y")
    assert "2 of the 3 people" in refused and status_of(app, "gone@lab.example.org") == "active"
    assert audit_actions(app) == []
    upload(coordinator, FILE, full="y", sync_digest=digest, confirm_sync="y", confirm_large="y")
    assert status_of(app, "gone@lab.example.org") == status_of(app, "stays@lab.example.org") == "left"


def test_a_file_naming_nobody_here_cannot_be_the_whole_roster(app, coordinator):
    page = upload(coordinator, "email,name,role\n", full="y")
    assert "Nobody was imported" in page and "no people" in page
    assert status_of(app, "gone@lab.example.org") == "active"


def test_without_the_full_box_nobody_leaves(app, coordinator):
    upload(coordinator, FILE, sync_digest="0" * 64, confirm_sync="y", confirm_large="y")
    assert status_of(app, "gone@lab.example.org") == "active" and status_of(app, "new@lab.example.org") == "active"
    assert "roster_sync_removed" not in audit_actions(app)


def test_a_long_list_is_capped_with_a_count(app, coordinator, monkeypatch):
    from mentormatch.web.console import roster as roster_view

    monkeypatch.setattr(roster_view, "SHOWN", 1)
    page = upload(coordinator, "email,name,role\nkept@lab.example.org,Kept Mentee,mentee\n", full="y")
    assert "2 people are not in the file" in page and "… and 1 more" in page and "--full --check-only" in page
    assert ("Gone Mentee" in page) != ("Stays Mentor" in page)  # one of the two is listed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_confirmation_values_never_cause_a_server_error_or_a_change(app, coordinator, data):
    fields = {name: data.draw(st.one_of(st.just("y"), hostile_value), label=name)
              for name in ("full", "sync_digest", "confirm_sync", "confirm_large")}
    response = coordinator.post("/coordinator/roster/import", content_type="multipart/form-data",
                                data={"roster": (io.BytesIO(WITH_STAYS.encode()), "people.csv"), **fields})
    assert response.status_code < 500 and SCRIPT not in response.get_data(as_text=True)
    assert status_of(app, "gone@lab.example.org") == "active"  # no digest of a shown plan: nobody leaves
