"""audiences: who reads each reason and note; credential reminders made by the scans

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

import agency.models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AUDIENCES = "reason_audience IN ('staff', 'clinic', 'candidate')"
CLINIC_DECLINED = "The clinic chose another candidate for this opening."
AGENCY_REJECTED = "The agency will not put you forward for this opening."


def upgrade():
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reason_audience", sa.String(length=13), server_default="staff", nullable=False)
        )
        batch_op.add_column(
            sa.Column("candidate_message", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_stage_changes_reason_audience_valid"), AUDIENCES)
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audience", sa.String(length=13), server_default="staff", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_notes_audience_valid"), "audience IN ('staff', 'clinic', 'candidate')"
        )
    # What was written before had no audience: a clinic's words stay with the agency and the
    # clinic, a candidate's own withdrawal reason with them, and everything staff wrote is
    # staff-only; the candidate reads the standard words for a decline.
    by_role = "SELECT id FROM users WHERE role = '{}'"
    op.execute(
        "UPDATE stage_changes SET reason_audience = 'clinic' "
        f"WHERE actor_id IN ({by_role.format('clinic')})"
    )
    op.execute(
        "UPDATE stage_changes SET reason_audience = 'candidate' "
        f"WHERE actor_id IN ({by_role.format('candidate')})"
    )
    op.execute(
        f"UPDATE stage_changes SET candidate_message = '{CLINIC_DECLINED}' "
        f"WHERE to_stage = 'rejected' AND actor_id IN ({by_role.format('clinic')})"
    )
    op.execute(
        f"UPDATE stage_changes SET candidate_message = '{AGENCY_REJECTED}' "
        "WHERE to_stage = 'rejected' AND reason_audience = 'staff'"
    )

    op.create_table(
        "credential_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("created_at", agency.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credential_reminders_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_reminders")),
        sa.UniqueConstraint(
            "credential_id",
            "threshold",
            "expires_on",
            name=op.f("uq_credential_reminders_credential_id_threshold_expires_on"),
        ),
    )
    with op.batch_alter_table("credential_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credential_reminders_credential_id"), ["credential_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("credential_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_reminders_credential_id"))
    op.drop_table("credential_reminders")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notes_audience_valid"), type_="check")
        batch_op.drop_column("audience")
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_stage_changes_reason_audience_valid"), type_="check")
        batch_op.drop_column("candidate_message")
        batch_op.drop_column("reason_audience")
