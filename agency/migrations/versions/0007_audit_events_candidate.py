"""audit_events.candidate_id: whose personal data an event is about (who saw what); an index
for the staff queue of credentials waiting for a check

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_events", sa.Column("candidate_id", sa.Integer(), nullable=True))
    # Events recorded before the column named the candidate as their object.
    op.execute(
        "UPDATE audit_events SET candidate_id = object_id WHERE object_type = 'candidate'"
    )
    op.create_index(
        "ix_audit_events_candidate", "audit_events", ["candidate_id", "created_at"]
    )
    op.create_index(
        "ix_credentials_status_created", "credentials", ["verification_status", "created_at"]
    )


def downgrade():
    op.drop_index("ix_credentials_status_created", table_name="credentials")
    op.drop_index("ix_audit_events_candidate", table_name="audit_events")
    op.drop_column("audit_events", "candidate_id")
