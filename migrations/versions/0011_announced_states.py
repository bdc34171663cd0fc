"""announcements remember the state they announced; moving back retracts them

Revision ID: confirm01
Revises: accounts01
Create Date: 2026-12-03 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import wiki.database


revision = 'confirm01'
down_revision = 'accounts01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', wiki.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('announces_state', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('retracted_at', wiki.database.UTCDateTime(), nullable=True))
    # Existing news went out when it was written; none of it is tied to a state yet.
    op.execute('UPDATE announcements SET published_at = created_at')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.alter_column(
            'published_at', existing_type=wiki.database.UTCDateTime(), nullable=False
        )
        batch_op.create_unique_constraint(
            'uq_announcements_event_state', ['event_id', 'announces_state']
        )


def downgrade() -> None:
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_constraint('uq_announcements_event_state', type_='unique')
        batch_op.drop_column('retracted_at')
        batch_op.drop_column('announces_state')
        batch_op.drop_column('published_at')
