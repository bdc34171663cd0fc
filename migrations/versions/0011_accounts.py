"""logins per browser, shared rate-limit counters, one search index for every kind

Revision ID: accounts01
Revises: reminders01
Create Date: 2026-12-05 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import wiki.database


revision = 'accounts01'
down_revision = 'reminders01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', wiki.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_logins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_logins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_logins_token_hash'))
    )
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_logins_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_logins_expires_at'), ['expires_at'], unique=False)

    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits'))
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limits_expires_at'))
    op.drop_table('rate_limits')
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_logins_expires_at'))
        batch_op.drop_index(batch_op.f('ix_user_logins_user_id'))
    op.drop_table('user_logins')
