"""The migrations: the models and the migrations describe the same schema (like `flask db check`),
and migration 0012 moves a single-pool database into one program and back."""

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AuditEntry, Match, MatchingRound, Meeting, Program, ProgramCoordinator, User,
)

BEFORE_PROGRAMS = "0011"
JSON_COLUMNS = {"weights", "excluded_pairs", "topics", "before", "after"}
AT = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)


def test_the_migrated_schema_matches_the_models(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def _column(name, value):
    if name in JSON_COLUMNS:
        return sa.column(name, sa.JSON)
    if isinstance(value, datetime):
        return sa.column(name, sa.DateTime(timezone=True))
    if isinstance(value, date):
        return sa.column(name, sa.Date)
    kinds = {bool: sa.Boolean, int: sa.Integer, float: sa.Float, str: sa.Text}
    return sa.column(name, kinds[type(value)]()) if type(value) in kinds else sa.column(name)


def _insert(conn, table: str, *rows: dict) -> None:
    """Plain Core inserts: the models describe revision head, these tables are at 0011."""
    names = list(rows[0])
    target = sa.table(table, *(_column(n, next((r[n] for r in rows if r[n] is not None), None)) for n in names))
    conn.execute(sa.insert(target), list(rows))


def _user(id, email, role, deleted=False):
    return dict(id=id, email=email, name=email.split("@")[0].title(), password_hash="x", role=role, active=not deleted,
                created_at=AT, email_confirmed_at=AT, deleted_at=AT if deleted else None,
                password_link_nonce=None, email_change_nonce=None)


def _profile(id, user_id, capacity=None, accepting=False):
    return dict(id=id, user_id=user_id, job_title="MLS", organisation="Riverside General", years_experience=5,
                time_zone="America/Chicago", meeting_mode="virtual", meeting_frequency="monthly", shift="day",
                bio="", hopes="", capacity=capacity, accepting_mentees=accepting, updated_at=AT)


def _match(id, mentee, mentor, status, origin="request", round_id=None):
    return dict(id=id, mentee_id=mentee, mentor_id=mentor, status=status, origin=origin, round_id=round_id,
                score=None, message="", decline_reason="no_time" if status == "declined" else None,
                decline_note="", closed_by_id=None, created_at=AT, expires_at=None, decided_at=AT)


# People of the 0011 database: id -> (email, role).
PEOPLE = {1: ("coordinator@example.org", "coordinator"), 2: ("mentor@example.org", "mentor"),
          3: ("mentor001@example.org", "mentor"), 4: ("mentee001@example.org", "mentee"),
          5: ("mentee002@example.org", "mentee"), 6: ("mentee@example.org", "mentee"),
          7: ("gone@example.org", "mentee"), 8: ("coordinator2@example.org", "coordinator")}
CAPACITY = {2: (3, True), 3: (1, False)}  # mentor -> (capacity, accepting)
SOUGHT = {4: {("goal", "mlt_to_mls"), ("credential_sought", "ascp_mls")}, 5: {("goal", "supervisor")},
          6: {("goal", "networking"), ("goal", "certification"), ("credential_sought", "ascp_sbb")}}
KEPT = {2: {("specialty", "hematology"), ("goal", "mlt_to_mls"), ("credential", "ascp_mls")},
        3: {("specialty", "blood_bank"), ("goal", "supervisor"), ("goal", "networking")},
        4: {("specialty", "hematology"), ("credential", "ascp_mlt")}, 5: {("specialty", "microbiology")},
        6: {("specialty", "blood_bank")}}
# match id -> (mentee, mentor, status)
MATCHES = {1: (4, 2, "active"), 2: (5, 3, "proposed"), 3: (6, 2, "declined"), 4: (5, 2, "ended"),
           5: (7, 3, "accepted_by_mentee")}


def _fill_revision_0011():
    """A database the way today's `flask demo` leaves it, written with plain SQL at revision 0011."""
    with db.engine.begin() as conn:
        _insert(conn, "users", *(_user(i, email, role, deleted=i == 7) for i, (email, role) in PEOPLE.items()))
        _insert(conn, "profiles", *(_profile(i, i, *CAPACITY.get(i, (None, False))) for i in range(2, 7)))
        tags = [dict(profile_id=i, kind=k, code=c) for i in range(2, 7) for k, c in sorted(KEPT[i] | SOUGHT.get(i, set()))]
        _insert(conn, "profile_tags", *tags)
        _insert(conn, "matching_rounds", dict(id=1, created_by_id=1, method="optimal", status="published",
                                              weights={}, excluded_pairs=[], proposals=1, total_score=0.7,
                                              created_at=AT))
        _insert(conn, "matches", *(_match(i, mentee, mentor, status, *(("round", 1) if i == 2 else ()))
                                   for i, (mentee, mentor, status) in MATCHES.items()))
        _insert(conn, "agreements", *(dict(id=i, match_id=m, status=s, created_at=AT, ended_at=AT if s == "ended" else None,
                                           ended_by_id=5 if s == "ended" else None,
                                           end_reason="goals_achieved" if s == "ended" else None, end_note="")
                                      for i, m, s in ((1, 1, "active"), (2, 4, "ended"))))
        _insert(conn, "agreement_versions", dict(
            id=1, agreement_id=1, number=1, status="confirmed", frequency="monthly", mode="virtual",
            start_date=date(2026, 9, 1), end_date=date(2027, 3, 1), topics=["specialty:hematology"],
            expectations="", proposed_by_id=4, created_at=AT, confirmed_by_id=2, confirmed_at=AT))
        _insert(conn, "meetings", *(dict(id=i, agreement_id=1, logged_by_id=4, held_on=date(2026, 9, i), duration_minutes=60,
                                         mode="virtual", topics=["specialty:hematology"], shared_notes="QC review",
                                         created_at=AT, submission_key=None) for i in (2, 3)))
        _insert(conn, "agreement_goals", dict(
            id=1, agreement_id=1, description="Pass the exam", target_date=None, status="in_progress",
            created_by_id=4, created_at=AT, updated_by_id=4, updated_at=AT, achieved_on=None, submission_key=None))
        _insert(conn, "audit_entries", *(dict(id=i, at=AT, actor_id=1, actor_name="Coordinator", action=a,
                                              target_type="user", target_id=4, summary=a, before={}, after={"x": 1})
                                         for i, a in ((1, "flagged"), (2, "flag_cleared"))))


def _wipe_and_return_to_head():
    """Leave the shared test database as the other tests expect: empty, at head."""
    db.session.remove()
    with db.engine.begin() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text(f'TRUNCATE "{table.name}" RESTART IDENTITY CASCADE'))
                else:
                    conn.execute(table.delete())
    upgrade()


