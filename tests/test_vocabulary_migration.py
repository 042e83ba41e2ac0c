"""Migration 0016 renames the vocabulary's stored codes (amt_mt, bimonthly) and maps them back down.

Rows are written at revision 0015 with plain Core inserts holding the old codes, the way a
database of that revision holds them; 0016 changes data only, so the models' tables describe
0015's schema too (the first test checks it).
"""

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementVersion, AuditEntry, CredentialRecord, ExamPlan, Match, Meeting, Membership, MembershipTag,
    Profile, ProfileTag, Program, User,
)

BEFORE, AFTER = "0015", "0016"
AT = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def at_0015(app_ctx):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        yield
    finally:
        db.session.remove()
        upgrade()
        with db.engine.begin() as conn:  # leave the shared database empty, at head
            for table in reversed(db.metadata.sorted_tables):
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text(f'TRUNCATE "{table.name}" RESTART IDENTITY CASCADE'))
                else:
                    conn.execute(table.delete())


def _add(conn, model, **values) -> int:
    """One row through the table's Core insert (its column defaults fill the rest); returns its id.

    Only the columns revision 0015 has: the models have gained columns since (revision 0017's).
    """
    present = {column["name"] for column in sa.inspect(conn).get_columns(model.__table__.name)}
    table = sa.Table(model.__table__.name, sa.MetaData(),
                     *(column._copy() for column in model.__table__.columns if column.name in present))
    return conn.execute(sa.insert(table).values(**values)).inserted_primary_key[0]


def _profile(conn, user_id, **values):
    return _add(conn, Profile, user_id=user_id, job_title="MLS", organisation="Riverside General", years_experience=9,
                time_zone="America/Chicago", meeting_mode="virtual", **values)


def _fill_revision_0015() -> dict[str, int]:
    """A mentor holding MT(AMT) and QLS who helps toward "manager", and a mentee seeking MT(AMT), who meet
    every two months under the old code."""
    with db.engine.begin() as conn:
        program = _add(conn, Program, slug="core-lab", name="Core lab mentoring")
        mentor = _add(conn, User, email="mentor@lab.example.org", name="Maya Mentor", password_hash="x",
                      email_confirmed_at=AT)
        mentee = _add(conn, User, email="mentee@lab.example.org", name="Omar Mentee", password_hash="x",
                      email_confirmed_at=AT)
        mentor_profile = _profile(conn, mentor, meeting_frequency="bimonthly", shift="day")
        mentee_profile = _profile(conn, mentee, meeting_frequency="monthly", shift="night")
        conn.execute(sa.insert(ProfileTag.__table__), [
            dict(profile_id=mentor_profile, kind=k, code=c) for k, c in (
                ("specialty", "hematology"), ("credential", "amt_mt"), ("credential", "ascp_qls"),
                ("goal", "manager"), ("goal", "quality"))] + [
            dict(profile_id=mentee_profile, kind="specialty", code="hematology"),
            dict(profile_id=mentee_profile, kind="credential", code="ascp_mlt")])
        _add(conn, Membership, user_id=mentor, program_id=program, role="mentor", capacity=2, accepting_mentees=True)
        membership = _add(conn, Membership, user_id=mentee, program_id=program, role="mentee")
        conn.execute(sa.insert(MembershipTag.__table__), [
            dict(membership_id=membership, kind="goal", code="manager"),
            dict(membership_id=membership, kind="credential_sought", code="amt_mt")])
        _add(conn, CredentialRecord, user_id=mentor, kind="credential", code="amt_mt", earned_on=date(2012, 5, 1),
             expires_on=date(2027, 5, 1))
        _add(conn, CredentialRecord, user_id=mentor, kind="licence", code="ca", expires_on=date(2027, 1, 31),
             licence_number="CLS 12345")
        _add(conn, ExamPlan, membership_id=membership, credential="amt_mt", planned_on=date(2027, 3, 1))
        match = _add(conn, Match, program_id=program, mentee_id=mentee, mentor_id=mentor, status="active",
                     origin="request", decided_at=AT)
        agreement = _add(conn, Agreement, match_id=match, status="active")
        version = _add(conn, AgreementVersion, agreement_id=agreement, number=1, status="confirmed",
                       frequency="bimonthly", mode="virtual", start_date=date(2026, 11, 1),
                       end_date=date(2027, 5, 1), topics=["goal:manager", "specialty:hematology"],
                       proposed_by_id=mentee, confirmed_by_id=mentor, confirmed_at=AT)
        meeting = _add(conn, Meeting, agreement_id=agreement, logged_by_id=mentee, held_on=date(2026, 11, 20),
                       duration_minutes=45, mode="virtual", topics=["goal:manager"])
        _add(conn, AuditEntry, actor_name="Coordinator", action="profile_changed", target_type="user",
             target_id=mentor, summary="Credentials changed", before={"credentials": []},
             after={"credentials": ["amt_mt"]})
    return dict(program=program, mentor=mentor, mentee=mentee, mentor_profile=mentor_profile,
                mentee_profile=mentee_profile, membership=membership, version=version, meeting=meeting)


