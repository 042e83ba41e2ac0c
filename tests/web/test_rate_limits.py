"""Rate limits on the pages that check a password, and the client address behind a proxy."""

from __future__ import annotations

import pytest

from mentormatch.app import create_app
from mentormatch.config import ConfigError, load_config
from mentormatch.extensions import db, limiter
from tests.factories import PASSWORD

WRONG = "not the current password"
NEW = "another long password 42"
PASSWORD_PAGES = {
    "/auth/password": {"current": WRONG, "password": NEW, "confirm": NEW},
    "/auth/email": {"email": "elsewhere@example.org", "password": WRONG},
    "/auth/delete": {"password": WRONG, "understood": "y"},
}


@pytest.fixture
def limited(app):
    """Factory: an app on the test database with rate limits on (3 per account, 6 per address a minute).

    Flask-Limiter keeps one global limiter and store: reset before and after, and
    switch it back off for the other tests (as tests/web/test_security.py does).
    """
    built = []

    def build(**config):
        built.append(create_app({
            "MENTORMATCH_ENV": "testing", "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            "LOGIN_RATE_LIMIT": "6 per minute", "LOGIN_RATE_LIMIT_PER_ACCOUNT": "3 per minute", **config,
        }))
        limiter.reset()
        return built[-1]

    yield build
    limiter.reset()
    limiter.enabled = False
    for each in built:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def logged_in(app, who, ip: str = "10.0.0.1"):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": who.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 302
    return client


def test_wrong_current_passwords_are_limited_per_account_across_all_three_pages(limited, person):
    app = limited()
    someone, other = person("mentee"), person("mentee")
    client = logged_in(app, someone)
    codes = [client.post(page, data=form).status_code for page, form in PASSWORD_PAGES.items()]
    assert codes == [200, 200, 200]  # each page said "not your current password"
    # The fourth try fails whichever page it uses, and from any address.
    for page, form in PASSWORD_PAGES.items():
        response = client.post(page, data=form, environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert response.status_code == 429 and "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/auth/password").status_code == 200  # reading the form is not an attempt
    # Another account is not held back by this one's tries.
    assert logged_in(app, other).post("/auth/password", data=PASSWORD_PAGES["/auth/password"]).status_code == 200


def test_the_trusted_proxy_count_comes_from_the_environment(tmp_path):
    def proxies(value=None):
        env = {"MENTORMATCH_ENV": "testing"} | ({"MENTORMATCH_TRUSTED_PROXIES": value} if value is not None else {})
        return load_config(str(tmp_path), environ=env)["TRUSTED_PROXIES"]

    assert proxies() == 0 and proxies("1") == 1 and proxies("2") == 2
    for wrong in ("-1", "one", "1.5"):
        with pytest.raises(ConfigError, match="MENTORMATCH_TRUSTED_PROXIES"):
            proxies(wrong)


def guesses(app, forwarded_for: list[str]) -> list[int]:
    """Failed logins for different accounts, all through one proxy at 10.0.0.1."""
    client = app.test_client()
    return [client.post("/auth/login", data={"email": f"guess{n}@example.org", "password": WRONG},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": address}).status_code
            for n, address in enumerate(forwarded_for)]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(limited):
    app = limited(TRUSTED_PROXIES=1)
    assert guesses(app, [f"203.0.113.{n}" for n in range(8)]) == [200] * 8
    # One client is still limited, whatever it puts in front of the proxy's entry.
    assert guesses(app, [f"198.51.100.{n}, 203.0.113.7" for n in range(8)]) == [200] * 5 + [429] * 3


def test_without_a_trusted_proxy_a_forwarded_for_header_changes_nothing(limited):
    app = limited()
    assert guesses(app, [f"203.0.113.{n}" for n in range(8)]) == [200] * 6 + [429] * 2
