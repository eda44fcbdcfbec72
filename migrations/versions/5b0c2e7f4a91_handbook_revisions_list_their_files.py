"""handbook: revisions list their files

Attachments are part of what a reviewer approves (issue 12, M6): they change only while the
article is a draft, and each change is a new revision recording the article's files
([[attachment id, file name, sha256], …]). Revisions saved before this one have no list (None).

Meeting documents and attachments stored before uploads were checked by their bytes keep their
rows: the serving helper re-sniffs the stored bytes on every response, so a wrong claimed type
is never used (no data migration needed).

Revision ID: 5b0c2e7f4a91
Revises: 11ec6c3bd38f
Create Date: 2026-12-01 11:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b0c2e7f4a91"
down_revision = "5e7c1a9d4b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("files", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.drop_column("files")
