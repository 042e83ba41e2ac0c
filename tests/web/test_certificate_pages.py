"""CE certificate pages: the coordinator's policy and issuing, the holder's print view and PDF, /verify for anyone."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from mentormatch.app import create_app
from mentormatch.extensions import db, limiter
from mentormatch.models import Agreement, CeCertificate
from mentormatch.services import agreements, certificates
from mentormatch.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import on_postgres
from tests.factories import PASSWORD, make_program, make_user
from tests.services.test_certificates import agreed, meet

TODAY = agreements.today()
POLICY_FORM = {"provider_name": "Riverside General Hospital Laboratory", "activity_title": "Structured lab mentoring",
               "hours_per_mentorship": "2", "hours_per_meeting_hour": "1", "max_hours": "10",
               "signer_name": "Pat Quinn", "signer_title": "Laboratory Education Coordinator"}


def client_for(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def world(app):
    """A coordinator, and a completed mentorship (goals achieved, 90 minutes of meetings) of Dana and Grace."""
    with app.app_context():
        coordinator = make_user("coordinator", name="Cora Ordinator")
        agreement = agreed(start_days_ago=60, length=180)
        meet(agreement, 50, 60)
        meet(agreement, 20, 30)
        agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
        found = {"coordinator": coordinator.email, "mentee": agreement.match.mentee.email,
                 "mentor": agreement.match.mentor.email, "agreement": agreement.id,
                 "mentee_id": agreement.match.mentee_id}
        db.session.remove()
    return found


@pytest.fixture
def issued(app, world):
    """The world with its policy set and both certificates issued; the mentee's number."""
    coordinator = client_for(app, world["coordinator"])
    assert coordinator.post("/coordinator/certificates/policy", data=POLICY_FORM).status_code == 302
    response = coordinator.post(f"/coordinator/certificates/issue/{world['agreement']}",
                                data={"confirm": "y", "planned": "completion"})
    assert response.status_code == 302
    with app.app_context():
        return {**world, "number": db.session.scalar(db.select(CeCertificate.number).where(
            CeCertificate.user_id == world["mentee_id"]))}


def _style_allowed(response) -> bool:
    """The page's one <style> block is what its CSP allows by hash, and nothing else is inline."""
    html = response.get_data(as_text=True)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    return len(styles) == 1 and f"'sha256-{digest}'" in policy and "unsafe-inline" not in policy


def _is_print_view(html: str) -> bool:
    return ('aria-label="Main"' not in html and "<form" not in html and "<script" not in html
            and 'rel="stylesheet"' not in html and "flash" not in html and "<style>" in html)


# --- the coordinator's side ------------------------------------------------------------------------

def test_the_policy_form_shows_errors_and_saves_a_valid_policy(app, world):
    coordinator = client_for(app, world["coordinator"])
    blank = coordinator.post("/coordinator/certificates/policy", data={**POLICY_FORM, "signer_name": "",
                                                                       "max_hours": "-2"})
    html = blank.get_data(as_text=True)
    assert blank.status_code == 200 and "Enter signed by: name." in html and "Enter a number of hours" in html
    neither = coordinator.post("/coordinator/certificates/policy", data={
        **POLICY_FORM, "hours_per_mentorship": "0", "hours_per_meeting_hour": "0"})
    assert "per meeting hour, or both" in neither.get_data(as_text=True)
    with app.app_context():
        assert certificates.policy_of(world_program(world)) is None
    saved = coordinator.post("/coordinator/certificates/policy", data=POLICY_FORM)
    assert saved.status_code == 302 and saved.headers["Location"] == "/coordinator/certificates/"
    page = coordinator.get("/coordinator/certificates/policy").get_data(as_text=True)
    assert 'value="Pat Quinn"' in page and 'value="10"' in page


def world_program(world):
    return db.session.get(Agreement, world["agreement"]).match.program_id


