from collections import Counter

from sqlalchemy import text

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import (
    Match, Membership, MembershipTag, Profile, ProfileTag, Program, ProgramCoordinator, ProgramRole, User,
)
from mentormatch.services import accounts, demo


def _snapshot():
    users = db.session.execute(db.select(User.email, User.name, User.is_admin).order_by(User.email)).all()
    tags = db.session.execute(
        db.select(User.email, ProfileTag.kind, ProfileTag.code)
        .join(Profile, Profile.user_id == User.id).join(ProfileTag)
        .order_by(User.email, ProfileTag.kind, ProfileTag.code)
    ).all()
    memberships = db.session.execute(
        db.select(User.email, Program.slug, Membership.role, Membership.capacity, Membership.accepting_mentees)
        .join(Membership, Membership.user_id == User.id).join(Program)
        .order_by(User.email, Program.slug)).all()
    sought = db.session.execute(
        db.select(User.email, Program.slug, MembershipTag.kind, MembershipTag.code)
        .join(Membership, Membership.user_id == User.id).join(Program).join(MembershipTag)
        .order_by(User.email, Program.slug, MembershipTag.kind, MembershipTag.code)).all()
    mentee, mentor = db.aliased(User), db.aliased(User)
    pairs = db.session.execute(  # by email: PostgreSQL's ids go on counting after the tables are emptied
        db.select(Program.slug, Match.status, mentee.email, mentor.email).join(Program)
        .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
        .order_by(Match.id)).all()
    return users, tags, memberships, sought, pairs


def _roles_by_person():
    rows = db.session.execute(db.select(Membership.user_id, Membership.role)).all()
    roles: dict[int, set[str]] = {}
    for user_id, role in rows:
        roles.setdefault(user_id, set()).add(role)
    return roles


def test_the_demo_is_big_and_covers_every_vocabulary(app_ctx):
    counts = demo.seed_demo(with_history=False)
    roles = _roles_by_person()
    mentors = {u for u, r in roles.items() if ProgramRole.MENTOR in r}
    mentees = {u for u, r in roles.items() if ProgramRole.MENTEE in r}
    assert counts.mentors >= 40 and len(mentors) == counts.mentors
    assert counts.mentees >= 120 and len(mentees) == counts.mentees + counts.both_roles
    tags = db.session.execute(db.select(ProfileTag.kind, ProfileTag.code)).all()
    by_kind = {kind: {code for k, code in tags if k == kind} for kind in ("specialty", "goal", "credential")}
    assert by_kind["specialty"] == set(domain.codes(domain.SPECIALTIES))
    assert by_kind["goal"] == set(domain.codes(domain.CAREER_GOALS))
    assert by_kind["credential"] == set(domain.codes(domain.CREDENTIALS))
    profiles = db.session.scalars(db.select(Profile)).all()
    assert len(profiles) == counts.mentors + counts.mentees
    assert {p.shift for p in profiles} == set(domain.codes(domain.SHIFTS))
    assert len({p.time_zone for p in profiles}) >= 10
    assert all(p.is_complete for p in profiles)
    memberships = db.session.scalars(db.select(Membership)).all()
    assert all(m.is_complete() for m in memberships)
    # What a mentee seeks is on the membership; a profile's goals are what a mentor can help with.
    mentee_only = mentees - mentors
    assert not db.session.scalar(db.select(db.func.count()).select_from(ProfileTag).join(Profile).where(
        Profile.user_id.in_(mentee_only), ProfileTag.kind == "goal"))


