"""openings.scored_at: when a full rescore last read the opening (the review trusts its Match rows
only when this is not older than updated_at)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:50:00

"""

import sqlalchemy as sa
from alembic import op

import agency.models.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("openings") as batch:
        batch.add_column(
            sa.Column("scored_at", agency.models.types.UTCDateTime(timezone=True), nullable=True)
        )
    # Existing databases: an opening's Match rows were written by its last rescore, so the oldest
    # of them tells when that was (a candidate's own rescore only adds later rows).
    op.execute(
        "UPDATE openings SET scored_at = "
        "(SELECT min(matches.computed_at) FROM matches WHERE matches.opening_id = openings.id)"
    )


def downgrade():
    with op.batch_alter_table("openings") as batch:
        batch.drop_column("scored_at")
