"""Single sign-on identities and SCIM provisioning.

New tables:
- ``user_identities``: an account's identity at an OpenID Connect provider
  (provider name, the ID token's ``sub``, the verified email last seen),
  unique per provider and subject;
- ``scim_tokens``: the SHA-256 of each bearer token an identity provider
  uses on ``/scim/v2``, with when it was last used or revoked.

New columns on ``users``: ``scim_provider`` and ``scim_external_id`` (the
provider's ``externalId``), unique together through an index. They are
added and dropped with plain ALTER TABLE and CREATE INDEX, which SQLite
does without rebuilding ``users`` (a rebuild would cascade to every table
that refers to it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scim_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_scim_tokens_token_hash'))
    )
    with op.batch_alter_table('scim_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_tokens_provider'), ['provider'], unique=False)

    op.create_table('user_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_identities')),
    sa.UniqueConstraint('provider', 'subject', name=op.f('uq_user_identities_provider'))
    )
    with op.batch_alter_table('user_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_identities_user_id'), ['user_id'], unique=False)

    op.add_column('users', sa.Column('scim_provider', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('scim_external_id', sa.String(length=255), nullable=True))
    op.create_index('ix_users_scim_provider_external_id', 'users', ['scim_provider', 'scim_external_id'], unique=True)


def downgrade():
    op.drop_index('ix_users_scim_provider_external_id', table_name='users')
    op.drop_column('users', 'scim_external_id')
    op.drop_column('users', 'scim_provider')

    with op.batch_alter_table('user_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_identities_user_id'))

    op.drop_table('user_identities')
    with op.batch_alter_table('scim_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_tokens_provider'))

    op.drop_table('scim_tokens')