def test_three_programs_each_with_a_coordinator_and_people_in_several(app_ctx):
    demo.seed_demo(with_history=False)
    programs = {p.name: p for p in db.session.scalars(db.select(Program))}
    assert {(name, p.track) for name, p in programs.items()} == {
        ("New graduate onboarding", "new_graduate"), ("MLT to MLS pathway", "mlt_to_mls"),
        ("Supervisor and leadership track", "leadership")}
    for program in programs.values():
        assert len(program.coordinators) == 1, program.name
        members = Counter(m.role for m in program.memberships)
        assert members[ProgramRole.MENTEE] >= 15 and members[ProgramRole.MENTOR] >= 8, (program.name, members)
    coordinator = accounts.find_user_by_email(demo.COORDINATOR_EMAIL)
    assert [p.name for p in coordinator.coordinated_programs] == ["New graduate onboarding"]
    assert coordinator.memberships == [] and not coordinator.is_admin
    assert len({c.user_id for c in db.session.scalars(db.select(ProgramCoordinator))}) == 3
    admin = accounts.find_user_by_email(demo.ADMIN_EMAIL)
    assert admin.is_admin and admin.memberships == []
    assert [u.email for u in db.session.scalars(db.select(User).where(User.is_admin))] == [demo.ADMIN_EMAIL]

    both = [u for u, r in _roles_by_person().items() if r == {ProgramRole.MENTOR, ProgramRole.MENTEE}]
    assert len(both) >= 5
    several = Counter(db.session.scalars(db.select(Membership.user_id)))
    assert sum(1 for n in several.values() if n >= 2) >= len(both) + 5  # and people in several on one side
    mentor = accounts.find_user_by_email(demo.MENTOR_EMAIL)
    assert [m.role for m in mentor.memberships] == ["mentor", "mentor"]
    mentee = accounts.find_user_by_email(demo.MENTEE_EMAIL)
    assert [m.role for m in mentee.memberships] == ["mentee"]
    person = accounts.find_user_by_email(demo.BOTH_ROLES_EMAIL)
    assert {m.role for m in person.memberships} == {"mentor", "mentee"}


def test_the_demo_logins_work_with_the_printed_password(app_ctx):
    demo.seed_demo(with_history=False)
    logins = dict((email, who) for who, email in demo.demo_logins())
    assert {demo.ADMIN_EMAIL, demo.COORDINATOR_EMAIL, demo.MLS_COORDINATOR_EMAIL, demo.LEADERSHIP_COORDINATOR_EMAIL,
            demo.MENTOR_EMAIL, demo.MENTEE_EMAIL, demo.BOTH_ROLES_EMAIL} == set(logins)
    for email, who in logins.items():
        user = accounts.authenticate(email, demo.DEMO_PASSWORD)
        assert user is not None, email
        if who == "administrator":
            assert user.is_admin
        elif who.startswith("coordinator of "):
            assert [p.name for p in user.coordinated_programs] == [who.removeprefix("coordinator of ")]
        else:
            assert user.memberships, email


def test_the_same_seed_gives_the_same_people_and_pairs(app, app_ctx):
    demo.seed_demo(seed=7)
    first = _snapshot()
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:  # TRUNCATE on PostgreSQL: issued certificates refuse DELETE there
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    demo.seed_demo(seed=7)
    assert _snapshot() == first
    assert demo.is_loaded()


def test_the_demo_has_pairs_in_every_program_and_none_crosses_programs(app_ctx):
    from mentormatch.models import Agreement, MatchStatus
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

    all_matches = db.session.scalars(db.select(Match)).all()
    for match in all_matches:  # a match never crosses programs
        mentee_side = match.mentee.membership_in(match.program_id)
        mentor_side = match.mentor.membership_in(match.program_id)
        assert mentee_side is not None and mentee_side.role == ProgramRole.MENTEE, match
        assert mentor_side is not None and mentor_side.role == ProgramRole.MENTOR, match
    per_program = Counter(m.program_id for m in all_matches if m.status == MatchStatus.ACTIVE)
    assert len(per_program) == 3 and min(per_program.values()) >= 5
    both = {u for u, r in _roles_by_person().items() if len(r) == 2}
    assert any(m.mentee_id in both and m.status == MatchStatus.ACTIVE for m in all_matches)

    mentee = accounts.find_user_by_email(demo.MENTEE_EMAIL)
    mentor = accounts.find_user_by_email(demo.MENTOR_EMAIL)
    assert db.session.scalar(db.select(db.func.count()).select_from(Match).where(Match.mentee_id == mentee.id)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Match).where(
        Match.mentor_id == mentor.id, Match.status == MatchStatus.ACTIVE)) >= 1
    for membership in mentor.memberships:  # capacity holds in each program
        taken = db.session.scalar(db.select(db.func.count()).select_from(Match).where(
            Match.mentor_id == mentor.id, Match.program_id == membership.program_id,
            Match.status == MatchStatus.ACTIVE))
        assert taken <= membership.capacity