@pytest.fixture
def at_0011(app_ctx):
    db.session.remove()
    downgrade(revision=BEFORE_PROGRAMS)
    try:
        yield
    finally:
        _wipe_and_return_to_head()


def _emails(ids):
    return {PEOPLE[i][0] for i in ids}


def test_0012_moves_a_single_pool_into_one_program_and_back(at_0011):
    _fill_revision_0011()
    upgrade()

    program = db.session.scalars(sa.select(Program)).one()
    assert program.name == "Laboratory mentoring program"
    by_email = {u.email: u for u in db.session.scalars(sa.select(User))}
    for user_id, (email, role) in PEOPLE.items():
        user = by_email[email]
        if role == "coordinator":
            assert user.memberships == [] and user.coordinates(program.id) and not user.is_admin
            continue
        membership = user.membership_in(program.id)
        assert membership is not None and membership.role == role, email
        assert membership.status == ("left" if user.deleted_at else "active")
        if role == "mentor":
            assert (membership.capacity, membership.accepting_mentees) == CAPACITY[user_id]
        else:
            assert membership.capacity is None and not membership.accepting_mentees
            assert {(t.kind, t.code) for t in membership.tags} == SOUGHT.get(user_id, set())
        if user.profile is not None:  # a mentee's goals left the profile; a mentor's stay (what they help with)
            assert {(t.kind, t.code) for t in user.profile.tags} == KEPT[user_id]
    appointed = db.session.scalars(sa.select(User.email).join(ProgramCoordinator, ProgramCoordinator.user_id == User.id)
                                   .where(ProgramCoordinator.program_id == program.id))
    assert set(appointed) == _emails([1, 8])

    assert {m.program_id for m in db.session.scalars(sa.select(Match))} == {program.id}
    assert {r.program_id for r in db.session.scalars(sa.select(MatchingRound))} == {program.id}
    assert {a.program_id for a in db.session.scalars(sa.select(AuditEntry))} == {program.id}
    # Every pair, agreement and meeting is still reached by the same two people, each on their side.
    for match_id, (mentee, mentor, status) in MATCHES.items():
        match = db.session.get(Match, match_id)
        assert (match.mentee.email, match.mentor.email, match.status) == (PEOPLE[mentee][0], PEOPLE[mentor][0], status)
        assert match.mentee.membership_in(match.program_id).role == "mentee"
        assert match.mentor.membership_in(match.program_id).role == "mentor"
    active = db.session.get(Match, 1)
    assert active.agreement.id == 1 and active.agreement.current_terms.frequency == "monthly"
    assert sorted(m.id for m in active.agreement.meetings) == [2, 3]
    assert [g.description for g in active.agreement.goals] == ["Pass the exam"]
    assert db.session.get(Agreement, 2).match.mentee.email == PEOPLE[5][0]
    assert {m.agreement.match.mentor.email for m in db.session.scalars(sa.select(Meeting))} == {PEOPLE[2][0]}
    assert db.session.get(Match, 2).round.program_id == program.id

    db.session.remove()
    downgrade(revision=BEFORE_PROGRAMS)
    with db.engine.connect() as conn:
        roles = dict(conn.execute(sa.text("SELECT email, role FROM users")).all())
        assert roles == {email: role for email, role in PEOPLE.values()}
        capacity = {row.user_id: (row.capacity, bool(row.accepting_mentees)) for row in conn.execute(
            sa.text("SELECT user_id, capacity, accepting_mentees FROM profiles"))}
        assert capacity == {i: CAPACITY.get(i, (None, False)) for i in range(2, 7)}
        tags = {}
        for row in conn.execute(sa.text("SELECT profile_id, kind, code FROM profile_tags")):
            tags.setdefault(row.profile_id, set()).add((row.kind, row.code))
        assert tags == {i: KEPT[i] | SOUGHT.get(i, set()) for i in range(2, 7)}
        pairs = {row.id: (row.mentee_id, row.mentor_id, row.status)
                 for row in conn.execute(sa.text("SELECT id, mentee_id, mentor_id, status FROM matches"))}
        assert pairs == MATCHES
        assert conn.execute(sa.text("SELECT count(*) FROM meetings")).scalar() == 2
        assert conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar() == 2
        tables = set(sa.inspect(conn).get_table_names())
        assert not tables & {"programs", "memberships", "membership_tags", "program_coordinators"}


