"""Credentials and licences with their dates, exam plans, CE policies and issued CE certificates.

New tables:
- ``credential_records``: a credential or state licence a person holds, with
  the date earned, the renewal or maintenance date and a licence number;
- ``exam_plans``: a mentee's plan toward a credential in a program (category,
  eligibility route, exam date, result, the day it was reached);
- ``ce_policies``: per program, the provider, the contact hours per completed
  mentorship and per meeting hour, their cap and the signer;
- ``ce_certificates``: an issued certificate, every shown field copied into
  the row, with an HMAC signature. On PostgreSQL a trigger refuses UPDATE and
  DELETE, except the foreign keys' ON DELETE SET NULL (a program, agreement
  or account removed later leaves the certificate verifiable).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

IMMUTABLE = """
CREATE FUNCTION ce_certificates_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.number, NEW.participant_name, NEW.role, NEW.activity_title, NEW.period_start,
            NEW.period_end, NEW.provider_name, NEW.contact_hours, NEW.signer_name, NEW.signer_title,
            NEW.issued_at, NEW.signature)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.number, OLD.participant_name, OLD.role, OLD.activity_title, OLD.period_start,
            OLD.period_end, OLD.provider_name, OLD.contact_hours, OLD.signer_name, OLD.signer_title,
            OLD.issued_at, OLD.signature)
       AND (NEW.program_id IS NOT DISTINCT FROM OLD.program_id OR NEW.program_id IS NULL)
       AND (NEW.agreement_id IS NOT DISTINCT FROM OLD.agreement_id OR NEW.agreement_id IS NULL)
       AND (NEW.user_id IS NOT DISTINCT FROM OLD.user_id OR NEW.user_id IS NULL)
       AND (NEW.issued_by_id IS NOT DISTINCT FROM OLD.issued_by_id OR NEW.issued_by_id IS NULL) THEN
        RETURN NEW;  -- ON DELETE SET NULL of a program, agreement or account
    END IF;
    RAISE EXCEPTION 'ce_certificates are immutable once issued';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ce_certificates_immutable BEFORE UPDATE OR DELETE ON ce_certificates
    FOR EACH ROW EXECUTE FUNCTION ce_certificates_immutable();
"""

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ce_policies',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('provider_name', sa.String(length=160), nullable=False),
    sa.Column('activity_title', sa.String(length=200), nullable=False),
    sa.Column('hours_per_mentorship', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('hours_per_meeting_hour', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('max_hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('signer_title', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_ce_policies_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_ce_policies_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('program_id', name=op.f('pk_ce_policies'))
    )
    op.create_table('credential_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('earned_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('licence_number', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credential_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_records')),
    sa.UniqueConstraint('user_id', 'kind', 'code', name=op.f('uq_credential_records_user_id'))
    )
    with op.batch_alter_table('credential_records', schema=None) as batch_op:
        batch_op.create_index('ix_credential_records_expires_on', ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_records_user_id'), ['user_id'], unique=False)

    op.create_table('exam_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('credential', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('eligibility_route', sa.String(length=120), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('result_on', sa.Date(), nullable=True),
    sa.Column('reached_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_exam_plans_membership_id_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_plans')),
    sa.UniqueConstraint('membership_id', 'credential', name=op.f('uq_exam_plans_membership_id'))
    )
    with op.batch_alter_table('exam_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_plans_membership_id'), ['membership_id'], unique=False)

    op.create_table('ce_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('participant_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('activity_title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('provider_name', sa.String(length=160), nullable=False),
    sa.Column('contact_hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('signer_title', sa.String(length=120), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_ce_certificates_agreement_id_agreements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_ce_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_ce_certificates_program_id_programs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ce_certificates_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_ce_certificates_number'))
    )
    with op.batch_alter_table('ce_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ce_certificates_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_ce_certificates_program_issued_at', ['program_id', 'issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ce_certificates_user_id'), ['user_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(IMMUTABLE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ce_certificates_immutable ON ce_certificates")
        op.execute("DROP FUNCTION ce_certificates_immutable()")
    with op.batch_alter_table('ce_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ce_certificates_user_id'))
        batch_op.drop_index('ix_ce_certificates_program_issued_at')
        batch_op.drop_index(batch_op.f('ix_ce_certificates_agreement_id'))

    op.drop_table('ce_certificates')
    with op.batch_alter_table('exam_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_plans_membership_id'))

    op.drop_table('exam_plans')
    with op.batch_alter_table('credential_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_records_user_id'))
        batch_op.drop_index('ix_credential_records_expires_on')

    op.drop_table('credential_records')
    op.drop_table('ce_policies')
