"""The demo mailbox: development shows the outbox with clickable links; production has no such page."""

import re

import pytest

from mentormatch.app import create_app
from mentormatch.tasks.worker import run_burst


@pytest.fixture
def dev_client(app):
    """An app with the mailbox on, over the test database and queue."""
    dev = create_app({"MENTORMATCH_ENV": "testing", "DEV_MAILBOX": True, "SECRET_KEY": "test-secret-key",
                      "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                      "QUEUE_URL": app.config["QUEUE_URL"], "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    return dev, dev.test_client()


def test_a_newcomer_resets_a_password_from_the_demo_mailbox(dev_client, person):
    dev, client = dev_client
    mentee = person("mentee")
    client.post("/auth/reset", data={"email": mentee.email})
    waiting = client.get("/dev/mailbox/").get_data(as_text=True)
    assert "No emails yet" in waiting  # the request only queued the lookup
    with dev.app_context():
        run_burst(dev)
    listing = client.get("/dev/mailbox/").get_data(as_text=True)
    assert mentee.email in listing and "MentorMatch: reset your password" in listing and "Delivered" in listing
    email_path = re.search(r'href="(/dev/mailbox/\d+)"', listing).group(1)
    page = client.get(email_path).get_data(as_text=True)
    link = re.search(r'<a href="http://[^/"]+(/auth/reset/[^"]+)"', page).group(1)
    new = "a brand new password"
    assert client.post(link, data={"password": new, "confirm": new}).headers["Location"] == "/auth/login"
    assert client.post("/auth/login", data={"email": mentee.email, "password": new}).status_code == 302


def test_the_footer_links_the_mailbox_only_where_it_exists(dev_client, client):
    _, dev = dev_client
    assert "Demo mailbox" in dev.get("/").get_data(as_text=True)
    assert "Demo mailbox" not in client.get("/").get_data(as_text=True)


def test_production_has_no_mailbox(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    production = create_app({"MENTORMATCH_ENV": "production", "RATELIMIT_ENABLED": False,
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "QUEUE_URL": "memory://"})
    assert production.config["DEV_MAILBOX"] is False
    assert production.test_client().get("/dev/mailbox/").status_code == 404


def test_an_unknown_email_is_a_404(dev_client):
    _, client = dev_client
    assert client.get("/dev/mailbox/999").status_code == 404
