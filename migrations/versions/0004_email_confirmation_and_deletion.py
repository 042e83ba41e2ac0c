"""Email confirmation and account deletion.

users.email_confirmed_at is set when the owner follows the link emailed at
sign-up (existing accounts count as confirmed from their creation: they
signed up before confirmation existed). users.deleted_at marks an account
whose owner deleted it: its personal data is removed, the row stays so the
other party's history can name a "Former participant".

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("email_confirmed_at")