def test_0012_up_and_down_on_an_empty_database(at_0011):
    upgrade()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0  # no data, no program
    db.session.remove()
    downgrade(revision=BEFORE_PROGRAMS)
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        assert "role" in {c["name"] for c in inspector.get_columns("users")}
        assert "capacity" in {c["name"] for c in inspector.get_columns("profiles")}
        assert "program_id" not in {c["name"] for c in inspector.get_columns("matches")}
        assert "programs" not in inspector.get_table_names()
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_0012_gives_rounds_and_audit_entries_a_program_when_no_account_is_left(at_0011):
    """Rounds outlive hard-deleted accounts; their program_id must not stay empty."""
    with db.engine.begin() as conn:
        _insert(conn, "matching_rounds", dict(id=1, created_by_id=None, method="optimal", status="published",
                                              weights={}, excluded_pairs=[], proposals=0, total_score=0.0,
                                              created_at=AT))
    upgrade()
    program = db.session.scalars(sa.select(Program)).one()
    assert db.session.get(MatchingRound, 1).program_id == program.id


@pytest.mark.postgres_only
def test_the_audit_log_stays_append_only_with_its_program_column(app_ctx):
    from tests.factories import make_program

    program = make_program()
    db.session.add(AuditEntry(actor_name="Admin", action="program_created", target_type="program",
                              target_id=program.id, summary="Created", program_id=program.id))
    db.session.commit()
    other = make_program()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.update(AuditEntry).values(program_id=other.id))
    db.session.rollback()
    # Deleting the program is the one change of program_id the log lets through (ON DELETE SET NULL).
    db.session.execute(sa.delete(Program).where(Program.id == program.id))
    db.session.commit()
    assert db.session.scalars(sa.select(AuditEntry.program_id)).one() is None


