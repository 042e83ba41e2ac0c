"""Helpers for web tests of cached pages: logged-in clients, rendered templates, a database outage."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from flask import template_rendered

from mentormatch.extensions import db
from tests.factories import PASSWORD


@contextmanager
def rendered(app):
    """The names of the templates rendered inside the block."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def logged_in(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    client.get("/home")  # shows (and so clears) any flash message of the login
    return client


def cut_every_pooled_connection(app) -> None:
    """What a database restart does to the app: every connection in its pool dies."""
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
