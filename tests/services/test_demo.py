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
