"""Two acceptances racing for a mentor's last place: exactly one wins.

Each thread has its own app context, so its own session and its own database
connection; a barrier releases them together. On PostgreSQL this goes through
real server connections (the PostgreSQL pass of scripts/test); on SQLite it
exercises BEGIN IMMEDIATE.
"""

import threading
import time

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus
from mentormatch.services import matches
from tests.factories import default_program, make_user
from tests.racing import race

RACERS = 8


def race_acceptances(app, match_ids: list[int]) -> tuple[list[str], list[BaseException]]:
    """Each match's mentor accepts it in a thread of their own, all released at once.

    Returns the outcomes ("won", or "refused" for a MatchError) and any other error.
    """

    def accepting(match_id: int):
        def job(ready) -> str:
            match = db.session.get(Match, match_id)
            mentor = match.mentor
            ready()
            matches.accept(match, mentor)
            return "won"

        return job

    results, errors = race(app, [accepting(match_id) for match_id in match_ids], expected=(matches.MatchError,))
    return ["refused" if isinstance(r, matches.MatchError) else r for r in results], errors


def statuses_of(app, match_ids: list[int]) -> list[str]:
    with app.app_context():
        found = [db.session.get(Match, match_id).status for match_id in match_ids]
        db.session.remove()
    return found


def test_concurrent_acceptances_never_exceed_a_mentors_capacity(app):
    with app.app_context():
        mentor = make_user("mentor", capacity=2)
        mentor_id = mentor.id
        match_ids = []
        for _ in range(RACERS):
            mentee = make_user("mentee")
            match = Match(program_id=default_program().id, mentee_id=mentee.id, mentor_id=mentor_id,
                          origin=MatchOrigin.ROUND,
                          status=MatchStatus.ACCEPTED_BY_MENTEE)
            db.session.add(match)
            db.session.commit()
            match_ids.append(match.id)
        db.session.remove()

    outcomes, errors = race_acceptances(app, match_ids)
    assert errors == []
    assert sorted(outcomes) == ["refused"] * (RACERS - 2) + ["won"] * 2
    with app.app_context():
        active = db.session.scalar(db.select(db.func.count()).select_from(Match).where(
            Match.mentor_id == mentor_id, Match.status == MatchStatus.ACTIVE))
        assert active == 2
        db.session.remove()


def test_two_mentors_accepting_at_once_do_not_deadlock(app):
    """Each mentee also has an open request to the other mentor, so each acceptance
    withdraws that request and notifies the other mentor (a foreign key to the row the
    other transaction has locked). With FOR UPDATE this deadlocked on PostgreSQL."""
    for attempt in range(6):
        with app.app_context():
            mentor_a, mentor_b = make_user("mentor", capacity=2), make_user("mentor", capacity=2)
            mentee_x, mentee_y = make_user("mentee"), make_user("mentee")
            x_to_a = matches.request_mentor(mentee_x, default_program(), mentor_a.id, "")
            matches.request_mentor(mentee_x, default_program(), mentor_b.id, "")
            y_to_b = matches.request_mentor(mentee_y, default_program(), mentor_b.id, "")
            matches.request_mentor(mentee_y, default_program(), mentor_a.id, "")
            jobs = [x_to_a.id, y_to_b.id]
            db.session.remove()

        outcomes, errors = race_acceptances(app, jobs)
        assert errors == [], f"attempt {attempt}: {errors!r}"
        assert outcomes == ["won", "won"]
        assert statuses_of(app, jobs) == [MatchStatus.ACTIVE, MatchStatus.ACTIVE]


def test_two_mentors_accepting_one_mentee_at_once_activate_one_match_and_explain_the_other(app, monkeypatch):
    """The mentee asked both; each mentor's lock alone let both activations through to the
    one-active-match index, and the loser got a 500 (found by benchmarks/fault.py). The
    check is slowed down so that both transactions reach it before either commits."""
    check = matches.has_active_match
    inside, most_inside, count_lock = [0], [0], threading.Lock()

    def slow_check(program_id: int, mentee_id: int) -> bool:
        with count_lock:
            inside[0] += 1
            most_inside[0] = max(most_inside[0], inside[0])
        try:
            found = check(program_id, mentee_id)
            time.sleep(0.2)
            return found
        finally:
            with count_lock:
                inside[0] -= 1

    monkeypatch.setattr(matches, "has_active_match", slow_check)
    for attempt in range(3):
        with app.app_context():
            mentor_a, mentor_b = make_user("mentor", capacity=2), make_user("mentor", capacity=2)
            mentee = make_user("mentee")
            jobs = [matches.request_mentor(mentee, default_program(), mentor.id, "").id
                    for mentor in (mentor_a, mentor_b)]
            db.session.remove()

        outcomes, errors = race_acceptances(app, jobs)
        assert errors == [], f"attempt {attempt}: {errors!r}"
        assert sorted(outcomes) == ["refused", "won"], f"attempt {attempt}"
        assert sorted(statuses_of(app, jobs)) == sorted([MatchStatus.ACTIVE, MatchStatus.WITHDRAWN])
    # One mentee's activations run one after the other, never side by side.
    assert most_inside[0] == 1


def test_concurrent_acceptances_fill_each_programs_places_of_one_mentor_separately(app):
    """The mentor has one place in each of two programs: the lock is their membership's,
    so the race in each program has its own single winner."""
    from tests.factories import join, make_program

    with app.app_context():
        other = make_program("Supervisor and leadership track")
        mentor = make_user("mentor", capacity=1)
        join(mentor, "mentor", other, capacity=1)
        match_ids = []
        for n in range(RACERS):
            program = other if n % 2 else default_program()
            mentee = make_user("mentee", program=program)
            match = Match(program_id=program.id, mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.ROUND,
                          status=MatchStatus.ACCEPTED_BY_MENTEE)
            db.session.add(match)
            db.session.commit()
            match_ids.append(match.id)
        programs = {match_id: (n % 2) for n, match_id in enumerate(match_ids)}
        db.session.remove()

    outcomes, errors = race_acceptances(app, match_ids)
    assert errors == []
    assert sorted(outcomes) == ["refused"] * (RACERS - 2) + ["won"] * 2
    won = [programs[match_id] for match_id, status in zip(match_ids, statuses_of(app, match_ids))
           if status == MatchStatus.ACTIVE]
    assert sorted(won) == [0, 1]  # one in each program
