"""A database that restarts or cannot be reached gets a 'try again' page, never a stack trace."""

from __future__ import annotations

import psycopg
import pytest

from mentormatch.app import create_app
from mentormatch.extensions import db
from tests.factories import make_pair


def cut_every_pooled_connection(app) -> None:
    """What a database restart does to the app: every connection in its pool dies."""
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.mark.postgres_only
def test_a_page_that_meets_a_dropped_connection_asks_to_retry_and_the_next_one_works(app, login, client):
    with app.app_context():
        mentee_email = make_pair().mentee.email
        db.session.remove()
    login(mentee_email)
    assert client.get("/matches/").status_code == 200
    cut_every_pooled_connection(app)
    first = client.get("/matches/")  # takes a dead connection from the pool (no pre-ping)
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert "nothing was saved" in first.get_data(as_text=True)
    assert "Traceback" not in first.get_data(as_text=True)
    assert client.get("/matches/").status_code == 200  # the pool was discarded: fresh connections


def test_an_unreachable_database_gets_a_try_again_page_not_a_stack_trace():
    app = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      # Nothing listens on port 9 (discard) here: the connection is refused.
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"})
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "whatever"})
    with client.session_transaction() as session:  # a logged-in session: loading its user cannot connect either
        session.update({"_user_id": "1", "_fresh": True, "csrf_token": "a" * 40})
    home = client.get("/home")
    for answer in (response, home):
        assert answer.status_code == 503
        page = answer.get_data(as_text=True)
        assert "nothing was saved" in page
        assert "secret" not in page and "Traceback" not in page and "psycopg" not in page
