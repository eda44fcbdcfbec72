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
    # Sessions opened with "remember me" before this revision lived 30 days (the others 12
    # hours): mark them, so they get the longer idle timeout rather than ending at once.
    bind = op.get_bind()
    sessions = sa.table(
        "user_sessions",
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("expires_at", sa.DateTime),
        sa.column("remember", sa.Boolean),
    )
    rows = bind.execute(sa.select(sessions.c.id, sessions.c.created_at, sessions.c.expires_at))
    long_lived = [r.id for r in rows if (r.expires_at - r.created_at).total_seconds() > 86400]
    for start in range(0, len(long_lived), 900):
        bind.execute(
            sessions.update()
            .where(sessions.c.id.in_(long_lived[start : start + 900]))
            .values(remember=True)
        )


def downgrade():
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_column("remember")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_reason")
        batch_op.drop_column("locked_at")
