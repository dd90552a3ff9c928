"""imports and opening intake: import_jobs, import_row_errors; openings.entered_by_id

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 11:40:00

"""

import sqlalchemy as sa
from alembic import op

from agency.models.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _keep_expression_index():
    """SQLite's batch mode rebuilds the table and cannot carry an index on an expression over:
    the job board's newest-first index (0004) is made again."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_openings_board_newest "
            "ON openings (status, coalesce(posted_at, created_at), id)"
        )


def upgrade():
    with op.batch_alter_table("openings") as batch:
        batch.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_openings_entered_by_id_users"),
            "users",
            ["entered_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _keep_expression_index()
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("send_invitations", sa.Boolean(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("existing_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('candidates', 'openings')", name=op.f("ck_import_jobs_kind_valid")),
        sa.CheckConstraint(
            "status IN ('uploaded', 'queued', 'running', 'done', 'failed')",
            name=op.f("ck_import_jobs_status_valid"),
        ),
        sa.CheckConstraint("rows_done >= 0", name=op.f("ck_import_jobs_rows_done_nonnegative")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_import_jobs_clinic_id_clinics"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_jobs_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    op.create_index("ix_import_jobs_status", "import_jobs", ["status"])
    op.create_table(
        "import_row_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column_label", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_jobs.id"], name=op.f("fk_import_row_errors_job_id_import_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_row_errors")),
    )
    op.create_index("ix_import_row_errors_job_id", "import_row_errors", ["job_id"])


def downgrade():
    op.drop_table("import_row_errors")
    op.drop_table("import_jobs")
    with op.batch_alter_table("openings") as batch:
        batch.drop_constraint(op.f("fk_openings_entered_by_id_users"), type_="foreignkey")
        batch.drop_column("entered_by_id")
    _keep_expression_index()
