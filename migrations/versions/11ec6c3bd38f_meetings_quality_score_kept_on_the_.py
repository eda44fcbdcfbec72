"""meetings: quality score kept on the meeting

The score is stored when a meeting closes and when its minutes are locked or reopened, so the
adoption figures of a committee read one column instead of re-scoring every meeting. Meetings
closed before this revision keep no score (None) and are left out of the averages.

Revision ID: 11ec6c3bd38f
Revises: 9436959f061d
Create Date: 2026-11-28 18:34:16.790324

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "11ec6c3bd38f"
down_revision = "9436959f061d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quality_score", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("quality_score")
