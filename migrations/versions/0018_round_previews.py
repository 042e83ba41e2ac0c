"""Publishing reuses the preview's assignment (issue 15): the ``round_previews`` table.

A preview keeps the pairs the engine proposed under a digest of what the
engine read (the program's pool in id order, its declined pairs, the
excluded pairs, the weights and the method). Publishing reads the pool
again inside its exclusive transaction and, when the digest is the same,
proposes those pairs without running the engine, which takes most of a
publish of 10,000 mentees by 2,500 mentors. One row per (program, digest);
a program keeps only its few newest, and its rows go with it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_previews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('pairs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_round_previews_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_previews')),
    sa.UniqueConstraint('program_id', 'digest', name='uq_round_previews_digest')
    )


def downgrade():
    op.drop_table('round_previews')
