"""Revocable sessions and single-use account links.

- ``user_sessions``: one row per logged-in browser (mentormatch.models.user_session);
  the session and remember-me cookies carry its token, the row its SHA-256.
  Sessions from before this revision had no row: everyone logs in again once.
- ``users.password_link_nonce`` and ``users.email_change_nonce``: the
  newest reset/invitation link and email-change link name these, so a link
  works once, and not after a credential change.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_link_nonce", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("email_change_nonce", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_change_nonce")
        batch.drop_column("password_link_nonce")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
