"""Agreement pages: proposing and confirming terms, meetings, private notes, closing, downloads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from mentormatch.extensions import db
from mentormatch.models import Agreement, Match, MatchStatus
from mentormatch.services import agreements
from mentormatch.services.agreements import MeetingInput, TermsInput
from tests.factories import PASSWORD, make_pair, make_user

TODAY = agreements.today()
SECRET = "I find the night shift lead hard to approach."


@pytest.fixture
def pair(app):
    """An active mentee and mentor with a draft agreement: (mentee, mentor, agreement_id) as ids/emails."""
    with app.app_context():
        match = make_pair()
        found = (match.mentee.email, match.mentor.email, match.agreement.id)
        db.session.remove()
    return found


def confirm_terms(app, agreement_id: int, **overrides) -> None:
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        mentee, mentor = agreement.match.mentee, agreement.match.mentor
        values = dict(frequency="biweekly", mode="virtual", start_date=TODAY - timedelta(days=20),
                      end_date=TODAY + timedelta(days=160), topics=["specialty:hematology", "text:QC charts"])
        values.update(overrides)
        version = agreements.propose_terms(agreement, mentee, TermsInput(**values))
        agreements.confirm_terms(agreement, mentor, version.number)
        db.session.remove()


def client_for(app, email: str):
    other = app.test_client()
    assert other.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return other


def terms_form(**overrides) -> dict:
    data = {"frequency": "monthly", "mode": "virtual", "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=182)).isoformat(), "specialty_topics": ["hematology"],
            "goal_topics": ["certification"], "other_topics": "Lab safety audits, Night shift handover",
            "expectations": "Agenda a day ahead."}
    data.update(overrides)
    return data


def test_terms_proposed_by_one_side_are_confirmed_by_the_other_through_the_pages(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    mentee, mentor = client_for(app, mentee_email), client_for(app, mentor_email)
    url = f"/agreements/{agreement_id}"
    form_page = mentee.get(url + "/terms").get_data(as_text=True)
    assert 'value="monthly" selected' in form_page or 'selected value="monthly"' in form_page
    response = mentee.post(url + "/terms", data=terms_form())
    assert response.status_code == 302
    page = mentee.get(url).get_data(as_text=True)
    assert "Waiting for Grace Ho to confirm" in page and "No terms are agreed yet" in page
    page = mentor.get(url).get_data(as_text=True)
    assert "Confirm these terms" in page and "Lab safety audits" in page
    mentor.post(url + "/confirm", data={"number": "1"})
    page = mentor.get(url).get_data(as_text=True)
    assert "Agreed terms" in page and "Monthly, virtual" in page and "On track" in page
    assert "confirmed by Grace Ho" in page
    home = mentee.get("/home").get_data(as_text=True)
    assert "Grace Ho" in home and "Next meeting due in 30 days" in home


def test_a_bad_date_is_explained_beside_its_field_and_the_rest_is_kept(app, pair, client, login):
    mentee_email, _, agreement_id = pair
    login(mentee_email)
    response = client.post(f"/agreements/{agreement_id}/terms",
                           data=terms_form(end_date=(TODAY - timedelta(days=1)).isoformat()))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The planned end date must be after the start date." in page
    assert 'value="Lab safety audits, Night shift handover"' in page and "Agenda a day ahead." in page
    response = client.post(f"/agreements/{agreement_id}/terms", data=terms_form(
        specialty_topics=[], goal_topics=[], other_topics=""))
    assert response.status_code == 400 and "Choose at least one topic." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, agreement_id).versions == []


def test_a_private_note_never_reaches_the_other_party_or_a_coordinator(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    confirm_terms(app, agreement_id)
    mentee, mentor = client_for(app, mentee_email), client_for(app, mentor_email)
    coordinator = client_for(app, _coordinator_email(app))
    response = mentee.post(f"/agreements/{agreement_id}/meetings/new", data={
        "held_on": TODAY.isoformat(), "duration_minutes": "45", "mode": "virtual",
        "topics": ["specialty:hematology"], "shared_notes": "Reviewed the QC plan.", "private_note": SECRET})
    assert response.status_code == 302
    assert SECRET in mentee.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    for other in (mentor, coordinator):
        for path in ("", "/record", "/calendar.ics"):
            body = other.get(f"/agreements/{agreement_id}{path}").get_data(as_text=True)
            assert SECRET not in body
        assert "Reviewed the QC plan." in other.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert SECRET not in mentee.get(f"/agreements/{agreement_id}/record").get_data(as_text=True)


def test_a_meeting_in_the_future_is_refused_with_the_form_kept(app, pair, client, login):
    mentee_email, _, agreement_id = pair
    confirm_terms(app, agreement_id)
    login(mentee_email)
    response = client.post(f"/agreements/{agreement_id}/meetings/new", data={
        "held_on": (TODAY + timedelta(days=1)).isoformat(), "duration_minutes": "481", "mode": "virtual",
        "topics": ["text:QC charts"], "shared_notes": "Keep me"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A meeting date cannot be in the future." in page and "A meeting lasts from 5 to 480 minutes." in page
    assert "Keep me" in page and 'value="481"' in page


def test_before_confirmed_terms_only_the_kickoff_meeting_is_logged(app, pair, client, login):
    mentee_email, _, agreement_id = pair
    login(mentee_email)
    response = client.get(f"/agreements/{agreement_id}/meetings/new")
    assert response.status_code == 200 and "only your kick-off meeting" in response.get_data(as_text=True)


def _coordinator_email(app) -> str:
    with app.app_context():
        email = make_user("coordinator").email
        db.session.remove()
    return email


def test_people_outside_the_pair_get_404_and_coordinators_only_read(app, pair, person, login, client):
    _, _, agreement_id = pair
    confirm_terms(app, agreement_id)
    login(person("mentor"))
    for path in ("", "/record", "/calendar.ics"):
        assert client.get(f"/agreements/{agreement_id}{path}").status_code == 404
    for path in ("/terms", "/confirm", "/goals", "/goals/1", "/end", "/feedback", "/meetings/new",
                 "/meetings/1/note"):
        assert client.post(f"/agreements/{agreement_id}{path}").status_code == 404, path
    coordinator = client_for(app, _coordinator_email(app))
    assert coordinator.get(f"/agreements/{agreement_id}").status_code == 200
    assert coordinator.get(f"/agreements/{agreement_id}/terms").status_code == 403
    assert coordinator.post(f"/agreements/{agreement_id}/meetings/new").status_code == 403


def test_the_calendar_download_is_an_ics_file_of_the_agreed_schedule(app, pair, client, login):
    mentee_email, _, agreement_id = pair
    login(mentee_email)
    assert client.get(f"/agreements/{agreement_id}/calendar.ics").status_code == 302  # nothing agreed yet
    confirm_terms(app, agreement_id)
    response = client.get(f"/agreements/{agreement_id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    rule = Calendar.from_ical(response.data).walk("VEVENT")[0]["RRULE"]
    assert (rule["FREQ"], rule["INTERVAL"]) == (["WEEKLY"], [2])


def test_goals_are_added_and_updated_by_either_party(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    mentee, mentor = client_for(app, mentee_email), client_for(app, mentor_email)
    response = mentee.post(f"/agreements/{agreement_id}/goals", data={"description": ""})
    assert response.status_code == 400 and "Describe the goal." in response.get_data(as_text=True)
    mentee.post(f"/agreements/{agreement_id}/goals", data={"description": "Pass the ASCP SH exam",
                                                           "target_date": (TODAY + timedelta(days=90)).isoformat()})
    with app.app_context():
        goal_id = db.session.get(Agreement, agreement_id).goals[0].id
    mentor.post(f"/agreements/{agreement_id}/goals/{goal_id}", data={"status": "achieved"})
    page = mentee.get(f"/agreements/{agreement_id}/record").get_data(as_text=True)
    assert "Pass the ASCP SH exam" in page
    stranger_goal = f"/agreements/{agreement_id}/goals/{goal_id + 999}"
    assert mentor.post(stranger_goal, data={"status": "achieved"}).status_code == 404


def test_the_activity_record_lists_meetings_hours_and_downloads(app, pair, client, login):
    mentee_email, _, agreement_id = pair
    confirm_terms(app, agreement_id)
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        for days, minutes in ((10, 60), (3, 30)):
            agreements.log_meeting(agreement, agreement.match.mentee, MeetingInput(
                TODAY - timedelta(days=days), minutes, "in_person", ["text:QC charts"], "shared words"))
        db.session.remove()
    login(mentee_email)
    response = client.get(f"/agreements/{agreement_id}/record")
    page = response.get_data(as_text=True)
    assert "Dana Okafor" in page and "Grace Ho" in page and "2, 1.5 hours in total (90 minutes)" in page
    assert "QC charts" in page and "shared words" not in page
    download = client.get(f"/agreements/{agreement_id}/record?download=1")
    assert re.search(r'attachment; filename="activity-record-\d+\.html"', download.headers["Content-Disposition"])


def test_a_coordinator_ends_the_agreement_and_reads_both_parties_feedback(app, pair):
    mentee_email, mentor_email, agreement_id = pair
    confirm_terms(app, agreement_id)
    coordinator = client_for(app, _coordinator_email(app))
    response = coordinator.post(f"/agreements/{agreement_id}/end", data={"note": "x"})
    assert response.status_code == 400 and "Choose why the agreement ends." in response.get_data(as_text=True)
    coordinator.post(f"/agreements/{agreement_id}/end", data={"reason": "schedule", "note": "Shift change"})
    with app.app_context():
        assert db.session.scalar(db.select(Match.status).join(Agreement)
                                 .where(Agreement.id == agreement_id)) == MatchStatus.ENDED
    mentee, mentor = client_for(app, mentee_email), client_for(app, mentor_email)
    assert "Ended on" in mentee.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    mentee.post(f"/agreements/{agreement_id}/feedback", data={"rating": "5", "comment": "Very helpful"})
    mentor.post(f"/agreements/{agreement_id}/feedback", data={"rating": "4"})
    response = mentor.post(f"/agreements/{agreement_id}/feedback", data={"rating": "9"})
    assert response.status_code == 400
    page = coordinator.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "Dana Okafor</strong>: 5 out of 5" in page and "Very helpful" in page
    assert "Grace Ho</strong>: 4 out of 5" in page
    assert "Very helpful" not in mentor.get(f"/agreements/{agreement_id}").get_data(as_text=True)


def test_the_active_match_page_links_to_its_agreement(app, pair, client, login):
    mentee_email, _, agreement_id = pair
    login(mentee_email)
    with app.app_context():
        match_id = db.session.get(Agreement, agreement_id).match_id
    assert f'href="/agreements/{agreement_id}"' in client.get(f"/matches/{match_id}").get_data(as_text=True)


def test_an_agreement_is_reached_by_its_pair_from_any_program_and_not_by_another_programs_coordinator(app, pair):
    from mentormatch.models import User
    from mentormatch.web.access import PROGRAM_KEY
    from tests.factories import join, make_program

    mentee_email, _, agreement_id = pair
    with app.app_context():
        other = make_program("Supervisor and leadership track")
        mentee = db.session.scalar(db.select(User).where(User.email == mentee_email))
        join(mentee, "mentor", other)  # the mentee mentors in another program
        outsider = make_user("coordinator", program=other).email
        other_id = other.id
        db.session.remove()
    mentee_client = client_for(app, mentee_email)
    with mentee_client.session_transaction() as session:
        session[PROGRAM_KEY] = other_id  # working in the other program now
    assert mentee_client.get(f"/agreements/{agreement_id}").status_code == 200
    assert mentee_client.get(f"/agreements/{agreement_id}/terms").status_code == 200
    stranger = client_for(app, outsider)
    assert stranger.get(f"/agreements/{agreement_id}").status_code == 404
    assert stranger.post(f"/agreements/{agreement_id}/end", data={"reason": "other"}).status_code == 404
