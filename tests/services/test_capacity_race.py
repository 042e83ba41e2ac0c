"""Two acceptances racing for a mentor's last place: exactly one wins.

Each thread has its own app context, so its own session and its own database
connection; a barrier releases them together. On PostgreSQL this goes through
real server connections (the PostgreSQL pass of scripts/test); on SQLite it
exercises BEGIN IMMEDIATE.
"""

import threading

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus
from mentormatch.services import matches
from tests.factories import make_user

RACERS = 8


def test_concurrent_acceptances_never_exceed_a_mentors_capacity(app):
    with app.app_context():
        mentor = make_user("mentor", capacity=2)
        mentor_id = mentor.id
        match_ids = []
        for _ in range(RACERS):
            mentee = make_user("mentee")
            match = Match(mentee_id=mentee.id, mentor_id=mentor_id, origin=MatchOrigin.ROUND,
                          status=MatchStatus.ACCEPTED_BY_MENTEE)
            db.session.add(match)
            db.session.commit()
            match_ids.append(match.id)
        db.session.remove()

    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(match_id: int) -> None:
        with app.app_context():
            try:
                match = db.session.get(Match, match_id)
                mentor = match.mentor
                barrier.wait(timeout=30)
                matches.accept(match, mentor)
                outcomes.append("won")
            except matches.MatchError:
                outcomes.append("full")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(i,)) for i in match_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["full"] * (RACERS - 2) + ["won"] * 2
    with app.app_context():
        active = db.session.scalar(db.select(db.func.count()).select_from(Match).where(
            Match.mentor_id == mentor_id, Match.status == MatchStatus.ACTIVE))
        assert active == 2
        db.session.remove()
