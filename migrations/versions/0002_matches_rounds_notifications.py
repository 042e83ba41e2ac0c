"""Matches, matching rounds, notifications and draft agreements.

A match moves proposed -> accepted_by_mentee | accepted_by_mentor -> active,
or ends declined, withdrawn, expired (and later ended). Two partial unique
indexes back the rules the services enforce: one open or active match per
pair, and one active mentor per mentee.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('proposed', 'accepted_by_mentee', 'accepted_by_mentor', 'active')")
ACTIVE = sa.text("status = 'active'")


def upgrade():
    op.create_table(
        "matching_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("excluded_pairs", sa.JSON(), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("total_score", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('optimal', 'stable')", name=op.f("ck_matching_rounds_method")),
        sa.CheckConstraint("status IN ('published', 'withdrawn')", name=op.f("ck_matching_rounds_status")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_matching_rounds_created_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_rounds")),
    )
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("decline_reason", sa.String(length=32), nullable=True),
        sa.Column("decline_note", sa.Text(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("origin IN ('request', 'round', 'manual')", name=op.f("ck_matches_origin")),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted_by_mentee', 'accepted_by_mentor', 'active', "
            "'declined', 'withdrawn', 'expired', 'ended')", name=op.f("ck_matches_status")),
        sa.CheckConstraint("mentee_id <> mentor_id", name=op.f("ck_matches_two_people")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_matches_closed_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["mentee_id"], ["users.id"], name=op.f("fk_matches_mentee_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mentor_id"], ["users.id"], name=op.f("fk_matches_mentor_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["matching_rounds.id"],
                                name=op.f("fk_matches_round_id_matching_rounds"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matches")),
    )
    op.create_index("ix_matches_mentee_status", "matches", ["mentee_id", "status"])
    op.create_index("ix_matches_mentor_status", "matches", ["mentor_id", "status"])
    op.create_index(op.f("ix_matches_round_id"), "matches", ["round_id"])
    op.create_index("uq_matches_open_pair", "matches", ["mentee_id", "mentor_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("uq_matches_active_mentee", "matches", ["mentee_id"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["match_id"], ["matches.id"], name=op.f("fk_agreements_match_id_matches"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("match_id", name=op.f("uq_agreements_match_id")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["match_id"], ["matches.id"], name=op.f("fk_notifications_match_id_matches"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    # The navigation counts a user's unread notifications on every page.
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])


def downgrade():
    op.drop_index("ix_notifications_user_read", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("agreements")
    op.drop_index("uq_matches_active_mentee", table_name="matches")
    op.drop_index("uq_matches_open_pair", table_name="matches")
    op.drop_index(op.f("ix_matches_round_id"), table_name="matches")
    op.drop_index("ix_matches_mentor_status", table_name="matches")
    op.drop_index("ix_matches_mentee_status", table_name="matches")
    op.drop_table("matches")
    op.drop_table("matching_rounds")