def test_demo_pairs_have_written_to_each_other_and_have_meetings_coming_up(app_ctx):
    from datetime import timedelta

    from mentormatch.models import MatchStatus, Message, ScheduledMeeting
    from mentormatch.models.user import utcnow
    from mentormatch.services import messages

    demo.seed_demo()
    threads = db.session.scalars(db.select(Message.match_id).distinct()).all()
    assert len(threads) >= 10
    assert all(db.session.get(Match, match_id).status == MatchStatus.ACTIVE for match_id in threads)
    upcoming = db.session.scalars(db.select(ScheduledMeeting)).all()
    statuses = Counter(m.status for m in upcoming)
    assert statuses["confirmed"] >= 5 and statuses["proposed"] >= 2
    now = utcnow()
    assert all(m.starts_at.replace(tzinfo=now.tzinfo) > now for m in upcoming)
    mentor = accounts.find_user_by_email(demo.MENTOR_EMAIL)
    assert messages.unread_total(mentor) >= 1  # the demo mentor has something to read
    assert messages.send_digests(now=now + timedelta(hours=1)) == 0  # the made-up history emails nobody


def test_every_demo_program_awards_ce_hours_and_its_completed_pairs_hold_verifiable_certificates(app_ctx):
    from mentormatch.models import Agreement, AgreementStatus, CeCertificate, CePolicy
    from mentormatch.services import certificates

    demo.seed_demo()
    programs = db.session.scalars(db.select(Program)).all()
    assert {p.program_id for p in db.session.scalars(db.select(CePolicy))} == {p.id for p in programs}
    completed = db.session.scalars(db.select(Agreement).where(Agreement.status == AgreementStatus.ENDED)).all()
    assert completed
    issued = db.session.scalars(db.select(CeCertificate)).all()
    for agreement in completed:
        holders = {c.user_id for c in issued if c.agreement_id == agreement.id}
        assert holders == {agreement.match.mentee_id, agreement.match.mentor_id}
    assert all(certificates.verify(c.number).valid for c in issued)
    assert all(c.contact_hours <= 12 for c in issued)


def test_the_demo_runs_itself_surveys_reminders_and_escalations_wait_and_go_once(app_ctx):
    from mentormatch import clock
    from mentormatch.models import Escalation, OutboxEmail, Reminder, SurveyQuestion
    from mentormatch.services import automation

    demo.seed_demo()
    programs = db.session.scalars(db.select(Program)).all()
    asked = Counter(db.session.scalars(db.select(SurveyQuestion.program_id)))
    assert set(asked) == {p.id for p in programs} and min(asked.values()) >= 3
    first = automation.run_all(clock.now())
    kinds = Counter(db.session.scalars(db.select(Reminder.kind)))
    # Active pairs owe a kick-off survey (or a pulse), and the pairs behind their pace are reminded.
    assert kinds["survey"] > 0 and kinds["meeting_due"] > 0, kinds
    assert db.session.scalar(db.select(db.func.count()).select_from(Escalation)) > 0
    assert first["reminders"] == sum(kinds.values())
    again = automation.run_all(clock.now())
    assert again["reminders"] == 0 and again["reminder digests"] == 0 and again["escalations"] == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.idempotency_key.like("digest:%"))) == first["reminder digests"]
