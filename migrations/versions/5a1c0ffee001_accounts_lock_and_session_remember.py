"""accounts: lock reason and time on users, "remember me" flag on login sessions

A locked account (users.active false) keeps why and since when it was locked, so staff and the
member's login page can say so; a login session records whether it was "remember me", which
decides its idle timeout.

Revision ID: 5a1c0ffee001
Revises: 11ec6c3bd38f
Create Date: 2026-12-01 11:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5a1c0ffee001"
down_revision = "11ec6c3bd38f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("locked_reason", sa.String(length=200), nullable=True))
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remember", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_column("remember")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_reason")
        batch_op.drop_column("locked_at")
