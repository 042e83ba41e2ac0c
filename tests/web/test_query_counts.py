"""Participant pages send the same number of SQL statements for 12 or 120 people around them."""

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, Notification
from tests.factories import make_user
from tests.querycount import count_statements

PAGES = ["/home", "/matches/", "/matches/suggestions", "/notifications/", "/profile/"]


def _program(app, size: int) -> dict:
    """A mentee and a mentor with `size` others around them, matches and notifications."""
    with app.app_context():
        mentee = make_user("mentee", email=f"me{size}@example.org")
        mentor = make_user("mentor", email=f"mentor{size}@example.org", capacity=10)
        for i in range(size):
            other_mentor = make_user("mentor", capacity=3)
            other_mentee = make_user("mentee")
            status = (MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.WITHDRAWN)[i % 3]
            db.session.add_all([
                Match(mentee_id=mentee.id, mentor_id=other_mentor.id, origin=MatchOrigin.ROUND, status=status),
                Match(mentee_id=other_mentee.id, mentor_id=mentor.id, origin=MatchOrigin.ROUND,
                      status=MatchStatus.PROPOSED if i % 2 else MatchStatus.ACTIVE if i < 8 else MatchStatus.EXPIRED),
                Notification(user_id=mentee.id, kind="proposal", text=f"n{i}"),
                Notification(user_id=mentor.id, kind="proposal", text=f"n{i}"),
            ])
        db.session.commit()
        people = {"mentee": mentee.email, "mentor": mentor.email}
        db.session.remove()
    return people


def _statements(app, email: str, path: str) -> int:
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": "correct horse battery staple"})
    client.get(path)  # warm caches (e.g. time zones) outside the count
    with count_statements() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_pages_send_as_many_statements_for_a_program_ten_times_larger(app):
    # Both programs share the database: each person's pages show only their own matches
    # and notifications, and suggestions are capped at ten whatever the pool.
    small, large = _program(app, 12), _program(app, 120)
    differences = []
    for role in ("mentee", "mentor"):
        for path in PAGES:
            if role == "mentor" and path == "/matches/suggestions":
                continue  # mentors have no suggestions page
            counts = _statements(app, small[role], path), _statements(app, large[role], path)
            if counts[0] != counts[1]:
                differences.append(f"{path} for a {role}: {counts[0]} statements vs {counts[1]}")
    assert not differences, differences
