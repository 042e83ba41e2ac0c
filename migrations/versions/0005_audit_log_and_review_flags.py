"""Audit log of coordinator actions, and review flags on profiles.

- ``audit_entries``: one row per coordinator action (round published or
  withdrawn, pair by hand, proposal ended, reminder, nudge, deactivation,
  reactivation, role change, flag, roster import, export) with who, when,
  what and the values before and after. The actor's name is copied into the
  row. The table is append-only: the program never updates or deletes a
  row, and on PostgreSQL a trigger refuses UPDATE and DELETE, except the
  one update a foreign key makes itself (actor_id set to NULL when that
  account row is removed), which changes nothing else.
- ``review_flags``: a coordinator's "needs a look" on one person's profile,
  with the reason; deleted when the flag is cleared (the audit log keeps
  the history).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (NEW.id, NEW.at, NEW.actor_name, NEW.action, NEW.target_type, NEW.target_id, NEW.summary,
            NEW.before::text, NEW.after::text)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_name, OLD.action, OLD.target_type, OLD.target_id, OLD.summary,
            OLD.before::text, OLD.after::text) THEN
        RETURN NEW;  -- ON DELETE SET NULL of the actor's account
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_type", sa.String(length=24), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])
    op.create_index("ix_audit_entries_action_at", "audit_entries", ["action", "at"])
    op.create_index("ix_audit_entries_actor_id", "audit_entries", ["actor_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)

    op.create_table(
        "review_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("flagged_by_id", sa.Integer(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["flagged_by_id"], ["users.id"], name=op.f("fk_review_flags_flagged_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_review_flags_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
        sa.UniqueConstraint("user_id", name=op.f("uq_review_flags_user_id")),
    )


def downgrade():
    op.drop_table("review_flags")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_index("ix_audit_entries_actor_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_action_at", table_name="audit_entries")
    op.drop_index("ix_audit_entries_at", table_name="audit_entries")
    op.drop_table("audit_entries")
