"""Join the training, staffing and API-token branches into one history.

Revision ID: 0005_merge
Revises: 0002_training, 0003_staffing, 0004_api_tokens
"""

revision = "0005_merge"
down_revision = ("0002_training", "0003_staffing", "0004_api_tokens")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
