"""openings: indexes for the job board (a count that reads one index, a newest-first walk)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_openings_board", "openings", ["status", "clinic_id", "role_type", "employment_type"]
    )
    op.create_index(
        "ix_openings_board_newest",
        "openings",
        ["status", sa.text("coalesce(posted_at, created_at)"), "id"],
    )
    # Without statistics for the new indexes SQLite's planner takes the newest-first index for
    # any "status = ?" query and sorts what it finds (other lists went from 0.1 to 2 ms).
    op.execute("ANALYZE openings")


def downgrade():
    op.drop_index("ix_openings_board_newest", table_name="openings")
    op.drop_index("ix_openings_board", table_name="openings")
