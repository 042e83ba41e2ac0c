"""Idempotency keys: a double-clicked meeting or goal form saves one row, not two.

- ``meetings.submission_key`` and ``agreement_goals.submission_key``: the
  random key each form carries in a hidden field (web.agreements.forms). The
  services look for a row with the form's key before adding one, under a
  lock on the agreement, so a second submission of the same form shows the
  first one's result.
- ``uq_meetings_submission_key`` and ``uq_agreement_goals_submission_key``:
  unique on (agreement_id, submission_key), the database's own guard behind
  that check. Rows from before this revision have no key (NULL), and NULLs
  never collide in a unique constraint on SQLite or PostgreSQL.

The other races of the same review (open-request limit, terms numbering,
private notes, review flags) are fixed with row locks (services.transactions
``lock``), which need no schema change.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = (("meetings", "uq_meetings_submission_key"), ("agreement_goals", "uq_agreement_goals_submission_key"))


def upgrade():
    for table, constraint in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
            batch.create_unique_constraint(constraint, ["agreement_id", "submission_key"])


def downgrade():
    for table, constraint in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(constraint, type_="unique")
            batch.drop_column("submission_key")
