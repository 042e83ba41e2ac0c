"""The program runs itself (issue 17): reminders, escalations, surveys, and keyed scheduled emails.

New tables:
- ``reminders``: one reminder to one person, unique by (person, kind,
  subject, period), the idempotency key; which digest emailed it;
- ``reminder_opt_outs``: the kinds a person does not want by email;
- ``escalations``: what needs a coordinator in a program, unique by
  (program, kind, subject, period), with its reason and suggested action;
- ``survey_questions``, ``survey_responses``, ``survey_answers``: a program's
  questions per stage, and one person's answers to one occasion of one
  agreement (unique per person, agreement and occasion), with the visibility
  rule it was given under (``named``: coordinators may read it by name).

New columns: ``outbox_emails.headers`` (List-Unsubscribe, RFC 8058) and
``outbox_emails.idempotency_key`` (unique: a digest is queued once whoever
runs the scheduler); ``programs.escalate_*_days`` (21, 7 and 30 by default,
with their ranges checked) and ``programs.survey_answers_named`` (false).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_escalations_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_escalations_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('program_id', 'kind', 'subject', 'period', name='uq_escalations_key')
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index('ix_escalations_program_open', ['program_id', 'resolved_at'], unique=False)

    op.create_table('reminder_opt_outs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_opt_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_reminder_opt_outs'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('digested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digest_key', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_reminders_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('user_id', 'kind', 'subject', 'period', name='uq_reminders_key')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_program_id'), ['program_id'], unique=False)
        batch_op.create_index('ix_reminders_undigested', ['user_id', 'digested_at'], unique=False)

    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('scale', 'yes_no', 'text')", name=op.f('ck_survey_questions_kind')),
    sa.CheckConstraint("stage IN ('kickoff', 'pulse', 'closing')", name=op.f('ck_survey_questions_stage')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_survey_questions_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions'))
    )
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.create_index('ix_survey_questions_program_stage', ['program_id', 'stage', 'position'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('occasion', sa.String(length=24), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_survey_responses_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_survey_responses_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_survey_responses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('user_id', 'agreement_id', 'occasion', name='uq_survey_responses_occasion')
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index('ix_survey_responses_program', ['program_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_responses_user_id'), ['user_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.Integer(), nullable=True),
    sa.Column('yes', sa.Boolean(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('scale IS NULL OR scale BETWEEN 1 AND 5', name=op.f('ck_survey_answers_scale')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_answers_question_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_survey_answers'))
    )
    # Plain ALTER TABLE: a batch rebuild of programs on SQLite would cascade to every table referring to it.
    op.add_column('outbox_emails', sa.Column('headers', sa.JSON(), nullable=True))
    op.add_column('outbox_emails', sa.Column('idempotency_key', sa.String(length=120), nullable=True))
    op.create_index('ix_outbox_emails_idempotency_key', 'outbox_emails', ['idempotency_key'], unique=True)
    for name, default, top in (('escalate_quiet_days', '21', 365), ('escalate_unanswered_days', '7', 90),
                               ('escalate_unmatched_days', '30', 365)):
        op.add_column('programs', sa.Column(name, sa.Integer(), sa.CheckConstraint(
            f'{name} BETWEEN 1 AND {top}', name=op.f(f'ck_programs_{name}')), server_default=default, nullable=False))
    op.add_column('programs', sa.Column('survey_answers_named', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))

def downgrade():
    for name in ('survey_answers_named', 'escalate_unmatched_days', 'escalate_unanswered_days',
                 'escalate_quiet_days'):
        op.drop_column('programs', name)
    op.drop_index('ix_outbox_emails_idempotency_key', table_name='outbox_emails')
    op.drop_column('outbox_emails', 'idempotency_key')
    op.drop_column('outbox_emails', 'headers')

    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_user_id'))
        batch_op.drop_index('ix_survey_responses_program')

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_questions_program_stage')

    op.drop_table('survey_questions')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_undigested')
        batch_op.drop_index(batch_op.f('ix_reminders_program_id'))

    op.drop_table('reminders')
    op.drop_table('reminder_opt_outs')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_escalations_program_open')

    op.drop_table('escalations')