def _tags(conn, table: str, owner: str, owner_id: int) -> set[tuple[str, str]]:
    rows = conn.execute(sa.text(f"SELECT kind, code FROM {table} WHERE {owner} = :id"), {"id": owner_id})
    return {(row.kind, row.code) for row in rows}


def _one(conn, sql: str, **params):
    return conn.execute(sa.text(sql), params).scalar_one()


def _schema_differences() -> list[str]:
    """How the database's schema differs from the models' (Alembic's autogenerate), one line per difference."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(context, db.metadata)

    def named(item) -> str:
        if isinstance(item, (list, tuple)):
            return "(" + ", ".join(named(part) for part in item) + ")"
        return getattr(item, "name", None) or str(item)

    return sorted(named(difference) for difference in found)


def test_revision_0016_changes_no_schema(at_0015):
    before = _schema_differences()
    upgrade(revision=AFTER)
    assert _schema_differences() == before  # 0016 moves data only


def test_0016_renames_the_old_codes_everywhere_they_are_stored(at_0015):
    ids = _fill_revision_0015()
    upgrade(revision=AFTER)

    with db.engine.connect() as conn:
        assert _tags(conn, "profile_tags", "profile_id", ids["mentor_profile"]) == {
            ("specialty", "hematology"), ("credential", "amt_mls"), ("credential", "ascp_qls"),
            ("goal", "manager"), ("goal", "quality")}
        assert _tags(conn, "membership_tags", "membership_id", ids["membership"]) == {
            ("goal", "manager"), ("credential_sought", "amt_mls")}
        records = conn.execute(sa.text("SELECT kind, code, earned_on, licence_number FROM credential_records "
                                       "WHERE user_id = :id ORDER BY kind"), {"id": ids["mentor"]}).all()
        assert [(r.kind, r.code, str(r.earned_on) if r.earned_on else None, r.licence_number) for r in records] == [
            ("credential", "amt_mls", "2012-05-01", ""), ("licence", "ca", None, "CLS 12345")]
        assert _one(conn, "SELECT credential FROM exam_plans WHERE membership_id = :id",
                    id=ids["membership"]) == "amt_mls"
        assert _one(conn, "SELECT meeting_frequency FROM profiles WHERE id = :id",
                    id=ids["mentor_profile"]) == "every_two_months"
        assert _one(conn, "SELECT frequency FROM agreement_versions WHERE id = :id",
                    id=ids["version"]) == "every_two_months"
    # Every stored code is one the app knows now, and the app reads the rows.
    mentor = db.session.get(User, ids["mentor"])
    assert set(mentor.profile.codes("credential")) <= set(domain.codes(domain.CREDENTIALS))
    assert domain.label(domain.CREDENTIALS, "amt_mls").startswith("AMT MLS")
    version = db.session.get(AgreementVersion, ids["version"])
    assert version.topics == ["goal:manager", "specialty:hematology"]  # "manager" kept its code
    assert domain.label(domain.MEETING_FREQUENCIES, version.frequency) == "Every two months"
    # The audit log keeps what was written then.
    assert db.session.scalars(sa.select(AuditEntry.after)).one() == {"credentials": ["amt_mt"]}


def test_0016_down_maps_renames_back_and_new_codes_to_what_0015_knew(at_0015):
    ids = _fill_revision_0015()
    upgrade(revision=AFTER)
    # Codes only 0016 has, written after the upgrade.
    with db.engine.begin() as conn:
        conn.execute(sa.insert(ProfileTag.__table__), [
            dict(profile_id=ids["mentor_profile"], kind="goal", code="director"),  # beside "manager": merges
            dict(profile_id=ids["mentor_profile"], kind="credential", code="ascpi_sbb"),
            dict(profile_id=ids["mentor_profile"], kind="specialty", code="cytogenetics"),  # no older code
            dict(profile_id=ids["mentee_profile"], kind="credential", code="ascpi_mls"),
            dict(profile_id=ids["mentee_profile"], kind="goal", code="director")])
        conn.execute(sa.insert(MembershipTag.__table__), [
            dict(membership_id=ids["membership"], kind="goal", code="director")])
        _add(conn, CredentialRecord, user_id=ids["mentee"], kind="credential", code="ascpi_mls",
             earned_on=date(2019, 2, 1))
        _add(conn, CredentialRecord, user_id=ids["mentor"], kind="credential", code="ascp_sbb",
             earned_on=date(2015, 1, 1))
        _add(conn, CredentialRecord, user_id=ids["mentor"], kind="credential", code="ascpi_sbb",
             earned_on=date(2010, 1, 1))  # both forms: one record stays, the ASCP one
        conn.execute(sa.text("UPDATE profiles SET shift = 'day_12h' WHERE id = :id"), {"id": ids["mentor_profile"]})
        conn.execute(sa.text("UPDATE profiles SET shift = 'per_diem' WHERE id = :id"), {"id": ids["mentee_profile"]})
    db.session.remove()
    with db.engine.begin() as conn:
        table = AgreementVersion.__table__
        conn.execute(sa.update(table).where(table.c.id == ids["version"]).values(
            topics=["goal:director", "goal:manager", "specialty:cytogenetics"]))

    downgrade(revision=BEFORE)
    with db.engine.connect() as conn:
        assert _tags(conn, "profile_tags", "profile_id", ids["mentor_profile"]) == {
            ("specialty", "hematology"), ("specialty", "cytogenetics"), ("credential", "amt_mt"),
            ("credential", "ascp_qls"), ("credential", "ascp_sbb"), ("goal", "manager"), ("goal", "quality")}
        assert _tags(conn, "profile_tags", "profile_id", ids["mentee_profile"]) == {
            ("specialty", "hematology"), ("credential", "ascp_mlt"), ("credential", "ascp_mls"), ("goal", "manager")}
        assert _tags(conn, "membership_tags", "membership_id", ids["membership"]) == {
            ("goal", "manager"), ("credential_sought", "amt_mt")}
        records = {(r.user_id, r.code): r.earned_on for r in conn.execute(sa.text(
            "SELECT user_id, code, earned_on FROM credential_records WHERE kind = 'credential'"))}
        assert set(records) == {(ids["mentor"], "amt_mt"), (ids["mentor"], "ascp_sbb"), (ids["mentee"], "ascp_mls")}
        assert str(records[(ids["mentor"], "ascp_sbb")]) == "2015-01-01"
        assert _one(conn, "SELECT credential FROM exam_plans WHERE membership_id = :id",
                    id=ids["membership"]) == "amt_mt"
        shifts = dict(conn.execute(sa.text("SELECT id, shift FROM profiles")).all())
        assert shifts == {ids["mentor_profile"]: "day", ids["mentee_profile"]: "rotating"}
        frequencies = dict(conn.execute(sa.text("SELECT id, meeting_frequency FROM profiles")).all())
        assert frequencies == {ids["mentor_profile"]: "bimonthly", ids["mentee_profile"]: "monthly"}
        assert _one(conn, "SELECT frequency FROM agreement_versions WHERE id = :id", id=ids["version"]) == "bimonthly"
        versions = sa.table("agreement_versions", sa.column("id"), sa.column("topics", sa.JSON))
        meetings = sa.table("meetings", sa.column("id"), sa.column("topics", sa.JSON))
        assert conn.execute(sa.select(versions.c.topics)).scalar_one() == ["goal:manager", "specialty:cytogenetics"]
        assert conn.execute(sa.select(meetings.c.topics)).scalar_one() == ["goal:manager"]

    # Up again: the renames come back; what the way down merged stays merged (documented as lossy).
    upgrade(revision=AFTER)
    with db.engine.connect() as conn:
        assert ("credential", "amt_mls") in _tags(conn, "profile_tags", "profile_id", ids["mentor_profile"])
        assert _one(conn, "SELECT shift FROM profiles WHERE id = :id", id=ids["mentor_profile"]) == "day"
        assert _one(conn, "SELECT frequency FROM agreement_versions WHERE id = :id",
                    id=ids["version"]) == "every_two_months"


def test_0016_up_and_down_on_an_empty_database(at_0015):
    upgrade(revision=AFTER)
    downgrade(revision=BEFORE)
    upgrade(revision=AFTER)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProfileTag)) == 0
