"""The email outbox; the page cache's stamps and change-feed triggers go.

- ``outbox_emails``: every email a use case decides to send, written in its
  transaction and delivered by the worker (mentormatch.models.outbox).
- ``view_changes`` and, on PostgreSQL, the ``mentormatch_notify_views``
  triggers and function are dropped with the per-person page cache they
  served. Downgrade puts both back exactly as 0006 and 0007 made them (the
  stamps start empty: they only ever keyed a cache).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _revision(name: str):
    """An earlier revision's module, loaded by file name: its upgrade and downgrade are the schema's one source."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = spec_from_file_location(f"mentormatch_migration_{name}", path)
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    _revision("0007_change_feed_triggers").downgrade()
    _revision("0006_view_changes").downgrade()
    op.create_table(
        "outbox_emails",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_emails")),
    )
    op.create_index(op.f("ix_outbox_emails_batch"), "outbox_emails", ["batch"])
    op.create_index("ix_outbox_emails_unsent", "outbox_emails", ["sent_at", "next_attempt_at"])


def downgrade():
    op.drop_index("ix_outbox_emails_unsent", table_name="outbox_emails")
    op.drop_index(op.f("ix_outbox_emails_batch"), table_name="outbox_emails")
    op.drop_table("outbox_emails")
    _revision("0006_view_changes").upgrade()
    _revision("0007_change_feed_triggers").upgrade()
