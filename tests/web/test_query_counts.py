"""Participant pages send the same number of SQL statements for 12 or 120 people around them."""

from datetime import date, datetime, timedelta, timezone

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementStatus, AgreementVersion, Match, MatchOrigin, MatchStatus, Meeting, Message, Notification,
    ScheduledMeeting, VersionStatus,
)
from tests.factories import default_program, make_user
from tests.querycount import count_statements

PAGES = ["/home", "/matches/", "/matches/suggestions", "/notifications/", "/profile/"]
# The user with profile, tags, memberships with their programs, and programs run; the memberships' tags;
# the open and active matches of every membership; the pairs with their terms and cadence; their unread
# messages; their next scheduled meetings; the unread notifications; whether a second program exists (the
# navigation's "Programs" link); the surveys waiting (one statement while no program asks any, three once
# one does: services.surveys.due_for). A mentee still looking for a mentor has, instead of the three about
# pairs, one: the mentors free for them.
HOME_STATEMENTS = 9


def _agreement(match: Match, proposer_id: int, pending: bool) -> None:
    """Confirmed terms and a meeting; a newer proposal waiting when ``pending``."""
    agreement = Agreement(match=match, status=AgreementStatus.ACTIVE)
    terms = dict(frequency="monthly", mode="virtual", start_date=date(2027, 1, 4), end_date=date(2027, 7, 4))
    agreement.versions = [AgreementVersion(number=1, status=VersionStatus.CONFIRMED, proposed_by_id=proposer_id,
                                           **terms)]
    if pending:
        agreement.versions.append(AgreementVersion(number=2, status=VersionStatus.PENDING,
                                                   proposed_by_id=proposer_id, **{**terms, "frequency": "weekly"}))
    agreement.meetings = [Meeting(held_on=date(2027, 1, 20), duration_minutes=60, mode="virtual")]
    db.session.add(agreement)
    db.session.flush()
    # Messages both ways and meetings planned: the home page counts and picks them without a query per pair.
    db.session.add_all(Message(match_id=match.id, author_id=author, body=f"m{n}")
                       for n, author in enumerate((match.mentee_id, match.mentor_id, match.mentor_id)))
    soon = datetime.now(timezone.utc) + timedelta(days=3)
    db.session.add_all(ScheduledMeeting(agreement_id=agreement.id, uid=f"test-{agreement.id}-{n}", status=status,
                                        starts_at=soon + timedelta(days=7 * n), duration_minutes=45, mode="virtual",
                                        proposed_by_id=proposer_id)
                       for n, status in enumerate(("confirmed", "proposed")))


def _program(app, size: int, pairs: int) -> dict:
    """A mentee and a mentor with `size` others around them, matches and notifications.

    The mentor keeps `pairs` active pairs, the mentee one: each with an agreement,
    its terms and meetings, so the home page has rows to show.
    """
    with app.app_context():
        program = default_program().id
        mentee = make_user("mentee", email=f"me{size}@example.org")
        mentor = make_user("mentor", email=f"mentor{size}@example.org", capacity=10)
        for i in range(size):
            other_mentor = make_user("mentor", capacity=3)
            other_mentee = make_user("mentee")
            status = (MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.WITHDRAWN)[i % 3]
            active = i < pairs
            mentors_match = Match(program_id=program, mentee_id=other_mentee.id, mentor_id=mentor.id, origin=MatchOrigin.ROUND,
                                  status=MatchStatus.ACTIVE if active else
                                  MatchStatus.PROPOSED if i % 2 else MatchStatus.EXPIRED)
            db.session.add_all([
                Match(program_id=program, mentee_id=mentee.id, mentor_id=other_mentor.id, origin=MatchOrigin.ROUND, status=status),
                mentors_match,
                Notification(user_id=mentee.id, kind="proposal", text=f"n{i}"),
                Notification(user_id=mentor.id, kind="proposal", text=f"n{i}"),
            ])
            if active:
                _agreement(mentors_match, other_mentee.id, pending=i % 2 == 0)
        mentees_mentor = make_user("mentor", capacity=3)
        mentees_match = Match(program_id=program, mentee_id=mentee.id, mentor_id=mentees_mentor.id, origin=MatchOrigin.ROUND,
                              status=MatchStatus.ACTIVE)
        db.session.add(mentees_match)
        _agreement(mentees_match, mentees_mentor.id, pending=True)
        # A mentee still looking: two requests sent, the program's other mentors free for them.
        asker = make_user("mentee", email=f"asker{size}@example.org")
        db.session.add_all(Match(program_id=program, mentee_id=asker.id, mentor_id=asked, origin=MatchOrigin.REQUEST,
                                 status=MatchStatus.ACCEPTED_BY_MENTEE) for asked in (mentor.id, mentees_mentor.id))
        db.session.commit()
        people = {"mentee": mentee.email, "mentor": mentor.email, "asker": asker.email}
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
    small, large = _program(app, 12, pairs=2), _program(app, 120, pairs=10)
    differences = []
    for role in ("mentee", "mentor", "asker"):
        for path in PAGES:
            if role == "mentor" and path == "/matches/suggestions":
                continue  # mentors have no suggestions page
            counts = _statements(app, small[role], path), _statements(app, large[role], path)
            if counts[0] != counts[1]:
                differences.append(f"{path} for a {role}: {counts[0]} statements vs {counts[1]}")
            if path == "/home" and role != "asker" and counts[1] != HOME_STATEMENTS:
                differences.append(f"/home for a {role}: {counts[1]} statements, expected {HOME_STATEMENTS}")
            if path == "/home" and role == "asker" and counts[1] != HOME_STATEMENTS - 2:
                differences.append(f"/home for a mentee looking for a mentor: {counts[1]} statements, "
                                   f"expected {HOME_STATEMENTS - 2}")
    assert not differences, differences
