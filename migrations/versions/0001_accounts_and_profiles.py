"""Accounts and participant profiles.

Users sign in with a unique, lower-cased email and have one role. A mentor or
mentee has one profile; its multi-valued answers (specialties, credentials,
goals, credentials sought) are rows in profile_tags so they can be counted and
filtered with an index.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('mentee', 'mentor', 'coordinator')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("job_title", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=160), nullable=False),
        sa.Column("years_experience", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("meeting_mode", sa.String(length=16), nullable=False),
        sa.Column("meeting_frequency", sa.String(length=16), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("hopes", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("accepting_mentees", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 10", name=op.f("ck_profiles_capacity")),
        sa.CheckConstraint("years_experience BETWEEN 0 AND 60", name=op.f("ck_profiles_years_experience")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_profiles_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_profiles_user_id")),
    )
    op.create_table(
        "profile_tags",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"],
                                name=op.f("fk_profile_tags_profile_id_profiles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("profile_id", "kind", "code", name=op.f("pk_profile_tags")),
    )
    # "Who wants hematology?" is a lookup by (kind, code).
    op.create_index("ix_profile_tags_kind_code", "profile_tags", ["kind", "code"], unique=False)


def downgrade():
    op.drop_index("ix_profile_tags_kind_code", table_name="profile_tags")
    op.drop_table("profile_tags")
    op.drop_table("profiles")
    op.drop_table("users")
