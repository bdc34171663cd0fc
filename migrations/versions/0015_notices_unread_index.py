"""notices: drop the plain index on user_id, so the unread count reads the partial one

The unique (user_id, key) index already serves every lookup by person (the inbox, the
cascade from users); with the plain one beside it SQLite's planner chose it for the header's
unread count and read every notice the person has instead of only the unread ones.

Revision ID: notices02
Revises: programme01
Create Date: 2026-12-03 12:00:00
"""

from alembic import op

revision = 'notices02'
down_revision = 'programme01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_user_id'))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_user_id'), ['user_id'], unique=False)
