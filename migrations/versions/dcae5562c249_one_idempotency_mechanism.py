"""one idempotency mechanism: drop meeting_action_keys (issue 19)

The meeting phone's "speak" and written-opinion forms claimed their client key in a table of
their own (`meeting_action_keys`, one key for everyone); they now use `core.idempotency`
(`idempotency_keys`, keys per user) like every other form. The old rows are not copied: a key
only matters for the seconds in which a phone may retry, and the old keys name no user.

Revision ID: dcae5562c249
Revises: 5b0c2e7f4a91
Create Date: 2026-12-01 12:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "dcae5562c249"
down_revision = "5b0c2e7f4a91"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_action_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_action_keys_meeting_id"))
    op.drop_table("meeting_action_keys")


def downgrade():
    op.create_table(
        "meeting_action_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_action_keys_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meeting_action_keys")),
    )
    with op.batch_alter_table("meeting_action_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_action_keys_meeting_id"), ["meeting_id"], unique=False
        )
