"""duplicate_flags: candidate records that may be one person, for staff to merge or dismiss

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-02 08:40:00

"""

import sqlalchemy as sa
from alembic import op

from agency.models.types import UTCDateTime

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "duplicate_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=13), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("candidate_id < other_id", name=op.f("ck_duplicate_flags_ordered_pair")),
        sa.CheckConstraint(
            "status IN ('open', 'dismissed')", name=op.f("ck_duplicate_flags_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_duplicate_flags_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["candidates.id"],
            name=op.f("fk_duplicate_flags_other_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_duplicate_flags_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_flags")),
        sa.UniqueConstraint("candidate_id", "other_id", name=op.f("uq_duplicate_flags_candidate_id_other_id")),
    )
    op.create_index("ix_duplicate_flags_candidate_id", "duplicate_flags", ["candidate_id"])
    op.create_index("ix_duplicate_flags_other_id", "duplicate_flags", ["other_id"])
    op.create_index("ix_duplicate_flags_status", "duplicate_flags", ["status"])


def downgrade():
    op.drop_table("duplicate_flags")
