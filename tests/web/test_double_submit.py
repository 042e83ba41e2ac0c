"""A form sent twice (a double click, a browser resending) saves once and shows the same result."""

from __future__ import annotations

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import AgreementGoal, Meeting
from tests.factories import make_pair
from tests.web.test_agreements import TODAY, client_for, confirm_terms

def key_on(page: str) -> str:
    found = re.search(r'<input[^>]*name="submission_key"[^>]*>', page)
    assert found, "the form renders no submission key"
    return re.search(r'value="([^"]+)"', found.group(0)).group(1)


def count(app, model, agreement_id: int) -> int:
    with app.app_context():
        found = db.session.scalar(db.select(db.func.count()).select_from(model)
                                  .where(model.agreement_id == agreement_id))
        db.session.remove()
    return found


@pytest.fixture
def agreed(app):
    """The mentee's logged-in client and the id of an agreement with confirmed terms."""
    with app.app_context():
        match = make_pair()
        mentee_email, agreement_id = match.mentee.email, match.agreement.id
        db.session.remove()
    confirm_terms(app, agreement_id)
    return client_for(app, mentee_email), agreement_id


def test_a_meeting_form_sent_twice_logs_one_meeting_and_answers_both_alike(app, agreed):
    mentee, agreement_id = agreed
    page = mentee.get(f"/agreements/{agreement_id}/meetings/new").get_data(as_text=True)
    form = {"held_on": TODAY.isoformat(), "duration_minutes": "45", "mode": "virtual",
            "topics": ["specialty:hematology"], "shared_notes": "QC charts", "submission_key": key_on(page)}
    first = mentee.post(f"/agreements/{agreement_id}/meetings/new", data=form)
    second = mentee.post(f"/agreements/{agreement_id}/meetings/new", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, Meeting, agreement_id) == 1
    # A new visit to the form is a new meeting.
    again = mentee.get(f"/agreements/{agreement_id}/meetings/new").get_data(as_text=True)
    assert key_on(again) != form["submission_key"]
    mentee.post(f"/agreements/{agreement_id}/meetings/new", data={**form, "submission_key": key_on(again)})
    assert count(app, Meeting, agreement_id) == 2


def test_a_goal_form_sent_twice_adds_one_goal(app, agreed):
    mentee, agreement_id = agreed
    page = mentee.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    form = {"description": "Pass the SH exam", "submission_key": key_on(page)}
    codes = [mentee.post(f"/agreements/{agreement_id}/goals", data=form).status_code for _ in range(2)]
    assert codes == [302, 302]
    assert count(app, AgreementGoal, agreement_id) == 1
