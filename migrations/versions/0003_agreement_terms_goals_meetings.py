"""Agreement terms, goals, meetings, private notes and closing feedback.

An agreement (one per match, created as a draft in 0002) now keeps:

- ``agreement_versions``: every proposed set of terms (frequency, mode,
  start and end date, topics, expectations), numbered per agreement. One
  side proposes (``pending``), the other confirms (``confirmed``); a newer
  proposal or the end of the agreement marks a waiting one ``superseded``.
  The current terms are the latest confirmed version; nothing is deleted,
  so the history of who changed what, and when, stays readable.
- ``agreement_goals``: goals with an optional target date and a status
  either party may update.
- ``meetings``: what the pair logged (date, 5-480 minutes, mode, topics,
  shared notes); indexed by (agreement, date) for the cadence queries.
- ``meeting_private_notes``: one note per author per meeting, in a table of
  its own so that only a query filtered on the author can read it.
- ``agreement_feedback``: each party's 1-5 rating and comment once ended.
- ``agreements`` gains who ended it, when and why; its status is now
  checked (draft, active, ended).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _user_fk(table: str, column: str, ondelete: str = "SET NULL") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"),
                                   ondelete=ondelete)


def _agreement_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                   name=op.f(f"fk_{table}_agreement_id_agreements"), ondelete="CASCADE")


def upgrade():
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.String(length=24), nullable=True))
        # Existing drafts get an empty note; the model supplies it from now on.
        batch_op.add_column(sa.Column("end_note", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(op.f("fk_agreements_ended_by_id_users"), "users", ["ended_by_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_check_constraint(op.f("ck_agreements_status"), "status IN ('draft', 'active', 'ended')")
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.alter_column("end_note", server_default=None)

    op.create_table(
        "agreement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("expectations", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'superseded')",
                           name=op.f("ck_agreement_versions_status")),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_agreement_versions_dates")),
        _agreement_fk("agreement_versions"),
        _user_fk("agreement_versions", "confirmed_by_id"),
        _user_fk("agreement_versions", "proposed_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_versions")),
        sa.UniqueConstraint("agreement_id", "number", name="uq_agreement_versions_number"),
    )
    op.create_index(op.f("ix_agreement_versions_agreement_id"), "agreement_versions", ["agreement_id"])

    op.create_table(
        "agreement_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=True),
        sa.CheckConstraint("status IN ('not_started', 'in_progress', 'achieved', 'dropped')",
                           name=op.f("ck_agreement_goals_status")),
        _agreement_fk("agreement_goals"),
        _user_fk("agreement_goals", "created_by_id"),
        _user_fk("agreement_goals", "updated_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_goals")),
    )
    op.create_index(op.f("ix_agreement_goals_agreement_id"), "agreement_goals", ["agreement_id"])

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("shared_notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('in_person', 'virtual')", name=op.f("ck_meetings_mode")),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 480", name=op.f("ck_meetings_duration")),
        _agreement_fk("meetings"),
        _user_fk("meetings", "logged_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    # Cadence and home pages ask for each agreement's latest meeting.
    op.create_index("ix_meetings_agreement_held_on", "meetings", ["agreement_id", "held_on"])

    op.create_table(
        "meeting_private_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("meeting_private_notes", "author_id", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_meeting_private_notes_meeting_id_meetings"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_private_notes")),
        sa.UniqueConstraint("meeting_id", "author_id", name="uq_meeting_private_notes_author"),
    )
    op.create_index(op.f("ix_meeting_private_notes_author_id"), "meeting_private_notes", ["author_id"])

    op.create_table(
        "agreement_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_agreement_feedback_rating")),
        _agreement_fk("agreement_feedback"),
        _user_fk("agreement_feedback", "author_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_feedback")),
        sa.UniqueConstraint("agreement_id", "author_id", name="uq_agreement_feedback_author"),
    )


def downgrade():
    op.drop_table("agreement_feedback")
    op.drop_index(op.f("ix_meeting_private_notes_author_id"), table_name="meeting_private_notes")
    op.drop_table("meeting_private_notes")
    op.drop_index("ix_meetings_agreement_held_on", table_name="meetings")
    op.drop_table("meetings")
    op.drop_index(op.f("ix_agreement_goals_agreement_id"), table_name="agreement_goals")
    op.drop_table("agreement_goals")
    op.drop_index(op.f("ix_agreement_versions_agreement_id"), table_name="agreement_versions")
    op.drop_table("agreement_versions")
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.drop_constraint(op.f("ck_agreements_status"), type_="check")
        batch_op.drop_constraint(op.f("fk_agreements_ended_by_id_users"), type_="foreignkey")
        batch_op.drop_column("end_note")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_by_id")
        batch_op.drop_column("ended_at")
