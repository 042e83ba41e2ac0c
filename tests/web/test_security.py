"""Rate-limited login, health check and production logging."""

import json
import logging

import pytest

from mentormatch.app import create_app
from mentormatch.extensions import limiter
from tests.factories import PASSWORD


@pytest.fixture
def limited_app(app):
    """An app on the test database with rate limiting on, in the test store, emptied first.

    The store is the suite's (``memory://``, or Redis in scripts/test's PostgreSQL
    pass), so counts from an earlier test would carry over: reset it before and
    after. Flask-Limiter keeps ``enabled`` on the one global limiter, so switch it
    back off afterwards for the other tests' many logins.
    """
    limited = create_app({
        "MENTORMATCH_ENV": "testing", "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        "LOGIN_RATE_LIMIT": "6 per minute", "LOGIN_RATE_LIMIT_PER_ACCOUNT": "3 per minute",
    })
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.enabled = False
    with limited.app_context():
        from mentormatch.extensions import db
        db.session.remove()
        db.engine.dispose()


def _try(client, email, password="wrong password 123", ip="10.0.0.1"):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip}).status_code


def test_repeated_failed_logins_for_one_account_are_refused_from_any_address(limited_app, person):
    person("mentee", email="target@example.org")
    client = limited_app.test_client()
    assert [_try(client, "target@example.org", ip=f"10.0.0.{i}") for i in range(4)] == [200, 200, 200, 429]
    page = client.post("/auth/login", data={"email": "target@example.org", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)


def test_one_address_trying_many_accounts_is_refused(limited_app):
    client = limited_app.test_client()
    codes = [_try(client, f"guess{i}@example.org") for i in range(7)]
    assert codes == [200] * 6 + [429]


def test_viewing_the_login_page_is_not_limited(limited_app):
    client = limited_app.test_client()
    assert {client.get("/auth/login").status_code for _ in range(10)} == {200}


def test_the_health_check_touches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_the_health_check_reports_an_unreachable_database(app, monkeypatch):
    broken = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "test",
                         "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody:x@127.0.0.1:1/none"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_production_logs_are_json_lines_on_stdout(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MENTORMATCH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")  # the limiter is global; see limited_app
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        create_app()
        logging.getLogger("mentormatch.test").warning("capacity full for mentor %s", 7)
        line = capsys.readouterr().out.strip().splitlines()[-1]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["message"] == "capacity full for mentor 7"
    assert entry["logger"] == "mentormatch.test" and "time" in entry