def test_issuing_shows_what_each_gets_then_issues_and_lists_them(app, world):
    coordinator = client_for(app, world["coordinator"])
    path = f"/coordinator/certificates/issue/{world['agreement']}"
    assert "Set the <a" in coordinator.get(path).get_data(as_text=True)  # no policy yet
    coordinator.post("/coordinator/certificates/policy", data=POLICY_FORM)
    ready = coordinator.get("/coordinator/certificates/to-issue").get_data(as_text=True)
    assert f'href="{path}"' in ready and "Dana Okafor with Grace Ho" in ready
    preview = coordinator.get(path).get_data(as_text=True)
    assert "<strong>3.5</strong>" in preview and "Issue 2 certificates" in preview  # 2 + 1.5 meeting hours
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CeCertificate)) == 0
    done = coordinator.post(path, data={"confirm": "y", "planned": "completion"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "2 certificates issued: MM-" in html and html.count("<th scope=\"row\"><a href=\"/certificates/MM-") == 2
    again = coordinator.post(path, data={"confirm": "y", "planned": "completion"}).get_data(as_text=True)
    assert "Nobody qualifies" in again and "Already certified" in again
    assert "CE certificate issued" in coordinator.get("/coordinator/audit").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CeCertificate)) == 2


def test_a_period_is_issued_only_for_the_dates_shown(app):
    with app.app_context():
        coordinator = make_user("coordinator").email
        agreement = agreed(start_days_ago=100, length=300)
        meet(agreement, 90, 60)
        agreement_id = agreement.id
    client = client_for(app, coordinator)
    client.post("/coordinator/certificates/policy", data=POLICY_FORM)
    path = f"/coordinator/certificates/issue/{agreement_id}"
    start, end = (TODAY - timedelta(days=100)).isoformat(), (TODAY - timedelta(days=10)).isoformat()
    empty = client.post(path, data={}).get_data(as_text=True)
    assert empty.count("Enter the date.") == 2
    future = client.post(path, data={"period_start": start, "period_end": TODAY.isoformat()}).get_data(as_text=True)
    assert "fully in the past" in future
    shown = client.post(path, data={"period_start": start, "period_end": end}).get_data(as_text=True)
    assert f'name="planned" value="{start}:{end}"' in shown and "<strong>1</strong>" in shown
    moved = client.post(path, data={"period_start": start, "period_end": end, "confirm": "y",
                                    "planned": f"{start}:{TODAY - timedelta(days=20)}"}).get_data(as_text=True)
    assert "The dates changed" in moved
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CeCertificate)) == 0
    assert client.post(path, data={"period_start": start, "period_end": end, "confirm": "y",
                                   "planned": f"{start}:{end}"}).status_code == 302


def test_another_program_s_coordinator_cannot_issue_or_read(app, issued):
    with app.app_context():
        other = make_user("coordinator", program=make_program("Elsewhere")).email
    client = client_for(app, other)
    assert client.get(f"/coordinator/certificates/issue/{issued['agreement']}").status_code == 404
    assert client.post(f"/coordinator/certificates/issue/{issued['agreement']}", data={"confirm": "y"}).status_code == 404
    assert client.get(f"/certificates/{issued['number']}").status_code == 404
    assert client.get(f"/certificates/{issued['number']}.pdf").status_code == 404
    assert issued["number"] not in client.get("/coordinator/certificates/").get_data(as_text=True)


# --- the holder's side -----------------------------------------------------------------------------

def test_a_holder_sees_their_certificates_and_nobody_else_s(app, issued):
    mentee = client_for(app, issued["mentee"])
    mine = mentee.get("/certificates/").get_data(as_text=True)
    assert issued["number"] in mine and mine.count("/certificates/MM-") == 2  # Open and PDF of one certificate
    mentor = client_for(app, issued["mentor"])
    assert issued["number"] not in mentor.get("/certificates/").get_data(as_text=True)
    assert mentor.get(f"/certificates/{issued['number']}").status_code == 404
    assert mentor.get(f"/certificates/{issued['number']}.pdf").status_code == 404
    anonymous = app.test_client().get(f"/certificates/{issued['number']}")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")


