"""handbook: files are reviewed like text (pending changes, revisions list their files)

Attachments are part of what a reviewer approves (issue 12, M6). A draft's files are reviewed
with the article; a change to a published article's files waits in `pending` ("add": readers
do not see the file yet, "remove": they still do) with who asked for it in `pending_by_id`,
until another reviewer approves it. Each revision records the article's files
([[attachment id, file name, sha256], …]); revisions saved before this one have none (None).

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
    with op.batch_alter_table("article_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("pending_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_article_attachments_pending_by_id_users"),
            "users",
            ["pending_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("article_attachments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_article_attachments_pending_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("pending_by_id")
        batch_op.drop_column("pending")
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.drop_column("files")
