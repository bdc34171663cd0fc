"""schedule: rooms, time slots, unavailability, guest hosts, draft grids and solve jobs

Revision ID: schedule01
Revises: rules01
Create Date: 2026-12-02 17:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import wiki.database


revision = 'schedule01'
down_revision = 'rules01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'guest_hosts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('claimed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['claimed_by_id'], ['users.id'],
            name=op.f('fk_guest_hosts_claimed_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'],
            name=op.f('fk_guest_hosts_created_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'],
            name=op.f('fk_guest_hosts_event_id_events'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_hosts')),
    )
    with op.batch_alter_table('guest_hosts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_hosts_event_id'), ['event_id'], unique=False)

    op.create_table(
        'rooms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('family_friendly', sa.Boolean(), nullable=False),
        sa.Column('step_free', sa.Boolean(), nullable=False),
        sa.Column('facilities', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint('capacity > 0', name=op.f('ck_rooms_capacity')),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'], name=op.f('fk_rooms_event_id_events'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
        sa.UniqueConstraint('event_id', 'name', name='uq_rooms_event_name'),
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rooms_event_id'), ['event_id'], unique=False)

    op.create_table(
        'time_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', wiki.database.UTCDateTime(), nullable=False),
        sa.Column('ends_at', wiki.database.UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('family_hours', sa.Boolean(), nullable=False),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_time_slots_times')),
        sa.CheckConstraint(
            "kind IN ('session', 'break', 'lunch', 'plenary')", name=op.f('ck_time_slots_kind')
        ),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'],
            name=op.f('fk_time_slots_event_id_events'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_time_slots')),
    )
    with op.batch_alter_table('time_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_slots_event_id'), ['event_id'], unique=False)

    op.create_table(
        'unavailability',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('child_id', sa.Integer(), nullable=True),
        sa.Column('guest_host_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            '(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)'
            ' + (CASE WHEN child_id IS NULL THEN 0 ELSE 1 END)'
            ' + (CASE WHEN guest_host_id IS NULL THEN 0 ELSE 1 END) = 1',
            name=op.f('ck_unavailability_one_person'),
        ),
        sa.ForeignKeyConstraint(
            ['child_id'], ['rsvp_children.id'],
            name=op.f('fk_unavailability_child_id_rsvp_children'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'],
            name=op.f('fk_unavailability_event_id_events'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['guest_host_id'], ['guest_hosts.id'],
            name=op.f('fk_unavailability_guest_host_id_guest_hosts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['slot_id'], ['time_slots.id'],
            name=op.f('fk_unavailability_slot_id_time_slots'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_unavailability_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailability')),
        sa.UniqueConstraint('slot_id', 'user_id', name='uq_unavailability_slot_user'),
        sa.UniqueConstraint('slot_id', 'child_id', name='uq_unavailability_slot_child'),
        sa.UniqueConstraint('slot_id', 'guest_host_id', name='uq_unavailability_slot_guest'),
    )
    with op.batch_alter_table('unavailability', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_unavailability_event_id'), ['event_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_unavailability_user_id'), ['user_id'], unique=False)

    op.create_table(
        'schedule_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('head_revision', sa.Integer(), nullable=False),
        sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
        sa.Column('updated_at', wiki.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'],
            name=op.f('fk_schedule_drafts_event_id_events'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_drafts')),
        sa.UniqueConstraint('event_id', name=op.f('uq_schedule_drafts_event_id')),
    )

    op.create_table(
        'schedule_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('parent', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('grid', sa.Text(), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('solve', 'move', 'swap', 'unplace', 'lock', 'unlock', 'undo', 'redo',"
            " 'edit')",
            name=op.f('ck_schedule_revisions_kind'),
        ),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'],
            name=op.f('fk_schedule_revisions_author_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['draft_id'], ['schedule_drafts.id'],
            name=op.f('fk_schedule_revisions_draft_id_schedule_drafts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_revisions')),
        sa.UniqueConstraint('draft_id', 'number', name='uq_schedule_revisions_draft_number'),
    )

    op.create_table(
        'solve_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('time_limit', sa.Float(), nullable=False),
        sa.Column('base_revision', sa.Integer(), nullable=True),
        sa.Column('result_revision', sa.Integer(), nullable=True),
        sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
        sa.Column('started_at', wiki.database.UTCDateTime(), nullable=True),
        sa.Column('heartbeat_at', wiki.database.UTCDateTime(), nullable=True),
        sa.Column('finished_at', wiki.database.UTCDateTime(), nullable=True),
        sa.Column('progress', sa.Text(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f('ck_solve_jobs_status'),
        ),
        sa.CheckConstraint('time_limit > 0', name=op.f('ck_solve_jobs_time_limit')),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'],
            name=op.f('fk_solve_jobs_event_id_events'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['users.id'],
            name=op.f('fk_solve_jobs_requested_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_jobs')),
    )
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_jobs_event_id'), ['event_id'], unique=False)
        # One queued or running solve per event, whatever the number of clicks.
        batch_op.create_index(
            'uq_solve_jobs_one_active',
            ['event_id'],
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        )

    # A day pitch's guest host sits in a table of its own rather than a pitches column: on
    # SQLite a new foreign key column means a batch copy of pitches, whose DROP of the old
    # table (foreign keys on) would delete every dot, co-host and comment with it.
    op.create_table(
        'pitch_guest_hosts',
        sa.Column('pitch_id', sa.Integer(), nullable=False),
        sa.Column('guest_host_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['guest_host_id'], ['guest_hosts.id'],
            name=op.f('fk_pitch_guest_hosts_guest_host_id_guest_hosts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['pitch_id'], ['pitches.id'],
            name=op.f('fk_pitch_guest_hosts_pitch_id_pitches'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('pitch_id', name=op.f('pk_pitch_guest_hosts')),
    )
    with op.batch_alter_table('pitch_guest_hosts', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_pitch_guest_hosts_guest_host_id'), ['guest_host_id'], unique=False
        )
    # A plain ADD COLUMN (no constraint), so SQLite alters the dots table in place.
    op.add_column('dots', sa.Column('placed_at', wiki.database.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE dots DROP COLUMN placed_at')
    with op.batch_alter_table('pitch_guest_hosts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pitch_guest_hosts_guest_host_id'))
    op.drop_table('pitch_guest_hosts')
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_solve_jobs_one_active')
        batch_op.drop_index(batch_op.f('ix_solve_jobs_event_id'))
    op.drop_table('solve_jobs')
    op.drop_table('schedule_revisions')
    op.drop_table('schedule_drafts')
    with op.batch_alter_table('unavailability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unavailability_user_id'))
        batch_op.drop_index(batch_op.f('ix_unavailability_event_id'))
    op.drop_table('unavailability')
    with op.batch_alter_table('time_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_slots_event_id'))
    op.drop_table('time_slots')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rooms_event_id'))
    op.drop_table('rooms')
    with op.batch_alter_table('guest_hosts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guest_hosts_event_id'))
    op.drop_table('guest_hosts')
