"""The cached home page: served without rendering while nothing changed, fresh after any change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import Agreement, Notification, User
from mentormatch.services import agreements
from mentormatch.services.agreements import MeetingInput, TermsInput
from mentormatch.services.console import people
from mentormatch.services.notifications import mark_all_read
from mentormatch.services.profiles import save_profile
from mentormatch.web.page_cache import EXTENSION, PageCache
from tests.factories import PASSWORD, make_pair, make_user, profile_input
from tests.web.pages import cut_every_pooled_connection, logged_in, rendered

TODAY = agreements.today()


def read_everything(app, user_id: int) -> None:
    with app.app_context():
        mark_all_read(db.session.get(User, user_id))


@pytest.fixture
def pair(app):
    """Dana (mentee) and Grace (mentor) with confirmed biweekly terms: their ids and the agreement id."""
    with app.app_context():
        match = make_pair()
        mentee, mentor, agreement = match.mentee, match.mentor, match.agreement
        version = agreements.propose_terms(agreement, mentee, TermsInput(
            frequency="biweekly", mode="virtual", start_date=TODAY - timedelta(days=20),
            end_date=TODAY + timedelta(days=160), topics=["specialty:hematology"]))
        agreements.confirm_terms(agreement, mentor, version.number)
        found = {"mentee": mentee.id, "mentor": mentor.id, "mentee_email": mentee.email,
                 "mentor_email": mentor.email, "agreement": agreement.id}
        db.session.remove()
    return found


def test_an_unchanged_home_page_is_served_again_without_running_the_view(app, pair):
    client = logged_in(app, pair["mentee_email"])
    first = client.get("/home")
    with rendered(app) as templates:
        again = client.get("/home")
    assert again.status_code == 200
    assert templates == []
    assert again.get_data() == first.get_data()
    assert "Grace Ho" in again.get_data(as_text=True)
    # Headers still come from the app: security headers on the cached response too.
    assert again.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in again.headers["Content-Security-Policy"]


def _rename_mentor(app, pair):
    with app.app_context():
        db.session.get(User, pair["mentor"]).name = "Grace Ho-Lindqvist"
        db.session.commit()
    return "Grace Ho-Lindqvist"


def _mentor_proposes_new_terms(app, pair):
    with app.app_context():
        agreement = db.session.get(Agreement, pair["agreement"])
        agreements.propose_terms(agreement, db.session.get(User, pair["mentor"]), TermsInput(
            frequency="monthly", mode="in_person", start_date=TODAY,
            end_date=TODAY + timedelta(days=120), topics=["specialty:hematology"]))
    return "Proposed changes wait for your confirmation"


def _mentor_logs_a_meeting(app, pair):
    with app.app_context():
        agreement = db.session.get(Agreement, pair["agreement"])
        agreements.log_meeting(agreement, db.session.get(User, pair["mentor"]), MeetingInput(
            held_on=TODAY, duration_minutes=45, mode="virtual", topics=["specialty:hematology"]))
    return "Next meeting due in 14 days"


def _a_notification_arrives(app, pair):
    with app.app_context():
        unread = db.session.scalar(db.select(db.func.count()).select_from(Notification)
                                   .where(Notification.user_id == pair["mentee"], Notification.read_at.is_(None)))
        db.session.add(Notification(user_id=pair["mentee"], kind="agreement", text="Grace logged a meeting."))
        db.session.commit()
    return f'aria-label="{unread + 1} unread"'


def _coordinator_ends_the_agreement(app, pair):
    with app.app_context():
        coordinator = make_user("coordinator")
        agreements.end_agreement(db.session.get(Agreement, pair["agreement"]), coordinator, "schedule")
    return "Grace Ho", False  # no active pair to show any more


def _mentee_edits_the_profile(app, pair):
    with app.app_context():
        save_profile(db.session.get(User, pair["mentee"]), profile_input("mentee", specialties=[]))
    return "Your profile is missing something the matching needs."


CHANGES = [_rename_mentor, _mentor_proposes_new_terms, _mentor_logs_a_meeting, _a_notification_arrives,
           _coordinator_ends_the_agreement, _mentee_edits_the_profile]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_the_home_page_shows_a_change_made_by_anyone_at_once(app, pair, change):
    client = logged_in(app, pair["mentee_email"])
    read_everything(app, pair["mentee"])
    before = client.get("/home").get_data(as_text=True)
    client.get("/home")  # now certainly cached
    expected = change(app, pair)
    if change is not _a_notification_arrives:
        read_everything(app, pair["mentee"])  # so only the stamp, not the unread count, tells the change
    text, appears = expected if isinstance(expected, tuple) else (expected, True)
    assert (text in before) is not appears
    assert (text in client.get("/home").get_data(as_text=True)) is appears


def test_the_cadence_moves_on_with_the_date_while_nothing_else_changes(app, pair, monkeypatch):
    client = logged_in(app, pair["mentee_email"])
    assert "was due 6 days ago" in client.get("/home").get_data(as_text=True)  # biweekly from 20 days ago
    later = TODAY + timedelta(days=30)
    monkeypatch.setattr("mentormatch.web.page_cache.today", lambda: later)
    monkeypatch.setattr("mentormatch.services.agreements.cadence.today", lambda: later)
    assert "was due 36 days ago" in client.get("/home").get_data(as_text=True)


def test_a_deactivated_account_is_logged_out_not_served_its_cached_page(app, pair):
    client = logged_in(app, pair["mentee_email"])
    client.get("/home")
    with app.app_context():
        people.deactivate(db.session.get(User, pair["mentee"]), make_user("coordinator"))
    response = client.get("/home")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_after_logging_out_the_cached_page_is_not_served(app, pair):
    client = logged_in(app, pair["mentee_email"])
    client.get("/home")
    page = client.get("/home").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/auth/logout", data={"csrf_token": token})
    assert client.get("/home").status_code == 302


def test_each_session_gets_its_own_page_and_forms(app, pair):
    # Two browsers of the same person: the logout form of each carries that session's token.
    app.config["WTF_CSRF_ENABLED"] = True
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        login_page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        assert client.post("/auth/login", data={"csrf_token": token, "email": pair["mentee_email"],
                                                "password": PASSWORD}).status_code == 302
        client.get("/home")
    pages = [client.get("/home").get_data(as_text=True) for client in (first, second)]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', page).group(1) for page in pages]
    # The first client's cached page logs the first client out; the second's token is refused for it.
    assert first.post("/auth/logout", data={"csrf_token": tokens[1]}).status_code == 400
    assert first.post("/auth/logout", data={"csrf_token": tokens[0]}).status_code == 302
    assert first.get("/home").status_code == 302
    assert second.get("/home").status_code == 200


def test_a_flash_message_is_shown_once_and_never_cached(app, pair):
    client = logged_in(app, pair["mentee_email"])
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your meeting was logged.")]
    assert "Your meeting was logged." in client.get("/home").get_data(as_text=True)
    assert "Your meeting was logged." not in client.get("/home").get_data(as_text=True)


def test_another_persons_cached_page_is_never_served(app, pair):
    mentee, mentor = logged_in(app, pair["mentee_email"]), logged_in(app, pair["mentor_email"])
    mentee.get("/home")
    mentee.get("/home")
    page = mentor.get("/home").get_data(as_text=True)
    assert "Your mentees" in page and "Dana Okafor" in page
    assert "Your mentoring" not in page


def test_the_cache_can_be_turned_off(app, pair):
    app.config["PAGE_CACHE_SIZE"] = 0
    try:
        client = logged_in(app, pair["mentee_email"])
        client.get("/home")
        with rendered(app) as templates:
            client.get("/home")
        assert "main/home.html" in templates
    finally:
        app.config["PAGE_CACHE_SIZE"] = 2000
    assert len(app.extensions[EXTENSION]) == 0


def test_the_cache_keeps_the_most_recently_used_pages_up_to_its_size():
    cache = PageCache(size=2, seconds=60)
    cache.put("a", b"A")
    cache.put("b", b"B")
    assert cache.get("a") == b"A"  # "b" is now the least recently used
    cache.put("c", b"C")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"A", None, b"C")


def test_a_cached_page_expires_after_its_age_limit():
    now = [1000.0]
    cache = PageCache(size=10, seconds=300, clock=lambda: now[0])
    cache.put("home", b"page")
    now[0] += 300
    assert cache.get("home") == b"page"
    now[0] += 1
    assert cache.get("home") is None
    assert len(cache) == 0


def test_a_cache_age_limit_beyond_the_csrf_token_lifetime_is_refused():
    from mentormatch.app import create_app

    with pytest.raises(ValueError, match="PAGE_CACHE_SECONDS"):
        create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "WTF_CSRF_TIME_LIMIT": 60, "PAGE_CACHE_SECONDS": 60})


@pytest.mark.postgres_only
def test_a_cached_page_is_served_after_the_database_dropped_every_connection(app, pair):
    client = logged_in(app, pair["mentee_email"])
    client.get("/home")
    cut_every_pooled_connection(app)
    response = client.get("/home")
    assert response.status_code == 200
    assert "Grace Ho" in response.get_data(as_text=True)


@pytest.mark.postgres_only
def test_a_page_that_meets_a_dropped_connection_asks_to_retry_and_the_next_one_works(app, pair):
    client = logged_in(app, pair["mentee_email"])
    client.get("/matches/")
    cut_every_pooled_connection(app)
    first = client.get("/matches/")  # takes a dead connection from the pool (no pre-ping)
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert "nothing was saved" in first.get_data(as_text=True)
    assert "Traceback" not in first.get_data(as_text=True)
    assert client.get("/matches/").status_code == 200  # the pool was discarded: fresh connections


def test_an_unreachable_database_gets_a_try_again_page_not_a_stack_trace(tmp_path):
    from mentormatch.app import create_app

    app = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "PAGE_CACHE_FEED": False,
                      # Nothing listens on port 9 (discard) here: the connection is refused.
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"})
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "whatever"})
    # A logged-in session's cached home page: the stamp read cannot connect either.
    with client.session_transaction() as session:
        session.update({"_user_id": "1", "_fresh": True, "csrf_token": "a" * 40})
    home = client.get("/home")
    for answer in (response, home):
        assert answer.status_code == 503
        page = answer.get_data(as_text=True)
        assert "nothing was saved" in page
        assert "secret" not in page and "Traceback" not in page and "psycopg" not in page
