"""Messages between a pair, meetings scheduled at a time, links on notifications, invitations on emails.

New tables:
- ``messages``: the private thread of a match (author, body, and a report
  to the coordinators on the message's own row);
- ``message_cursors``: per person and match, the last message read and the
  last one an email digest mentioned;
- ``scheduled_meetings``: a meeting proposed for a date, time and duration,
  confirmed by the other person or moved to another time; its calendar UID
  is stable and its SEQUENCE counts the changes.

New columns: ``meetings.kickoff`` (a kick-off meeting may come before the
agreed start date), ``notifications.path`` (the page a notification is
about) and ``outbox_emails.calendar`` (an iCalendar invitation sent with
the email).

The new columns are added and dropped with plain ALTER TABLE, which SQLite
(3.35 and later) does without rebuilding the table: a rebuild of
``meetings`` would cascade to its private notes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_cursors',
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_read_id', sa.Integer(), nullable=False),
    sa.Column('last_emailed_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_message_cursors_match_id_matches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_cursors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('match_id', 'user_id', name=op.f('pk_message_cursors'))
    )
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('report_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_messages_match_id_matches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_messages_reported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_messages_match_id_id', ['match_id', 'id'], unique=False)
        batch_op.create_index('ix_messages_reported_at', ['reported_at'], unique=False)

    op.create_table('scheduled_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('kickoff', sa.Boolean(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("mode IN ('in_person', 'virtual')", name=op.f('ck_scheduled_meetings_mode')),
    sa.CheckConstraint("status IN ('proposed', 'confirmed', 'cancelled', 'held')", name=op.f('ck_scheduled_meetings_status')),
    sa.CheckConstraint('duration_minutes BETWEEN 5 AND 480', name=op.f('ck_scheduled_meetings_duration')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_scheduled_meetings_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_scheduled_meetings_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_scheduled_meetings_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_scheduled_meetings_proposed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_meetings')),
    sa.UniqueConstraint('uid', name=op.f('uq_scheduled_meetings_uid'))
    )
    with op.batch_alter_table('scheduled_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_scheduled_meetings_agreement_starts_at', ['agreement_id', 'starts_at'], unique=False)

    op.add_column('meetings', sa.Column('kickoff', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('notifications', sa.Column('path', sa.String(length=300), nullable=True))
    op.add_column('outbox_emails', sa.Column('calendar', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('outbox_emails', 'calendar')
    op.drop_column('notifications', 'path')
    op.drop_column('meetings', 'kickoff')
    with op.batch_alter_table('scheduled_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_meetings_agreement_starts_at')

    op.drop_table('scheduled_meetings')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_reported_at')
        batch_op.drop_index('ix_messages_match_id_id')
        batch_op.drop_index(batch_op.f('ix_messages_author_id'))

    op.drop_table('messages')
    op.drop_table('message_cursors')