DEMO_AT_0011 = Path(__file__).parent / "fixtures" / "demo_at_0011.json"
DEMO_PASSWORD = "mentormatch-demo"


def _load_demo_at_0011() -> dict:
    """Write the rows ``flask demo`` made before programs (tests/fixtures/demo_at_0011.json) into the 0011 schema."""
    dump = json.loads(DEMO_AT_0011.read_text())
    assert dump["revision"] == BEFORE_PROGRAMS
    with db.engine.begin() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        for table in metadata.sorted_tables:
            if table.name not in dump["tables"] or not dump["tables"][table.name]["rows"]:
                continue
            columns = dump["tables"][table.name]["columns"]
            rows = [{name: _typed(table.c[name].type, value) for name, value in zip(columns, row)}
                    for row in dump["tables"][table.name]["rows"]]
            conn.execute(sa.insert(table), rows)
    return dump["tables"]


def _typed(column_type, value):
    """A JSON value as the reflected column wants it (dates and times were written as ISO strings)."""
    if value is None:
        return None
    python_type = None
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        pass
    if python_type is datetime:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is bool:
        return bool(value)
    return value


def test_0012_keeps_every_pair_agreement_and_meeting_of_the_old_demo_with_its_people(at_0011, app):
    tables = _load_demo_at_0011()
    upgrade()

    def rows(name):
        columns = tables[name]["columns"]
        return [dict(zip(columns, row)) for row in tables[name]["rows"]]

    users = {u["id"]: u for u in rows("users")}
    program = db.session.scalars(sa.select(Program)).one()
    for old in users.values():
        user = db.session.get(User, old["id"])
        if old["role"] == "coordinator":
            assert user.coordinates(program.id) and user.memberships == []
        else:
            assert user.membership_in(program.id).role == old["role"], old["email"]
    meetings_per_agreement: dict[int, int] = {}
    for meeting in rows("meetings"):
        meetings_per_agreement[meeting["agreement_id"]] = meetings_per_agreement.get(meeting["agreement_id"], 0) + 1
    agreement_of = {a["match_id"]: a["id"] for a in rows("agreements")}
    db.session.remove()

    client = app.test_client()
    for old in rows("matches"):
        mentee, mentor = users[old["mentee_id"]], users[old["mentor_id"]]
        for who in (mentee, mentor):
            client.post("/auth/logout")
            assert client.post("/auth/login", data={"email": who["email"], "password": DEMO_PASSWORD}
                               ).status_code == 302, who["email"]
            page = client.get(f"/matches/{old['id']}")
            assert page.status_code == 200, (who["email"], old["id"])
            other = mentor if who is mentee else mentee
            assert other["name"] in page.get_data(as_text=True)
            if old["id"] in agreement_of:
                agreement = client.get(f"/agreements/{agreement_of[old['id']]}")
                assert agreement.status_code == 200, (who["email"], agreement_of[old["id"]])
    with app.app_context():
        for agreement_id, count in meetings_per_agreement.items():
            assert len(db.session.get(Agreement, agreement_id).meetings) == count
        # Someone outside a pair still cannot open it.
        outsider = next(u for u in users.values() if u["role"] == "mentee"
                        and u["id"] not in {m["mentee_id"] for m in rows("matches")})
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": outsider["email"], "password": DEMO_PASSWORD})
    assert client.get(f"/matches/{rows('matches')[0]['id']}").status_code in (403, 404)
