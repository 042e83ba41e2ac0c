"""What an error leaves in the server log: enough to find the fault, never what someone submitted.

A private note reached the log once: a unique violation was logged with the
statement's parameters. The engine hides parameters (config
``hide_parameters``) and the error handlers describe database errors by
statement and constraint only, and cut submitted values out of other messages.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from flask import request
from sqlalchemy.exc import IntegrityError

from mentormatch.app import create_app
from mentormatch.extensions import db
from mentormatch.models import Meeting, PrivateNote

SECRET = "I find the night shift lead hard to approach"


def bad_meeting(notes: str) -> Meeting:
    """A meeting the database refuses: 1 minute breaks its duration check (and no such agreement exists)."""
    return Meeting(agreement_id=987654, held_on=date(2027, 1, 4), duration_minutes=1, mode="virtual",
                   topics=[], shared_notes=notes)


@pytest.fixture
def failing_app(app):
    """An app on the test database with two routes that fail on what is posted to them."""
    failing = create_app({
        "MENTORMATCH_ENV": "testing", "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
    })

    @failing.post("/test/refused-by-the-database")
    def refused():
        db.session.add(bad_meeting(request.form["notes"]))
        db.session.flush()
        return "saved"

    @failing.post("/test/crash")
    def crash():
        return str(int(request.form["notes"]))  # ValueError quoting the value

    yield failing
    with failing.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_database_error_raised_by_the_engine_does_not_carry_its_parameters(app_ctx):
    # No such meeting or author: a foreign-key violation, whose message quotes neither the note nor the row.
    db.session.add(PrivateNote(meeting_id=987654, author_id=987654, text=SECRET))
    with pytest.raises(IntegrityError) as raised:
        db.session.flush()
    db.session.rollback()
    assert "parameters hidden" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_a_logged_database_error_names_the_statement_but_not_the_submitted_value(failing_app, caplog):
    with caplog.at_level(logging.INFO):
        response = failing_app.test_client().post("/test/refused-by-the-database", data={"notes": SECRET})
    assert response.status_code == 409
    assert "Changed at the same moment" in response.get_data(as_text=True)
    assert "IntegrityError" in caplog.text and "INSERT INTO meetings" in caplog.text
    assert SECRET not in caplog.text


def test_a_logged_crash_keeps_its_traceback_but_not_the_submitted_value(failing_app, caplog):
    with caplog.at_level(logging.INFO):
        response = failing_app.test_client().post("/test/crash", data={"notes": SECRET})
    assert response.status_code == 500
    assert "ValueError" in caplog.text and "int(request.form" in caplog.text
    assert SECRET not in caplog.text
