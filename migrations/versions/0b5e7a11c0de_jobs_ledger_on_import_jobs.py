"""operations: an import's commit request kept on its row (an interrupted commit can be
resumed); account issuance as a background job with its sealed slips; members' requests
to correct their data

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
    op.create_table(
        "account_issue_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("site_url", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("slips", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_account_issue_jobs_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_account_issue_jobs_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_issue_jobs")),
    )
    with op.batch_alter_table("account_issue_jobs", schema=None) as batch_op:
        for column in ("actor_id", "status", "unit_id"):
            batch_op.create_index(
                batch_op.f(f"ix_account_issue_jobs_{column}"), [column], unique=False
            )
    op.create_table(
        "data_correction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["users.id"], name=op.f("fk_data_correction_requests_handled_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_data_correction_requests_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_data_correction_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_correction_requests")),
    )
    with op.batch_alter_table("data_correction_requests", schema=None) as batch_op:
        for column in ("created_at", "member_id", "status", "user_id"):
            batch_op.create_index(
                batch_op.f(f"ix_data_correction_requests_{column}"), [column], unique=False
            )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transferred_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("committed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_import_jobs_committed_by_id_users", "users", ["committed_by_id"], ["id"]
        )


def downgrade():
    op.drop_table("account_issue_jobs")
    op.drop_table("data_correction_requests")
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_import_jobs_committed_by_id_users", type_="foreignkey")
        batch_op.drop_column("committed_by_id")
        batch_op.drop_column("transferred_ids")
