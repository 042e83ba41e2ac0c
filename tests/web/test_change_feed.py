"""PostgreSQL's change feed: cached pages without a database round trip, still never stale for long."""

from __future__ import annotations

import time

import pytest

from mentormatch.extensions import db
from mentormatch.models import Notification, User
from mentormatch.web.page_cache import FEED
from tests.factories import make_pair
from tests.web.test_profiles import GOOD_MENTOR
from tests.web.pages import cut_every_pooled_connection, logged_in, rendered

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def feed(app, monkeypatch):
    """The app's change feed, switched on and connected."""
    monkeypatch.setitem(app.config, "PAGE_CACHE_FEED", True)
    change_feed = app.extensions[FEED]
    assert change_feed.sync(), "the change feed did not connect"
    return change_feed


@pytest.fixture
def pair(app):
    with app.app_context():
        match = make_pair()
        found = {"mentee": match.mentee_id, "mentor": match.mentor_id, "mentee_email": match.mentee.email,
                 "mentor_email": match.mentor.email}
        db.session.remove()
    return found


def _no_database_stamps(monkeypatch):
    def refuse(_user_id):
        raise AssertionError("the page asked the database although the feed was live")

    monkeypatch.setattr("mentormatch.web.page_cache.stamp_of", refuse)


def _rename(app, user_id: int, name: str) -> None:
    with app.app_context():
        db.session.get(User, user_id).name = name
        db.session.commit()


def test_a_cached_page_is_served_without_asking_the_database(app, feed, pair, monkeypatch):
    client = logged_in(app, pair["mentee_email"])
    client.get("/home")
    _no_database_stamps(monkeypatch)
    with rendered(app) as templates:
        page = client.get("/home")
    assert page.status_code == 200 and templates == []
    assert "Grace Ho" in page.get_data(as_text=True)


def test_a_change_by_someone_else_shows_as_soon_as_the_feed_hears_of_it(app, feed, pair, monkeypatch):
    client = logged_in(app, pair["mentee_email"])
    client.get("/home")
    _no_database_stamps(monkeypatch)
    _rename(app, pair["mentor"], "Grace Ho-Lindqvist")
    assert feed.sync()
    assert "Grace Ho-Lindqvist" in client.get("/home").get_data(as_text=True)


def test_a_new_notification_changes_the_unread_badge_through_the_feed(app, feed, pair, monkeypatch):
    client = logged_in(app, pair["mentee_email"])
    before = client.get("/home").get_data(as_text=True)
    _no_database_stamps(monkeypatch)
    with app.app_context():
        db.session.add(Notification(user_id=pair["mentee"], kind="agreement", text="Grace logged a meeting."))
        db.session.commit()
    assert feed.sync()
    assert client.get("/home").get_data(as_text=True) != before


def test_ones_own_change_shows_at_once_even_before_the_feed_hears_of_it(app, feed, pair, monkeypatch):
    monkeypatch.setattr(feed, "_hear", lambda payload: None)  # a feed that hears nothing from now on
    client = logged_in(app, pair["mentor_email"])
    assert "up to 3 mentees" in client.get("/home").get_data(as_text=True)
    client.get("/home")
    assert client.post("/profile/edit", data={**GOOD_MENTOR, "capacity": "5"}).status_code == 302
    client.get("/home")  # shows the "saved" flash message, rendered afresh
    assert "up to 5 mentees" in client.get("/home").get_data(as_text=True)


def test_pages_cached_before_the_feed_lost_its_connection_are_not_served_after(app, feed, pair):
    client = logged_in(app, pair["mentee_email"])
    client.get("/home")
    epoch = feed.epoch
    cut_every_pooled_connection(app)  # the feed's own connection too: notifications are missed now
    with app.app_context():
        db.engine.dispose()  # this test's own writes need live connections
    _rename(app, pair["mentor"], "Grace Ho-Lindqvist")
    # Meanwhile the page is checked against the database.
    assert "Grace Ho-Lindqvist" in client.get("/home").get_data(as_text=True)
    deadline = time.monotonic() + 10
    while (feed.versions(pair["mentee"]) is None or feed.epoch == epoch) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed.epoch > epoch and feed.versions(pair["mentee"]) is not None
    assert "Grace Ho-Lindqvist" in client.get("/home").get_data(as_text=True)


def test_a_batch_too_large_to_list_makes_every_cached_page_stale(app, feed):
    with app.app_context():
        db.session.execute(db.text(
            "INSERT INTO users (email, name, password_hash, role, active, created_at) "
            "SELECT 'batch' || n || '@example.org', 'Batch ' || n, 'x', 'mentee', true, now() "
            "FROM generate_series(1, 2500) AS n"))
        db.session.execute(db.text("INSERT INTO view_changes (user_id, changed_at) SELECT id, now() FROM users"))
        db.session.commit()
    assert feed.sync()
    epoch = feed.epoch
    with app.app_context():
        db.session.execute(db.text("INSERT INTO view_changes (user_id, changed_at) SELECT id, now() FROM users"))
        db.session.commit()
    assert feed.sync()
    assert feed.epoch == epoch + 1
