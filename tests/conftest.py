"""Shared fixtures: an app on a migrated test database, clients, people.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL``
names another (scripts/test points it at a throwaway PostgreSQL server).
The schema is built by the real migrations, so every run also tests them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from mentormatch.app import create_app
from mentormatch.extensions import db, queue
from tests.factories import PASSWORD, make_user
from tests.outbox import Outbox


def in_ci() -> bool:
    """CI sets CI=true; there a missing browser or database fails instead of skipping."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def on_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only are deselected (not skipped) in the SQLite pass;
    scripts/test runs them in its PostgreSQL pass."""
    if on_postgres():
        return
    chosen = [item for item in items if item.get_closest_marker("postgres_only") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
        items[:] = chosen


@pytest.fixture(scope="session")
def _app(tmp_path_factory) -> Flask:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app({
        "MENTORMATCH_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        # scrypt costs ~50 ms a hash; tests create hundreds of users.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # The task queue: a SQLite file here, Redis in scripts/test's PostgreSQL pass. Nothing
        # consumes it unless a test starts a worker (tests/tasks).
        "QUEUE_URL": os.environ.get("TEST_QUEUE_URL") or f"sqlite:///{tmp_path_factory.mktemp('queue') / 'queue.db'}",
        # Flask-Limiter's store (limits are off unless a test turns them on): Redis in the PostgreSQL pass.
        "RATELIMIT_STORAGE_URI": os.environ.get("TEST_RATELIMIT_STORAGE_URI", "memory://"),
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()  # an idle transaction would block DROP on PostgreSQL
        downgrade(revision="base")


@pytest.fixture
def app(_app: Flask) -> Flask:
    """The app, with every table emptied after the test."""
    yield _app
    _app.config["WTF_CSRF_ENABLED"] = False
    _app.config["CLOCK"] = None  # a test that drove the scheduler's clock gives it back
    with _app.app_context():
        db.session.remove()
        queue.flush()  # tasks the test queued and nobody ran
        tables = list(reversed(db.metadata.sorted_tables))
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            with db.engine.begin() as conn:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def app_ctx(app: Flask):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    """The emails use cases have queued, read from the outbox (``outbox.clear()`` starts afresh)."""
    return Outbox(app)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@dataclass(frozen=True)
class Person:
    """What a web test needs to know about someone it created."""

    id: int
    email: str
    role: str  # the side in the program made with them, or "coordinator" / "admin"


@pytest.fixture
def person(app: Flask):
    """Factory: ``person("mentor", profile=True, email=...)`` creates a user outside any request."""

    def create(role: str = "mentee", **kwargs) -> Person:
        with app.app_context():
            user = make_user(role, **kwargs)
            found = Person(user.id, user.email, role)
            db.session.remove()
        return found

    return create


@pytest.fixture
def login(client):
    """Log ``client`` in as a Person (or an email) with the factory password."""

    def do_login(who, password: str = PASSWORD):
        email = who.email if isinstance(who, Person) else who
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, "login failed"
        return response

    return do_login
