"""programme: published versions, stars, agenda feeds and looks, notices

Revision ID: programme01
Revises: schedule01
Create Date: 2026-12-03 10:14:16.848266
"""

from alembic import op
import sqlalchemy as sa
import wiki.database


revision = 'programme01'
down_revision = 'schedule01'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('agenda_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agenda_feeds_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_feeds')),
    sa.UniqueConstraint('token', name=op.f('uq_agenda_feeds_token')),
    sa.UniqueConstraint('user_id', 'event_id', name='uq_agenda_feeds_user_event')
    )
    with op.batch_alter_table('agenda_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_feeds_user_id'), ['user_id'], unique=False)

    op.create_table('agenda_looks',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('seen_version', sa.Integer(), nullable=False),
    sa.Column('at', wiki.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agenda_looks_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_looks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'event_id', name=op.f('pk_agenda_looks'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
    sa.Column('read_at', wiki.database.UTCDateTime(), nullable=True),
    sa.Column('mailed_at', wiki.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_notices_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('user_id', 'key', name='uq_notices_user_key')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_unread', ['user_id'], unique=False, sqlite_where=sa.text('read_at IS NULL'), postgresql_where=sa.text('read_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_notices_user_id'), ['user_id'], unique=False)

    op.create_table('schedule_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('grid', sa.Text(), nullable=False),
    sa.Column('programme', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', wiki.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_schedule_versions_number')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_schedule_versions_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_schedule_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_versions')),
    sa.UniqueConstraint('event_id', 'number', name='uq_schedule_versions_event_number')
    )
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_versions_event_id'), ['event_id'], unique=False)

    op.create_table('schedule_stars',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('pitch_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_schedule_stars_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pitch_id'], ['pitches.id'], name=op.f('fk_schedule_stars_pitch_id_pitches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_schedule_stars_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'pitch_id', name=op.f('pk_schedule_stars'))
    )
    with op.batch_alter_table('schedule_stars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_stars_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_stars_pitch_id'), ['pitch_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('schedule_stars', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_stars_pitch_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_stars_event_id'))

    op.drop_table('schedule_stars')
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_versions_event_id'))

    op.drop_table('schedule_versions')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_user_id'))
        batch_op.drop_index('ix_notices_unread', sqlite_where=sa.text('read_at IS NULL'), postgresql_where=sa.text('read_at IS NULL'))

    op.drop_table('notices')
    op.drop_table('agenda_looks')
    with op.batch_alter_table('agenda_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_feeds_user_id'))

    op.drop_table('agenda_feeds')

