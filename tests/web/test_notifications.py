"""A notification opens the thing it is about and is then read; times read in the viewer's zone."""

from datetime import UTC, datetime

import pytest

from mentormatch.extensions import db
from mentormatch.models import Notification, OutboxEmail
from mentormatch.services import notifications
from mentormatch.services.notifications import Kind
from mentormatch.services.transactions import transaction
from tests.factories import make_user


def _add(user_id: int, **fields) -> int:
    values = {"kind": "proposal", "text": "Something happened", **fields}
    note = Notification(user_id=user_id, **values)
    db.session.add(note)
    db.session.commit()
    return note.id


def _read_at(notification_id: int):
    db.session.expire_all()
    return db.session.get(Notification, notification_id).read_at


@pytest.mark.parametrize("fields, target", [
    ({"path": "/agreements/7#schedule", "match_id": None}, "/agreements/7#schedule"),
    ({"path": None, "match_id": "match"}, "/matches/{match}"),
    ({"path": None, "match_id": None}, "/notifications/"),
    # A path that leaves the app is never followed: the match's page, else the list.
    ({"path": "//evil.example.com/x", "match_id": None}, "/notifications/"),
    ({"path": "https://evil.example.com/", "match_id": "match"}, "/matches/{match}"),
    ({"path": "/\\evil.example.com", "match_id": None}, "/notifications/"),
])
def test_opening_a_notification_marks_it_read_and_leads_to_what_it_is_about(app, client, login, fields, target):
    from tests.factories import make_pair

    with app.app_context():
        match = make_pair()
        mentee_email, match_id = match.mentee.email, match.id
        values = {**fields, "match_id": match_id if fields["match_id"] == "match" else None}
        note_id = _add(match.mentee_id, **values)
        db.session.remove()
    login(mentee_email)
    response = client.get(f"/notifications/{note_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == target.format(match=match_id)
    with app.app_context():
        assert _read_at(note_id) is not None


def test_someone_elses_notification_is_not_found_and_stays_unread(app, client, login):
    with app.app_context():
        owner, other = make_user("mentee"), make_user("mentee")
        note_id = _add(owner.id, path="/home")
        other_email = other.email
        db.session.remove()
    login(other_email)
    assert client.get(f"/notifications/{note_id}").status_code == 404
    assert client.get(f"/notifications/{note_id + 1000}").status_code == 404
    with app.app_context():
        assert _read_at(note_id) is None


def test_opening_asks_anonymous_people_to_log_in(app, client):
    with app.app_context():
        note_id = _add(make_user("mentee").id)
        db.session.remove()
    assert client.get(f"/notifications/{note_id}").headers["Location"].startswith("/auth/login")


def test_the_list_links_each_notification_marks_the_unread_ones_and_names_the_zone(app, client, login):
    with app.app_context():
        mentee = make_user("mentee", time_zone="America/New_York")
        winter = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
        unread = _add(mentee.id, text="Grace proposed a meeting", created_at=winter)
        read = _add(mentee.id, text="You are matched", read_at=winter, created_at=winter)
        email = mentee.email
        db.session.remove()
    login(email)
    page = client.get("/notifications/").get_data(as_text=True)
    assert f'<a href="/notifications/{unread}">Grace proposed a meeting</a>' in page
    assert f'<a href="/notifications/{read}">You are matched</a>' in page
    assert page.count('class="new-label">New<') == 1  # a word, not only a colour
    assert "Received <time" in page and "3 Dec 2026, 09:00 EST" in page  # the viewer's zone, named
    assert "Mark all as read" in page
    client.get(f"/notifications/{unread}")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "new-label" not in page and "Mark all as read" not in page


def test_an_empty_list_says_what_to_do_next(client, person, login):
    login(person("mentee"))
    page = client.get("/notifications/").get_data(as_text=True)
    assert "No notifications yet" in page and 'href="/home"' in page


def test_notify_keeps_the_path_and_the_email_links_to_it(app_ctx):
    from tests.factories import make_pair

    match = make_pair()
    user = match.mentee
    with transaction():
        notifications.notify(user, Kind.AGREEMENT, "A meeting is proposed", match_id=match.id,
                             path="/agreements/3#schedule")
        notifications.notify(user, Kind.ACCEPTED, "Matched", match.id)  # the old signature still works
    rows = db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id.desc()).limit(2)).all()
    assert [(n.path, n.match_id) for n in rows] == [(None, match.id), ("/agreements/3#schedule", match.id)]
    bodies = [e.body for e in db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.recipient == user.email)
                                                 .order_by(OutboxEmail.id.desc()).limit(2))]
    assert f"/matches/{match.id}" in bodies[0] and "/agreements/3#schedule" in bodies[1]


@pytest.mark.parametrize("path", ["https://evil.example.com/", "//evil.example.com", "agreements/3", "/a b"])
def test_notify_refuses_a_path_outside_the_app(app_ctx, path):
    user = make_user("mentee")
    with pytest.raises(ValueError), transaction():
        notifications.notify(user, Kind.AGREEMENT, "x", path=path)
