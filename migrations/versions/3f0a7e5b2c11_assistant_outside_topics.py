"""assistant glossary: terms marking a question outside the Party's procedures (issue 15)

`assistant_glossary.outside` marks a term such as "khai sinh" or "sổ đỏ": a question about it
that names no Party work is answered only by a passage written about it (engine.py).

Revision ID: 3f0a7e5b2c11
Revises: 1cbab0c7fdc0
Create Date: 2026-12-02 08:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3f0a7e5b2c11"
down_revision = "1cbab0c7fdc0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assistant_glossary") as batch_op:
        batch_op.add_column(
            sa.Column("outside", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("assistant_glossary") as batch_op:
        batch_op.drop_column("outside")
