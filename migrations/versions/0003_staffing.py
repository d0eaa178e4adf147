"""staffing: norms, posts, pools, runs, postings, itinerant plans

Revision ID: 0003_staffing
Revises: 0001_core
Create Date: 2026-11-23 12:39:32.102820

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_staffing'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('candidate_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('reference_date', sa.Date(), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('approved_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_candidate_pool_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_pool'))
    )
    with op.batch_alter_table('candidate_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_pool_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_pool_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_pool_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_pool_year'), ['year'], unique=False)

    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('degree', sa.String(length=12), nullable=False),
    sa.Column('subjects', sa.JSON(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('exam_score', sa.Double(), nullable=True),
    sa.Column('interview_score', sa.Double(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('home_school_id', sa.Integer(), nullable=True),
    sa.Column('is_key_teacher', sa.Boolean(), nullable=False),
    sa.Column('directed_programme', sa.String(length=20), nullable=True),
    sa.Column('obligation_years', sa.Integer(), nullable=True),
    sa.Column('obligation_county', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['home_school_id'], ['school.id'], name=op.f('fk_candidate_home_school_id_school')),
    sa.ForeignKeyConstraint(['pool_id'], ['candidate_pool.id'], name=op.f('fk_candidate_pool_id_candidate_pool'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_candidate_teacher_id_teacher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate')),
    sa.UniqueConstraint('pool_id', 'id_number', name='uq_candidate_pool_id_number')
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_home_school_id'), ['home_school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('allocation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('mechanism', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('problem', sa.JSON(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('is_imported', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_allocation_run_approved_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_allocation_run_created_by_id_user')),
    sa.ForeignKeyConstraint(['pool_id'], ['candidate_pool.id'], name=op.f('fk_allocation_run_pool_id_candidate_pool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_run'))
    )
    with op.batch_alter_table('allocation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_run_approved_by_id'), ['approved_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_run_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_run_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_run_queued_at'), ['queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_run_status'), ['status'], unique=False)

    op.create_table('itinerant_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('problem', sa.JSON(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['unit.id'], name=op.f('fk_itinerant_plan_county_id_unit')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_itinerant_plan_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itinerant_plan'))
    )
    with op.batch_alter_table('itinerant_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itinerant_plan_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itinerant_plan_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itinerant_plan_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_itinerant_plan_year'), ['year'], unique=False)

    op.create_table('staffing_norm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('students_per_staff_senior', sa.Double(), nullable=False),
    sa.Column('students_per_staff_junior', sa.Double(), nullable=False),
    sa.Column('students_per_staff_primary', sa.Double(), nullable=False),
    sa.Column('staff_per_class_primary', sa.Double(), nullable=False),
    sa.Column('staff_per_class_junior', sa.Double(), nullable=False),
    sa.Column('curriculum_shares', sa.JSON(), nullable=False),
    sa.Column('rotation_years', sa.Integer(), nullable=False),
    sa.Column('rotation_min_share', sa.Double(), nullable=False),
    sa.Column('min_key_teacher_share', sa.Double(), nullable=False),
    sa.Column('special_post_max_age', sa.Integer(), nullable=False),
    sa.Column('special_post_max_age_master', sa.Integer(), nullable=False),
    sa.Column('silver_age_max_age', sa.Integer(), nullable=False),
    sa.Column('special_post_term_years', sa.Integer(), nullable=False),
    sa.Column('rotation_term_years', sa.Integer(), nullable=False),
    sa.Column('support_term_years', sa.Integer(), nullable=False),
    sa.Column('silver_age_term_years', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_staffing_norm_unit_id_unit')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_staffing_norm_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staffing_norm')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_staffing_norm_unit_id'))
    )
    with op.batch_alter_table('staffing_norm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staffing_norm_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('shortage', sa.Double(), nullable=False),
    sa.Column('weight_derived', sa.Integer(), nullable=False),
    sa.Column('weight_parts', sa.JSON(), nullable=False),
    sa.Column('weight_override', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.String(length=200), nullable=True),
    sa.Column('filled_by_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['filled_by_run_id'], ['allocation_run.id'], name=op.f('fk_post_filled_by_run_id_allocation_run')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_post_school_id_school')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_post_subject_id_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post')),
    sa.UniqueConstraint('year', 'kind', 'school_id', 'subject_id', 'stage', name='uq_post_year_kind_school_subject_stage')
    )
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_filled_by_run_id'), ['filled_by_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_year'), ['year'], unique=False)

    op.create_table('pair_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_pair_rule_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_pair_rule_created_by_id_user')),
    sa.ForeignKeyConstraint(['pool_id'], ['candidate_pool.id'], name=op.f('fk_pair_rule_pool_id_candidate_pool'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_pair_rule_post_id_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_rule')),
    sa.UniqueConstraint('pool_id', 'candidate_id', 'post_id', name='uq_pair_rule_pool_pair')
    )
    with op.batch_alter_table('pair_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_rule_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pair_rule_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pair_rule_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pair_rule_post_id'), ['post_id'], unique=False)

    op.create_table('posting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('home_school_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['home_school_id'], ['school.id'], name=op.f('fk_posting_home_school_id_school')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_posting_post_id_post')),
    sa.ForeignKeyConstraint(['run_id'], ['allocation_run.id'], name=op.f('fk_posting_run_id_allocation_run')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_posting_school_id_school')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_posting_subject_id_subject')),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_posting_teacher_id_teacher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting'))
    )
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_home_school_id'), ['home_school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_teacher_id'), ['teacher_id'], unique=False)



def downgrade():
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_posting_subject_id'))
        batch_op.drop_index(batch_op.f('ix_posting_status'))
        batch_op.drop_index(batch_op.f('ix_posting_school_id'))
        batch_op.drop_index(batch_op.f('ix_posting_run_id'))
        batch_op.drop_index(batch_op.f('ix_posting_post_id'))
        batch_op.drop_index(batch_op.f('ix_posting_kind'))
        batch_op.drop_index(batch_op.f('ix_posting_home_school_id'))
        batch_op.drop_index(batch_op.f('ix_posting_end_date'))

    op.drop_table('posting')
    with op.batch_alter_table('pair_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_rule_post_id'))
        batch_op.drop_index(batch_op.f('ix_pair_rule_pool_id'))
        batch_op.drop_index(batch_op.f('ix_pair_rule_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_pair_rule_candidate_id'))

    op.drop_table('pair_rule')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_year'))
        batch_op.drop_index(batch_op.f('ix_post_subject_id'))
        batch_op.drop_index(batch_op.f('ix_post_school_id'))
        batch_op.drop_index(batch_op.f('ix_post_kind'))
        batch_op.drop_index(batch_op.f('ix_post_filled_by_run_id'))

    op.drop_table('post')


    with op.batch_alter_table('staffing_norm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staffing_norm_updated_by_id'))

    op.drop_table('staffing_norm')
    with op.batch_alter_table('itinerant_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itinerant_plan_year'))
        batch_op.drop_index(batch_op.f('ix_itinerant_plan_status'))
        batch_op.drop_index(batch_op.f('ix_itinerant_plan_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_itinerant_plan_county_id'))

    op.drop_table('itinerant_plan')


    with op.batch_alter_table('allocation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_run_status'))
        batch_op.drop_index(batch_op.f('ix_allocation_run_queued_at'))
        batch_op.drop_index(batch_op.f('ix_allocation_run_pool_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_run_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_run_approved_by_id'))

    op.drop_table('allocation_run')



    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_pool_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_id_number'))
        batch_op.drop_index(batch_op.f('ix_candidate_home_school_id'))

    op.drop_table('candidate')


    with op.batch_alter_table('candidate_pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_pool_year'))
        batch_op.drop_index(batch_op.f('ix_candidate_pool_unit_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_pool_status'))
        batch_op.drop_index(batch_op.f('ix_candidate_pool_kind'))

    op.drop_table('candidate_pool')
