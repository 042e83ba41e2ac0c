"""Programs and memberships: one installation runs many programs, a role belongs to a membership.

New tables:
- ``programs``: name, slug, track, enrolment, dates, default agreement length,
  who may join on each side, and the matching settings that were global.
- ``memberships``: (person, program, role) with a status; a mentor's capacity
  and whether they accept mentees now belong here. One per person and program.
- ``membership_tags``: what a mentee seeks in that program (career goals,
  credentials sought), moved off the profile.
- ``program_coordinators``: who runs which program.

Changed tables: ``users.role`` goes (a person's side is per membership) and
``users.is_admin`` comes (the site administrator, made with ``flask
create-admin``); ``profiles.capacity`` and ``profiles.accepting_mentees`` move
to the membership; ``matches``, ``matching_rounds`` and ``audit_entries`` gain
``program_id``, and a match's uniqueness rules hold per program.

Data: when the database already holds people, upgrade creates one program,
"Laboratory mentoring program", and moves everything into it: each mentee
and mentor becomes a member with their current role (status "left" for a
deleted account), each coordinator one of its coordinators, every match,
round and audit entry belongs to it. A mentee's goals and credentials sought
move to the membership; a mentor's goals stay on the profile (what they can
help with). Downgrade puts back the single role (coordinator when appointed
anywhere or an administrator, otherwise the side of the person's first
membership), capacity and goals from the first membership of each side, and
fails on a database where one mentee has active matches in two programs (the
old schema cannot hold that).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = "status IN ('proposed', 'accepted_by_mentee', 'accepted_by_mentor', 'active')"
TRACKS = ("new_graduate", "mlt_to_mls", "certification", "leadership", "specialty", "general")
MOVED_KINDS = "('goal', 'credential_sought')"


def _audit_0011():
    """Migration 0011's module: its append-only trigger function is the one this revision amends."""
    path = Path(__file__).with_name("0011_deletion_scrub.py")
    spec = importlib.util.spec_from_file_location("mentormatch_migration_0011", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replaced(text: str, old: str, new: str) -> str:
    assert old in text, f"migration 0011's trigger function changed: {old!r} not found"
    return text.replace(old, new)


def _append_only_with_programs() -> str:
    """PostgreSQL's append-only audit trigger (0005, 0011), aware of ``program_id``.

    Every UPDATE it lets through must also leave ``program_id`` alone, and one
    more gets through: ON DELETE SET NULL of the entry's program.
    """
    function = _audit_0011().WITH_ERASURE
    function = _replaced(function, "NEW.target_id, NEW.summary,", "NEW.target_id, NEW.program_id, NEW.summary,")
    function = _replaced(function, "OLD.target_id, OLD.summary,", "OLD.target_id, OLD.program_id, OLD.summary,")
    function = _replaced(function, "NEW.target_type, NEW.target_id)", "NEW.target_type, NEW.target_id, NEW.program_id)")
    function = _replaced(function, "OLD.target_type, OLD.target_id)", "OLD.target_type, OLD.target_id, OLD.program_id)")
    return _replaced(function, "    IF TG_OP = 'UPDATE' AND erasing", """\
    IF TG_OP = 'UPDATE' AND OLD.program_id IS NOT NULL AND NEW.program_id IS NULL
       AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.action, NEW.target_type, NEW.target_id,
            NEW.summary, NEW.before::text, NEW.after::text)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.action, OLD.target_type, OLD.target_id,
            OLD.summary, OLD.before::text, OLD.after::text) THEN
        RETURN NEW;  -- ON DELETE SET NULL of the entry's program
    END IF;
    IF TG_OP = 'UPDATE' AND erasing""")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _create_tables():
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("enrolment", sa.String(length=16), nullable=False),
        sa.Column("enrol_opens_on", sa.Date(), nullable=True),
        sa.Column("enrol_closes_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("agreement_months", sa.Integer(), nullable=False),
        sa.Column("mentors_may_join", sa.Boolean(), nullable=False),
        sa.Column("mentees_may_join", sa.Boolean(), nullable=False),
        sa.Column("matching_method", sa.String(length=16), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("max_open_requests", sa.Integer(), nullable=False),
        sa.Column("expiry_days", sa.Integer(), nullable=False),
        sa.Column("suggestions", sa.Integer(), nullable=False),
        sa.Column("direct_requests", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("track", TRACKS), name=op.f("ck_programs_track")),
        sa.CheckConstraint("enrolment IN ('open', 'invitation', 'closed')", name=op.f("ck_programs_enrolment")),
        sa.CheckConstraint("matching_method IN ('optimal', 'stable')", name=op.f("ck_programs_matching_method")),
        sa.CheckConstraint("agreement_months BETWEEN 1 AND 36", name=op.f("ck_programs_agreement_months")),
        sa.CheckConstraint("max_open_requests BETWEEN 1 AND 10", name=op.f("ck_programs_max_open_requests")),
        sa.CheckConstraint("expiry_days BETWEEN 1 AND 90", name=op.f("ck_programs_expiry_days")),
        sa.CheckConstraint("suggestions BETWEEN 1 AND 50", name=op.f("ck_programs_suggestions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.UniqueConstraint("slug", name=op.f("uq_programs_slug")),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("accepting_mentees", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('mentee', 'mentor')", name=op.f("ck_memberships_role")),
        sa.CheckConstraint("status IN ('applied', 'active', 'paused', 'left')", name=op.f("ck_memberships_status")),
        sa.CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 10", name=op.f("ck_memberships_capacity")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_memberships_program_id_programs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("user_id", "program_id", name="uq_memberships_user_program"),
    )
    op.create_index("ix_memberships_program_role_status", "memberships", ["program_id", "role", "status"])
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"])
    op.create_table(
        "membership_tags",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["membership_id"], ["memberships.id"],
                                name=op.f("fk_membership_tags_membership_id_memberships"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("membership_id", "kind", "code", name=op.f("pk_membership_tags")),
    )
    op.create_index("ix_membership_tags_kind_code", "membership_tags", ["kind", "code"])
    op.create_table(
        "program_coordinators",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("appointed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_program_coordinators_program_id_programs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_program_coordinators_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", "user_id", name=op.f("pk_program_coordinators")),
    )
    op.create_index(op.f("ix_program_coordinators_user_id"), "program_coordinators", ["user_id"])


def _first_program() -> int | None:
    """Create the program today's data moves into, when there is data; its id."""
    bind = op.get_bind()
    # Rounds and audit entries outlive the accounts that made them: they need a program too.
    if not bind.execute(sa.text("SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM matching_rounds) "
                                "OR EXISTS (SELECT 1 FROM audit_entries)")).scalar():
        return None
    bind.execute(sa.text(
        "INSERT INTO programs (slug, name, description, track, enrolment, agreement_months, mentors_may_join, "
        "mentees_may_join, matching_method, weights, max_open_requests, expiry_days, suggestions, "
        "direct_requests, created_at) VALUES ('laboratory-mentoring', 'Laboratory mentoring program', "
        "'Mentoring for medical laboratory staff.', 'general', 'open', 6, true, true, 'optimal', '{}', 3, 14, "
        "10, true, CURRENT_TIMESTAMP)"))
    return bind.execute(sa.text("SELECT id FROM programs WHERE slug = 'laboratory-mentoring'")).scalar()


def _sqlite_foreign_keys(on: bool, keep: bool = True) -> None:
    """SQLite: turn foreign key enforcement off around the table rebuilds, then check it.

    Batch mode rebuilds ``users``, ``profiles`` and ``matches`` (copy, drop, rename);
    with enforcement on, dropping the old table is a DELETE that cascades to
    every profile, membership, match, agreement and meeting. The pragma is
    ignored inside a transaction, so the migration's transaction is committed
    first and a new one begun; when the migration failed (``keep`` false) its
    work is rolled back instead, and the connection gets enforcement back either way.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("COMMIT" if keep else "ROLLBACK")
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    bind.exec_driver_sql("BEGIN")
    if on and keep:
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration 0012 left rows whose foreign keys point nowhere: {broken[:5]}")


def upgrade():
    _sqlite_foreign_keys(False)
    try:
        _upgrade()
    except BaseException:
        _sqlite_foreign_keys(True, keep=False)
        raise
    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    try:
        _downgrade()
    except BaseException:
        _sqlite_foreign_keys(True, keep=False)
        raise
    _sqlite_foreign_keys(True)


def _upgrade():
    _create_tables()
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
    for table in ("matches", "matching_rounds", "audit_entries"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("program_id", sa.Integer(), nullable=True))

    program = _first_program()
    if program is not None:
        params = {"program": program}
        bind = op.get_bind()
        bind.execute(sa.text(
            "INSERT INTO memberships (user_id, program_id, role, status, capacity, accepting_mentees, "
            "created_at, updated_at) "
            "SELECT u.id, :program, u.role, CASE WHEN u.deleted_at IS NULL THEN 'active' ELSE 'left' END, "
            "CASE WHEN u.role = 'mentor' THEN p.capacity END, "
            "COALESCE(p.accepting_mentees AND u.role = 'mentor', false), u.created_at, CURRENT_TIMESTAMP "
            "FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.role IN ('mentee', 'mentor') "
            "ORDER BY u.id"), params)
        bind.execute(sa.text(
            "INSERT INTO membership_tags (membership_id, kind, code) "
            "SELECT m.id, t.kind, t.code FROM profile_tags t JOIN profiles p ON p.id = t.profile_id "
            f"JOIN memberships m ON m.user_id = p.user_id WHERE m.role = 'mentee' AND t.kind IN {MOVED_KINDS}"))
        bind.execute(sa.text(
            f"DELETE FROM profile_tags WHERE kind IN {MOVED_KINDS} AND profile_id IN ("
            "SELECT p.id FROM profiles p JOIN users u ON u.id = p.user_id WHERE u.role = 'mentee')"))
        bind.execute(sa.text(
            "INSERT INTO program_coordinators (program_id, user_id, appointed_at) "
            "SELECT :program, id, CURRENT_TIMESTAMP FROM users WHERE role = 'coordinator'"), params)
        for table in ("matches", "matching_rounds"):
            bind.execute(sa.text(f"UPDATE {table} SET program_id = :program"), params)
        postgres = bind.dialect.name == "postgresql"
        if postgres:  # the append-only trigger refuses every other UPDATE, this one included
            op.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only")
        bind.execute(sa.text("UPDATE audit_entries SET program_id = :program"), params)
        if postgres:
            op.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only")

    with op.batch_alter_table("matches") as batch:
        batch.drop_index("uq_matches_open_pair")
        batch.drop_index("uq_matches_active_mentee")
        batch.alter_column("program_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f("fk_matches_program_id_programs"), "programs", ["program_id"], ["id"])
        batch.create_index("ix_matches_program_status", ["program_id", "status"])
        batch.create_index("uq_matches_open_pair", ["program_id", "mentee_id", "mentor_id"], unique=True,
                           sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch.create_index("uq_matches_active_mentee", ["program_id", "mentee_id"], unique=True,
                           sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    with op.batch_alter_table("matching_rounds") as batch:
        batch.alter_column("program_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f("fk_matching_rounds_program_id_programs"), "programs", ["program_id"], ["id"])
        batch.create_index(op.f("ix_matching_rounds_program_id"), ["program_id"])
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_foreign_key(op.f("fk_audit_entries_program_id_programs"), "programs", ["program_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_audit_entries_program_at", ["program_id", "at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_append_only_with_programs())
    with op.batch_alter_table("profiles") as batch:
        batch.drop_constraint(op.f("ck_profiles_capacity"), type_="check")
        batch.drop_column("capacity")
        batch.drop_column("accepting_mentees")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.drop_column("role")


def _downgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(length=20), nullable=True))
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("accepting_mentees", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    first = "SELECT {column} FROM memberships m WHERE m.user_id = {user}{extra} ORDER BY m.id LIMIT 1"
    bind.execute(sa.text(
        "UPDATE users SET role = CASE "
        "WHEN is_admin OR EXISTS (SELECT 1 FROM program_coordinators c WHERE c.user_id = users.id) "
        "THEN 'coordinator' "
        f"ELSE COALESCE(({first.format(column='m.role', user='users.id', extra='')}), 'mentee') END"))
    mentor = " AND m.role = 'mentor'"
    bind.execute(sa.text(
        f"UPDATE profiles SET capacity = ({first.format(column='m.capacity', user='profiles.user_id', extra=mentor)}), "
        f"accepting_mentees = COALESCE(({first.format(column='m.accepting_mentees', user='profiles.user_id', extra=mentor)}), false)"))
    # What a mentee sought goes back on the profile, from their first mentee membership.
    bind.execute(sa.text(
        "INSERT INTO profile_tags (profile_id, kind, code) "
        "SELECT p.id, t.kind, t.code FROM membership_tags t JOIN memberships m ON m.id = t.membership_id "
        "JOIN profiles p ON p.user_id = m.user_id "
        "WHERE m.id = (SELECT min(f.id) FROM memberships f WHERE f.user_id = m.user_id AND f.role = 'mentee') "
        "AND NOT EXISTS (SELECT 1 FROM profile_tags o WHERE o.profile_id = p.id AND o.kind = t.kind "
        "AND o.code = t.code)"))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("role", existing_type=sa.String(length=20), nullable=False)
        batch.create_check_constraint(op.f("ck_users_role"), "role IN ('mentee', 'mentor', 'coordinator')")
        batch.drop_column("is_admin")
    with op.batch_alter_table("profiles") as batch:
        batch.create_check_constraint(op.f("ck_profiles_capacity"), "capacity IS NULL OR capacity BETWEEN 1 AND 10")
        batch.alter_column("accepting_mentees", existing_type=sa.Boolean(), server_default=None)
    if bind.dialect.name == "postgresql":
        op.execute(_audit_0011().WITH_ERASURE)  # the function as 0011 left it, before its column goes
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_index("ix_audit_entries_program_at")
        batch.drop_constraint(op.f("fk_audit_entries_program_id_programs"), type_="foreignkey")
        batch.drop_column("program_id")
    with op.batch_alter_table("matching_rounds") as batch:
        batch.drop_index(op.f("ix_matching_rounds_program_id"))
        batch.drop_constraint(op.f("fk_matching_rounds_program_id_programs"), type_="foreignkey")
        batch.drop_column("program_id")
    with op.batch_alter_table("matches") as batch:
        batch.drop_index("uq_matches_open_pair")
        batch.drop_index("uq_matches_active_mentee")
        batch.drop_index("ix_matches_program_status")
        batch.drop_constraint(op.f("fk_matches_program_id_programs"), type_="foreignkey")
        batch.drop_column("program_id")
        batch.create_index("uq_matches_open_pair", ["mentee_id", "mentor_id"], unique=True,
                           sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch.create_index("uq_matches_active_mentee", ["mentee_id"], unique=True,
                           sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.drop_index(op.f("ix_program_coordinators_user_id"), table_name="program_coordinators")
    op.drop_table("program_coordinators")
    op.drop_index("ix_membership_tags_kind_code", table_name="membership_tags")
    op.drop_table("membership_tags")
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships")
    op.drop_index("ix_memberships_program_role_status", table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("programs")
