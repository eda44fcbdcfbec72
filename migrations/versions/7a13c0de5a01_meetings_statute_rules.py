"""meetings: the Statute's voting rules (issue 13)

`meeting_motions.present` and `.quorum_held` keep, for each closed vote, how many official
members were present and whether the quorum held, so the result and the minutes state it.
`meeting_attendance.version` numbers each change of a roll-call line: a change sent against an
older version (two secretaries at once) is refused instead of silently overwriting.

Revision ID: 7a13c0de5a01
Revises: e68230195b93
Create Date: 2026-12-01 14:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7a13c0de5a01"
down_revision = "e68230195b93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_motions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("present", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quorum_held", sa.Boolean(), nullable=True))
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("meeting_motions", schema=None) as batch_op:
        batch_op.drop_column("quorum_held")
        batch_op.drop_column("present")
