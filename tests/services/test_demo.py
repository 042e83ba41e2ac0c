from collections import Counter

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import Profile, ProfileTag, Role, User
from mentormatch.services import accounts, demo


def _snapshot():
    users = db.session.execute(db.select(User.email, User.name, User.role).order_by(User.email)).all()
    tags = db.session.execute(
        db.select(User.email, ProfileTag.kind, ProfileTag.code)
        .join(Profile, Profile.user_id == User.id).join(ProfileTag)
        .order_by(User.email, ProfileTag.kind, ProfileTag.code)
    ).all()
    return users, tags


def test_the_demo_program_is_big_and_covers_every_vocabulary(app_ctx):
    counts = demo.seed_demo()
    roles = Counter(db.session.scalars(db.select(User.role)))
    assert counts.mentors >= 40 and roles[Role.MENTOR] == counts.mentors
    assert counts.mentees >= 120 and roles[Role.MENTEE] == counts.mentees
    assert roles[Role.COORDINATOR] == 1
    tags = db.session.execute(db.select(ProfileTag.kind, ProfileTag.code)).all()
    by_kind = {kind: {code for k, code in tags if k == kind} for kind in ("specialty", "goal", "credential")}
    assert by_kind["specialty"] == set(domain.codes(domain.SPECIALTIES))
    assert by_kind["goal"] == set(domain.codes(domain.CAREER_GOALS))
    assert by_kind["credential"] == set(domain.codes(domain.CREDENTIALS))
    profiles = db.session.scalars(db.select(Profile)).all()
    assert {p.shift for p in profiles} == set(domain.codes(domain.SHIFTS))
    assert len({p.time_zone for p in profiles}) >= 10
    assert all(p.is_complete for p in profiles)


def test_the_demo_logins_work_with_the_printed_password(app_ctx):
    demo.seed_demo()
    for role, email in demo.demo_logins():
        user = accounts.authenticate(email, demo.DEMO_PASSWORD)
        assert user is not None and user.role == role


def test_the_same_seed_gives_the_same_people(app, app_ctx):
    demo.seed_demo(seed=7)
    first = _snapshot()
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    demo.seed_demo(seed=7)
    assert _snapshot() == first
    assert demo.is_loaded()


def test_the_demo_has_pairs_keeping_pace_and_pairs_falling_behind(app_ctx):
    from mentormatch.models import Agreement, Match, MatchStatus
    from mentormatch.services.agreements.cadence import OVERDUE, cadence_of, last_meetings

    demo.seed_demo()
    statuses = Counter(db.session.scalars(db.select(Match.status)))
    assert statuses[MatchStatus.ACTIVE] >= 20 and statuses[MatchStatus.ENDED] >= 1
    assert statuses[MatchStatus.DECLINED] >= 1 and statuses[MatchStatus.ACCEPTED_BY_MENTEE] >= 1
    active = db.session.scalars(db.select(Agreement).join(Match).where(Match.status == MatchStatus.ACTIVE)).all()
    last = last_meetings([a.id for a in active])
    states = Counter(cadence_of(a.current_terms.frequency, a.current_terms.start_date, last.get(a.id)).state
                     for a in active)
    assert states[OVERDUE] >= 3 and sum(states.values()) - states[OVERDUE] >= 10
    mentee = accounts.find_user_by_email(demo.MENTEE_EMAIL)
    mentor = accounts.find_user_by_email(demo.MENTOR_EMAIL)
    assert db.session.scalar(db.select(db.func.count()).select_from(Match).where(Match.mentee_id == mentee.id)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Match).where(
        Match.mentor_id == mentor.id, Match.status == MatchStatus.ACTIVE)) >= 1
