"""The schedule pages: a time typed in the proposer's zone, shown in each viewer's; confirm, move, cancel, log."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mentormatch.app import create_app
from mentormatch.extensions import db
from mentormatch.models import Agreement, Meeting, OutboxEmail, ScheduledMeeting
from mentormatch.models.user import utcnow
from mentormatch.services import agreements, matches
from mentormatch.services.agreements import ProposalInput, TermsInput
from tests.factories import PASSWORD, default_program, make_user

NEW_YORK = ZoneInfo("America/New_York")
DAY = (utcnow() + timedelta(days=10)).astimezone(NEW_YORK).date()
AT_NINE_IN_NEW_YORK = datetime.combine(DAY, time(9, 0), tzinfo=NEW_YORK).astimezone(timezone.utc)


@pytest.fixture
def pair(app):
    """Dana (New York) and Grace (Los Angeles), terms confirmed: (mentee email, mentor email, agreement id)."""
    with app.app_context():
        mentee = make_user("mentee", name="Dana Okafor", time_zone="America/New_York")
        mentor = make_user("mentor", name="Grace Ho", time_zone="America/Los_Angeles")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        today = agreements.today()
        version = agreements.propose_terms(match.agreement, mentee, TermsInput(
            "monthly", "virtual", today - timedelta(days=5), today + timedelta(days=170), ["specialty:hematology"]))
        agreements.confirm_terms(match.agreement, mentor, version.number)
        found = mentee.email, mentor.email, match.agreement.id
        db.session.remove()
    return found


def client_for(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def proposal_form(**overrides) -> dict:
    data = {"day": DAY.isoformat(), "start": "09:00", "duration_minutes": "60", "mode": "virtual",
            "location": "https://meet.example.org/dana-grace", "note": "Bring the QC charts."}
    data.update(overrides)
    return data


def only_meeting(app) -> ScheduledMeeting:
    with app.app_context():
        meeting = db.session.scalar(db.select(ScheduledMeeting))
        db.session.expunge_all()
        db.session.remove()
    return meeting


def test_the_form_names_the_proposers_zone_and_the_time_is_stored_in_utc(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    dana = client_for(app, mentee_email)
    page = dana.get(f"/agreements/{agreement_id}/schedule/new").get_data(as_text=True)
    assert "Date (America/New_York time)" in page and "Start time (America/New_York time)" in page
    response = dana.post(f"/agreements/{agreement_id}/schedule/new", data=proposal_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agreements/{agreement_id}#schedule")
    meeting = only_meeting(app)
    assert meeting.starts_at.replace(tzinfo=timezone.utc) == AT_NINE_IN_NEW_YORK
    seen_by_dana = dana.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "09:00 E" in seen_by_dana and "waiting for Grace Ho to confirm" in seen_by_dana
    assert "Confirm this time" not in seen_by_dana
    grace = client_for(app, mentor_email)
    seen_by_grace = grace.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "06:00 P" in seen_by_grace and "Confirm this time" in seen_by_grace
    assert "waiting for you to confirm" in seen_by_grace


def test_a_time_in_the_past_is_refused_with_the_form_kept(app, pair):
    mentee_email, _, agreement_id = pair
    yesterday = (utcnow() - timedelta(days=1)).astimezone(NEW_YORK).date().isoformat()
    response = client_for(app, mentee_email).post(f"/agreements/{agreement_id}/schedule/new",
                                                  data=proposal_form(day=yesterday, note="Keep me"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "That time has already passed" in page
    assert f'value="{yesterday}"' in page and "Keep me" in page
    assert only_meeting(app) is None


def test_a_video_link_must_be_a_web_address(app, pair):
    mentee_email, _, agreement_id = pair
    response = client_for(app, mentee_email).post(f"/agreements/{agreement_id}/schedule/new",
                                                  data=proposal_form(location="javascript:alert(1)"))
    assert response.status_code == 400 and "A video link starts with https://" in response.get_data(as_text=True)


def test_confirm_then_another_time_then_cancel_through_the_pages(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    dana, grace = client_for(app, mentee_email), client_for(app, mentor_email)
    dana.post(f"/agreements/{agreement_id}/schedule/new", data=proposal_form())
    meeting = only_meeting(app)
    base = f"/agreements/{agreement_id}/schedule/{meeting.id}"
    assert dana.post(f"{base}/confirm", data={"sequence": "0"}).status_code == 302
    assert only_meeting(app).status == "proposed"  # the proposer cannot confirm
    grace.post(f"{base}/confirm", data={"sequence": "0"})
    assert only_meeting(app).status == "confirmed"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)
                                 .where(OutboxEmail.calendar.like("%METHOD:REQUEST%"))) == 2
        db.session.remove()
    form = grace.get(f"{base}/move").get_data(as_text=True)
    assert 'value="06:00"' in form  # the current time, in Grace's zone
    grace.post(f"{base}/move", data=proposal_form(start="07:00", location="", mode="virtual"))
    moved = only_meeting(app)
    assert (moved.status, moved.sequence, moved.uid) == ("proposed", 1, meeting.uid)
    question = dana.get(f"{base}/cancel")
    assert question.status_code == 200 and "Yes, cancel the meeting" in question.get_data(as_text=True)
    assert only_meeting(app).status == "proposed"  # asking changes nothing
    dana.post(f"{base}/cancel")
    assert only_meeting(app).status == "cancelled"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)
                                 .where(OutboxEmail.calendar.like("%METHOD:CANCEL%"))) == 2
        db.session.remove()
    page = dana.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "No upcoming meeting on the schedule." in page and "Propose a meeting" in page


def test_a_meeting_past_its_end_is_logged_as_held_in_one_click(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        meeting = agreements.propose_meeting(agreement, agreement.match.mentee, ProposalInput(
            utcnow() + timedelta(hours=1), 30, "in_person", "Core lab"))
        meeting.starts_at = utcnow() - timedelta(hours=2)  # the time has passed since
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
    grace = client_for(app, mentor_email)
    page = grace.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "Past meetings not logged yet" in page and "Log as held" in page
    first = grace.post(f"/agreements/{agreement_id}/schedule/{meeting_id}/held")
    second = grace.post(f"/agreements/{agreement_id}/schedule/{meeting_id}/held")
    assert first.headers["Location"] == second.headers["Location"]
    assert re.search(r"#meeting-\d+$", first.headers["Location"])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
        db.session.remove()
    assert only_meeting(app).status == "held"


def test_coordinators_look_but_do_not_act_and_others_do_not_see(app, pair):
    _, _, agreement_id = pair
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        meeting_id = agreements.propose_meeting(agreement, agreement.match.mentee, ProposalInput(
            AT_NINE_IN_NEW_YORK, 60, "virtual")).id
        coordinator, outsider = make_user("coordinator").email, make_user("mentee").email
        db.session.remove()
    watcher = client_for(app, coordinator)
    page = watcher.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert 'id="schedule"' in page and "Confirm this time" not in page and "Propose a meeting" not in page
    stranger = client_for(app, outsider)
    base = f"/agreements/{agreement_id}/schedule"
    for method, path in (("GET", "/new"), ("POST", "/new"), ("GET", f"/{meeting_id}/move"),
                         ("POST", f"/{meeting_id}/move"), ("POST", f"/{meeting_id}/confirm"),
                         ("GET", f"/{meeting_id}/cancel"), ("POST", f"/{meeting_id}/cancel"),
                         ("POST", f"/{meeting_id}/held")):
        assert watcher.open(base + path, method=method).status_code == 403, path
        assert stranger.open(base + path, method=method).status_code == 404, path
    assert only_meeting(app).status == "proposed"


def test_a_scheduled_meeting_of_another_agreement_is_a_404(app, pair):
    mentee_email, _, agreement_id = pair
    with app.app_context():
        mentee, mentor = make_user("mentee"), make_user("mentor")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        other_id = agreements.propose_meeting(match.agreement, mentee, ProposalInput(
            AT_NINE_IN_NEW_YORK, 60, "virtual", kickoff=True)).id
        db.session.remove()
    dana = client_for(app, mentee_email)
    assert dana.get(f"/agreements/{agreement_id}/schedule/{other_id}/move").status_code == 404
    confirm = dana.post(f"/agreements/{agreement_id}/schedule/{other_id}/confirm", data={"sequence": "0"})
    assert confirm.status_code == 404


def test_a_kickoff_is_logged_before_terms_from_the_log_form(app):
    with app.app_context():
        mentee, mentor = make_user("mentee"), make_user("mentor")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        email, agreement_id = mentee.email, match.agreement.id
        db.session.remove()
    client = client_for(app, email)
    page = client.get(f"/agreements/{agreement_id}/meetings/new").get_data(as_text=True)
    assert "This was our kick-off meeting" in page and "only your kick-off meeting" in page
    today = agreements.today().isoformat()
    refused = client.post(f"/agreements/{agreement_id}/meetings/new",
                          data={"held_on": today, "duration_minutes": "45", "mode": "virtual"})
    assert refused.status_code == 400 and "only your kick-off meeting" in refused.get_data(as_text=True)
    logged = client.post(f"/agreements/{agreement_id}/meetings/new",
                         data={"held_on": today, "duration_minutes": "45", "mode": "virtual", "kickoff": "y"})
    assert logged.status_code == 302
    assert "Kick-off meeting" in client.get(f"/agreements/{agreement_id}").get_data(as_text=True)


def test_the_demo_mailbox_shows_and_serves_the_attached_invitation(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        meeting = agreements.propose_meeting(agreement, agreement.match.mentee, ProposalInput(
            AT_NINE_IN_NEW_YORK, 60, "virtual"))
        agreements.confirm_meeting(agreement, agreement.match.mentor, meeting.id, 0)
        email_id = db.session.scalar(db.select(OutboxEmail.id).where(OutboxEmail.recipient == mentor_email,
                                                                     OutboxEmail.calendar.is_not(None)))
        db.session.remove()
    dev = create_app({"MENTORMATCH_ENV": "testing", "DEV_MAILBOX": True, "SECRET_KEY": "test-secret-key",
                      "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                      "QUEUE_URL": app.config["QUEUE_URL"]}).test_client()
    assert "Invitation" in dev.get("/dev/mailbox/").get_data(as_text=True)
    page = dev.get(f"/dev/mailbox/{email_id}").get_data(as_text=True)
    assert "Calendar invitation attached" in page and f"/dev/mailbox/{email_id}/invite.ics" in page
    download = dev.get(f"/dev/mailbox/{email_id}/invite.ics")
    assert download.mimetype == "text/calendar" and b"METHOD:REQUEST" in download.data
    assert "invite.ics" in download.headers["Content-Disposition"]
    assert dev.get("/dev/mailbox/999999/invite.ics").status_code == 404
