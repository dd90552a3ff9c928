"""candidate intake: who entered a record by hand, when its person claimed it; claim tokens

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from agency.models.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_candidates_entered_by_id_users"),
            "users",
            ["entered_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_constraint(op.f("ck_auth_tokens_purpose_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_auth_tokens_purpose_valid"), "purpose IN ('password_reset', 'account_claim')"
        )


def downgrade():
    op.execute("DELETE FROM auth_tokens WHERE purpose = 'account_claim'")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_constraint(op.f("ck_auth_tokens_purpose_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_auth_tokens_purpose_valid"), "purpose IN ('password_reset')"
        )
    with op.batch_alter_table("candidates") as batch:
        batch.drop_constraint(op.f("fk_candidates_entered_by_id_users"), type_="foreignkey")
        batch.drop_column("claimed_at")
        batch.drop_column("entered_by_id")
