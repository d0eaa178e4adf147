"""training: programmes, seat quotas, enrolments, attendance, hours ledger, targets, notifications

Revision ID: 0002_training
Revises: 0001_core
Create Date: 2026-11-23 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_training'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('rural_only', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_training_target_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_target')),
    sa.UniqueConstraint('unit_id', 'tier', 'year', 'rural_only', name=op.f('uq_training_target_unit_id'))
    )
    with op.batch_alter_table('training_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_target_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_target_year'), ['year'], unique=False)

    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=12), nullable=False),
    sa.Column('sub_project', sa.String(length=60), nullable=True),
    sa.Column('organiser_unit_id', sa.Integer(), nullable=True),
    sa.Column('organiser_school_id', sa.Integer(), nullable=True),
    sa.Column('organiser_path', sa.String(length=220), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('credits', sa.Double(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('apply_from', sa.Date(), nullable=False),
    sa.Column('apply_until', sa.Date(), nullable=False),
    sa.Column('quota_release_date', sa.Date(), nullable=True),
    sa.Column('target_stages', sa.JSON(), nullable=False),
    sa.Column('target_subject_ids', sa.JSON(), nullable=False),
    sa.Column('target_roles', sa.JSON(), nullable=False),
    sa.Column('rural_only', sa.Boolean(), nullable=False),
    sa.Column('eligible_county_ids', sa.JSON(), nullable=False),
    sa.Column('approval', sa.String(length=14), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_programme_seats_within_capacity')),
    sa.ForeignKeyConstraint(['organiser_school_id'], ['school.id'], name=op.f('fk_programme_organiser_school_id_school')),
    sa.ForeignKeyConstraint(['organiser_unit_id'], ['unit.id'], name=op.f('fk_programme_organiser_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('code', name=op.f('uq_programme_code'))
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_organiser_path'), ['organiser_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_organiser_school_id'), ['organiser_school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_organiser_unit_id'), ['organiser_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_tier'), ['tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_title'), ['title'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_year'), ['year'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('is_read', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_notification_teacher_id_teacher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('programme_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_session_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_session'))
    )
    with op.batch_alter_table('programme_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_session_programme_id'), ['programme_id'], unique=False)

    op.create_table('seat_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('need', sa.Double(), nullable=True),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= seats', name=op.f('ck_seat_quota_seats_within_quota')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_seat_quota_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_seat_quota_school_id_school')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_seat_quota_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_quota')),
    sa.UniqueConstraint('programme_id', 'unit_id', 'school_id', name=op.f('uq_seat_quota_programme_id'))
    )
    with op.batch_alter_table('seat_quota', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_quota_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_quota_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_quota_unit_id'), ['unit_id'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('quota_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('school_approved_at', sa.DateTime(), nullable=True),
    sa.Column('county_approved_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('waitlist_reason', sa.String(length=8), nullable=True),
    sa.Column('hours_attended', sa.Double(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('certificate_no', sa.String(length=24), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('waitlisted_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['user.id'], name=op.f('fk_enrolment_nominated_by_id_user')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_enrolment_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quota_id'], ['seat_quota.id'], name=op.f('fk_enrolment_quota_id_seat_quota')),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_enrolment_teacher_id_teacher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_enrolment_certificate_no')),
    sa.UniqueConstraint('programme_id', 'teacher_id', name=op.f('uq_enrolment_programme_id'))
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_nominated_by_id'), ['nominated_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_quota_id'), ['quota_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_attendance_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['programme_session.id'], name=op.f('fk_attendance_session_id_programme_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('enrolment_id', 'session_id', name=op.f('uq_attendance_enrolment_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('hours_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=12), nullable=False),
    sa.Column('hours', sa.Double(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('is_induction', sa.Boolean(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_hours_record_created_by_id_user')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_hours_record_enrolment_id_enrolment')),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_hours_record_teacher_id_teacher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_record')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_hours_record_enrolment_id'))
    )
    with op.batch_alter_table('hours_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_record_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hours_record_day'), ['day'], unique=False)
        batch_op.create_index('ix_hours_record_teacher_id_day', ['teacher_id', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('hours_record', schema=None) as batch_op:
        batch_op.drop_index('ix_hours_record_teacher_id_day')
        batch_op.drop_index(batch_op.f('ix_hours_record_day'))
        batch_op.drop_index(batch_op.f('ix_hours_record_created_by_id'))

    op.drop_table('hours_record')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_enrolment_id'))

    op.drop_table('attendance')

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_status'))
        batch_op.drop_index(batch_op.f('ix_enrolment_quota_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_programme_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_nominated_by_id'))

    op.drop_table('enrolment')

    with op.batch_alter_table('seat_quota', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_quota_unit_id'))
        batch_op.drop_index(batch_op.f('ix_seat_quota_school_id'))
        batch_op.drop_index(batch_op.f('ix_seat_quota_programme_id'))

    op.drop_table('seat_quota')

    with op.batch_alter_table('programme_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_session_programme_id'))

    op.drop_table('programme_session')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_notification_created_at'))

    op.drop_table('notification')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_year'))
        batch_op.drop_index(batch_op.f('ix_programme_title'))
        batch_op.drop_index(batch_op.f('ix_programme_tier'))
        batch_op.drop_index(batch_op.f('ix_programme_status'))
        batch_op.drop_index(batch_op.f('ix_programme_organiser_unit_id'))
        batch_op.drop_index(batch_op.f('ix_programme_organiser_school_id'))
        batch_op.drop_index(batch_op.f('ix_programme_organiser_path'))

    op.drop_table('programme')

    with op.batch_alter_table('training_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_target_year'))
        batch_op.drop_index(batch_op.f('ix_training_target_unit_id'))

    op.drop_table('training_target')
