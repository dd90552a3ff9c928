"""interviews: a candidate may decline the proposed times (status "declined", their note)

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-02 14:40:00

"""

import sqlalchemy as sa
from alembic import op

import agency.models.types

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

OLD = "status IN ('proposed', 'scheduled', 'cancelled', 'completed')"
NEW = "status IN ('proposed', 'scheduled', 'cancelled', 'completed', 'declined')"


def upgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decline_note", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "declined_at", agency.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.drop_constraint(op.f("ck_interviews_status_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_interviews_status_valid"), NEW)


def downgrade():
    # A declined proposal reads as one withdrawn: its times are released either way.
    op.execute("UPDATE interviews SET status = 'cancelled' WHERE status = 'declined'")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_interviews_status_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_interviews_status_valid"), OLD)
        batch_op.drop_column("declined_at")
        batch_op.drop_column("decline_note")
