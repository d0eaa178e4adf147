"""registry: units, schools, subjects, teachers, users, audit

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-23 12:19:47.999193

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject')),
    sa.UniqueConstraint('code', name=op.f('uq_subject_code'))
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('is_key_aid_county', sa.Boolean(), nullable=False),
    sa.Column('is_border_county', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code')),
    sa.UniqueConstraint('path', name=op.f('uq_unit_path'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('scarce_subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_scarce_subject_subject_id_subject')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_scarce_subject_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scarce_subject')),
    sa.UniqueConstraint('unit_id', 'subject_id', 'year', name=op.f('uq_scarce_subject_unit_id'))
    )
    with op.batch_alter_table('scarce_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scarce_subject_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scarce_subject_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scarce_subject_year'), ['year'], unique=False)

    op.create_table('school',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('township', sa.String(length=60), nullable=True),
    sa.Column('locality', sa.String(length=10), nullable=False),
    sa.Column('is_small_rural', sa.Boolean(), nullable=False),
    sa.Column('is_boarding', sa.Boolean(), nullable=False),
    sa.Column('is_relocation_site', sa.Boolean(), nullable=False),
    sa.Column('is_teaching_point', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['unit.id'], name=op.f('fk_school_county_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school')),
    sa.UniqueConstraint('code', name=op.f('uq_school_code'))
    )
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_is_small_rural'), ['is_small_rural'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_locality'), ['locality'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_name'), ['name'], unique=False)

    op.create_table('school_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.Column('classes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_school_stage_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_stage')),
    sa.UniqueConstraint('school_id', 'stage', name=op.f('uq_school_stage_school_id'))
    )
    with op.batch_alter_table('school_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_stage_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_stage_stage'), ['stage'], unique=False)

    op.create_table('teacher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('employment_type', sa.String(length=16), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('certificate_stages', sa.JSON(), nullable=False),
    sa.Column('degree', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=14), nullable=False),
    sa.Column('key_teacher_level', sa.String(length=12), nullable=False),
    sa.Column('is_principal', sa.Boolean(), nullable=False),
    sa.Column('is_homeroom_teacher', sa.Boolean(), nullable=False),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('at_school_since', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_teacher_school_id_school')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_teacher_subject_id_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher')),
    sa.UniqueConstraint('id_number', name=op.f('uq_teacher_id_number'))
    )
    with op.batch_alter_table('teacher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_employment_type'), ['employment_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_key_teacher_level'), ['key_teacher_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_term_end'), ['term_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_title'), ['title'], unique=False)

    op.create_table('teacher_other_subject',
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_teacher_other_subject_subject_id_subject')),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_teacher_other_subject_teacher_id_teacher'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('teacher_id', 'subject_id', name=op.f('pk_teacher_other_subject'))
    )
    with op.batch_alter_table('teacher_other_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_other_subject_subject_id'), ['subject_id'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_user_school_id_school')),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_user_teacher_id_teacher')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_user_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_teacher_id'), ['teacher_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_user_unit_id'), ['unit_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_unit_id'))
        batch_op.drop_index(batch_op.f('ix_user_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_user_school_id'))
        batch_op.drop_index(batch_op.f('ix_user_role'))

    op.drop_table('user')
    with op.batch_alter_table('teacher_other_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_other_subject_subject_id'))

    op.drop_table('teacher_other_subject')
    with op.batch_alter_table('teacher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_title'))
        batch_op.drop_index(batch_op.f('ix_teacher_term_end'))
        batch_op.drop_index(batch_op.f('ix_teacher_subject_id'))
        batch_op.drop_index(batch_op.f('ix_teacher_status'))
        batch_op.drop_index(batch_op.f('ix_teacher_school_id'))
        batch_op.drop_index(batch_op.f('ix_teacher_name'))
        batch_op.drop_index(batch_op.f('ix_teacher_key_teacher_level'))
        batch_op.drop_index(batch_op.f('ix_teacher_employment_type'))

    op.drop_table('teacher')
    with op.batch_alter_table('school_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_stage_stage'))
        batch_op.drop_index(batch_op.f('ix_school_stage_school_id'))

    op.drop_table('school_stage')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_name'))
        batch_op.drop_index(batch_op.f('ix_school_locality'))
        batch_op.drop_index(batch_op.f('ix_school_is_small_rural'))
        batch_op.drop_index(batch_op.f('ix_school_county_id'))

    op.drop_table('school')
    with op.batch_alter_table('scarce_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scarce_subject_year'))
        batch_op.drop_index(batch_op.f('ix_scarce_subject_unit_id'))
        batch_op.drop_index(batch_op.f('ix_scarce_subject_subject_id'))

    op.drop_table('scarce_subject')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_parent_id'))
        batch_op.drop_index(batch_op.f('ix_unit_kind'))

    op.drop_table('unit')
    op.drop_table('subject')
