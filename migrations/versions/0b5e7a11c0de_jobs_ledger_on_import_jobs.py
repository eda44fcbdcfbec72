"""jobs: an import's commit request kept on its row, so an interrupted commit can be resumed

Revision ID: 0b5e7a11c0de
Revises: dcae5562c249
Create Date: 2026-12-01 14:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0b5e7a11c0de"
down_revision = "dcae5562c249"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transferred_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("committed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_import_jobs_committed_by_id_users", "users", ["committed_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_import_jobs_committed_by_id_users", type_="foreignkey")
        batch_op.drop_column("committed_by_id")
        batch_op.drop_column("transferred_ids")
