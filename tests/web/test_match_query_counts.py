"""Match and agreement pages send as many SQL statements whatever the number of programs and people.

The person mentors in one program and is mentored in another; around them are
other programs with their own people and matches, and more people in theirs.
"""

from __future__ import annotations

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus
from mentormatch.services import matches
from mentormatch.web.access import PROGRAM_KEY
from tests.factories import PASSWORD, join, make_program, make_user
from tests.querycount import count_statements


def _world(app, tag: str, programs: int, people: int) -> dict:
    """``programs`` programs of ``people`` mentees and mentors each, plus the person's two programs."""
    with app.app_context():
        mentoring, mentored = make_program(f"Mentoring {tag}"), make_program(f"Mentored {tag}")
        person = make_user("mentor", email=f"both-{tag}@example.org", capacity=10, program=mentoring)
        join(person, "mentee", mentored)
        ids = {}
        for n in range(programs):
            program = make_program(f"Elsewhere {tag} {n}")
            for _ in range(people):
                mentee, mentor = make_user("mentee", program=program), make_user("mentor", program=program)
                db.session.add(Match(program_id=program.id, mentee_id=mentee.id, mentor_id=mentor.id,
                                     origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED))
        for n in range(people):
            mentee = make_user("mentee", program=mentoring)
            status = MatchStatus.PROPOSED if n % 2 else MatchStatus.DECLINED
            db.session.add(Match(program_id=mentoring.id, mentee_id=mentee.id, mentor_id=person.id,
                                 origin=MatchOrigin.ROUND, status=status))
            make_user("mentor", program=mentored)
        db.session.commit()
        their_mentor = make_user("mentor", program=mentored)
        match = matches.request_mentor(person, mentored, their_mentor.id, "Hello")
        matches.accept(match, their_mentor)
        ids = {"email": person.email, "mentoring": mentoring.id, "mentored": mentored.id, "match": match.id,
               "agreement": match.agreement.id}
        db.session.remove()
    return ids


def _statements(app, world: dict, path: str, program: str) -> int:
    client = app.test_client()
    assert client.post("/auth/login", data={"email": world["email"], "password": PASSWORD}).status_code == 302
    with client.session_transaction() as session:
        session[PROGRAM_KEY] = world[program]
    path = path.format(**world)
    assert client.get(path).status_code == 200, path
    with count_statements() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_match_pages_send_as_many_statements_for_ten_times_the_programs_and_people(app):
    small, large = _world(app, "small", programs=1, people=2), _world(app, "large", programs=10, people=20)
    pages = [("/matches/", "mentoring"), ("/matches/", "mentored"), ("/matches/suggestions", "mentored"),
             ("/matches/{match}", "mentoring"), ("/agreements/{agreement}", "mentoring")]
    differences = []
    for path, program in pages:
        counts = _statements(app, small, path, program), _statements(app, large, path, program)
        if counts[0] != counts[1]:
            differences.append(f"{path} in the {program} program: {counts[0]} statements vs {counts[1]}")
    assert not differences, differences
