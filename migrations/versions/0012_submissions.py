"""submissions: one-time form tokens, so a form submitted twice creates one thing

Revision ID: rules01
Revises: confirm01
Create Date: 2026-12-02 14:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import wiki.database


revision = 'rules01'
down_revision = 'confirm01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_submissions_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
        sa.UniqueConstraint('user_id', 'token', name='uq_submissions_user_token'),
    )


def downgrade() -> None:
    op.drop_table('submissions')
