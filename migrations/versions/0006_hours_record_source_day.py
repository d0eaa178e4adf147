"""hours record: an index of completions by day that carries teacher, hours and tier

Revision ID: 0006_hours_record_source_day
Revises: 0005_merge
"""
from alembic import op


revision = "0006_hours_record_source_day"
down_revision = "0005_merge"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("hours_record", schema=None) as batch_op:
        batch_op.create_index("ix_hours_record_source_day", ["source", "day"], unique=False,
                              postgresql_include=["teacher_id", "hours", "tier"])


def downgrade():
    with op.batch_alter_table("hours_record", schema=None) as batch_op:
        batch_op.drop_index("ix_hours_record_source_day")
