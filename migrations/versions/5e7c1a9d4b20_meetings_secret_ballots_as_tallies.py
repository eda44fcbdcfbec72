"""meetings: secret ballots kept as per-choice tallies only; proxy votes keep their time

Issue 12 (H4): one row per ballot let anyone with database access line ballots up with the
receipts (file/WAL position, transaction ids). Secret votes are now counted in
`secret_tallies` (open votes only); the `ballots` table goes. Existing ballots become counts:
of an open motion, its tally rows; of a closed motion, its yes/no/abstain (already stored
there at the close; written again from the ballots to be sure). After upgrading a SQLite
database, run `flask meetings scrub-tallies` and `sqlite3 app.db VACUUM` once so that the
dropped table's pages are rewritten.

Issue 12 (H3): `recorded_at` on open votes and receipts, set for a vote recorded on a
member's behalf, so the member's phone can say when.

Revision ID: 5e7c1a9d4b20
Revises: 11ec6c3bd38f
Create Date: 2026-12-01 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5e7c1a9d4b20"
down_revision = "5a1c0ffee001"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")  # the dropped ballots' cells are zeroed
    op.create_table(
        "secret_tallies",
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"],
            ["meeting_motions.id"],
            name=op.f("fk_secret_tallies_motion_id_meeting_motions"),
        ),
        sa.PrimaryKeyConstraint("motion_id", "choice", name=op.f("pk_secret_tallies")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO secret_tallies (motion_id, choice, count) "
        "SELECT b.motion_id, b.choice, COUNT(*) FROM ballots b "
        "JOIN meeting_motions m ON m.id = b.motion_id WHERE m.status <> 'closed' "
        "GROUP BY b.motion_id, b.choice"
    )
    for column, choice in (("yes", "yes"), ("no", "no"), ("abstain", "abstain")):
        op.execute(
            f"UPDATE meeting_motions SET {column} = (SELECT COUNT(*) FROM ballots b "  # noqa: S608
            f"WHERE b.motion_id = meeting_motions.id AND b.choice = '{choice}') "
            "WHERE secret AND status = 'closed' AND EXISTS "
            "(SELECT 1 FROM ballots b WHERE b.motion_id = meeting_motions.id)"
        )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballots_motion_id"))
    op.drop_table("ballots")
    for table in ("ballot_receipts", "meeting_open_votes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("recorded_at", sa.DateTime(), nullable=True))


def downgrade():
    for table in ("ballot_receipts", "meeting_open_votes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("recorded_at")
    op.create_table(
        "ballots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["meeting_motions.id"], name=op.f("fk_ballots_motion_id_meeting_motions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballots_motion_id"), ["motion_id"], unique=False)
    # The ballots themselves are not recreated: rows per ballot are what the upgrade removed.
    op.drop_table("secret_tallies")
