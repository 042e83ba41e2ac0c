"""view_changes: what keys the page cache.

One row per person per change to what their pages show (see
mentormatch.models.view_change). Only inserted; pruned by
``flask expire-matches``, which keeps each person's newest row. The index
answers "the newest row of this person" from the index alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "view_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_view_changes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view_changes")),
    )
    op.create_index("ix_view_changes_user_id_id", "view_changes", ["user_id", "id"])


def downgrade():
    op.drop_index("ix_view_changes_user_id_id", table_name="view_changes")
    op.drop_table("view_changes")