def test_the_print_view_has_no_navigation_or_forms_and_its_styles_inlined(app, issued):
    response = client_for(app, issued["mentee"]).get(f"/certificates/{issued['number']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _is_print_view(html) and _style_allowed(response)
    for shown in ("Dana Okafor", "Structured lab mentoring", "Riverside General Hospital Laboratory", "3.5",
                  "Pat Quinn", "Laboratory Education Coordinator", issued["number"],
                  f"http://127.0.0.1:5000/verify/{issued['number']}"):
        assert shown in html, shown


def test_the_pdf_carries_every_field_and_the_verification_address(app, issued):
    response = client_for(app, issued["mentee"]).get(f"/certificates/{issued['number']}.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="ce-certificate-{issued["number"]}.pdf"'
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    words = " ".join(reader.pages[0].extract_text().split())
    start, end = TODAY - timedelta(days=60), TODAY
    for shown in ("Certificate of Continuing Education", "Dana Okafor", "as mentee",
                  "Structured lab mentoring", f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}",
                  "Provider: Riverside General Hospital Laboratory", "Contact hours awarded: 3.5", "Pat Quinn",
                  "Laboratory Education Coordinator", f"Certificate number {issued['number']}",
                  f"http://127.0.0.1:5000/verify/{issued['number']}"):
        assert shown in words, shown
    assert reader.metadata.title == f"CE certificate {issued['number']}"


def test_the_activity_record_is_a_print_view_that_works_offline(app, issued):
    client = client_for(app, issued["mentee"])
    response = client.get(f"/agreements/{issued['agreement']}/record")
    html = response.get_data(as_text=True)
    assert _is_print_view(html) and _style_allowed(response)
    assert "1.5 hours in total (90 minutes)" in html and "Test program" in html
    download = client.get(f"/agreements/{issued['agreement']}/record?download=1")
    assert "attachment" in download.headers["Content-Disposition"] and _is_print_view(download.get_data(as_text=True))


def test_the_rest_of_the_site_keeps_its_strict_csp(app, issued):
    response = client_for(app, issued["mentee"]).get("/certificates/")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "style-src 'self';" in CONTENT_SECURITY_POLICY


# --- verification ----------------------------------------------------------------------------------

def test_a_valid_number_shows_the_certificate_and_nothing_more_to_anyone(app, issued):
    response = app.test_client().get(f"/verify/{issued['number']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Certificate {issued['number']} is valid" in html
    assert "Dana Okafor" in html and "Structured lab mentoring" in html and "3.5" in html
    assert issued["mentee"] not in html and "Grace Ho" not in html
    assert not re.search(r"[\w.]+@[\w.]+", html)  # no email address
    assert _is_print_view(html) and _style_allowed(response)


def test_an_unknown_number_is_not_found(app, issued):
    response = app.test_client().get("/verify/MM-2026-AAAAAAAA")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "No certificate with this number" in html and "Dana" not in html


@pytest.mark.skipif(on_postgres(), reason="PostgreSQL's trigger refuses the UPDATE (tests/services/test_certificates.py)")
def test_an_altered_record_does_not_verify_and_shows_nothing_as_valid(app, issued):
    with app.app_context():
        db.session.execute(text("UPDATE ce_certificates SET participant_name = 'Mallory Forger' WHERE number = :n"),
                           {"n": issued["number"]})
        db.session.commit()
    response = app.test_client().get(f"/verify/{issued['number']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "This certificate does not verify" in html
    assert "Mallory Forger" not in html and "is valid" not in html
    holder = client_for(app, issued["mentee"])
    assert "does not verify" in holder.get(f"/certificates/{issued['number']}").get_data(as_text=True)
    assert holder.get(f"/certificates/{issued['number']}.pdf").status_code == 409


@pytest.fixture
def limited(app):
    """An app on the test database with the verification limit at 3 a minute (limits on; reset after)."""
    built = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "test-secret-key", "WTF_CSRF_ENABLED": False,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
                        "VERIFY_RATE_LIMIT": "3 per minute"})
    limiter.reset()
    yield built
    limiter.reset()
    limiter.enabled = False
    with built.app_context():
        db.session.remove()
        db.engine.dispose()


def test_verification_is_rate_limited_per_address(limited, issued):
    client = limited.test_client()
    statuses = [client.get(f"/verify/MM-2026-AAAAAAA{n}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
                for n in range(2, 6)]
    assert statuses == [404, 404, 404, 429]
    assert client.get(f"/verify/{issued['number']}", environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code == 200
