"""duplicate check indexes: candidates' phone, and (zip_code, id) for the newest of a ZIP code
(it replaces the ZIP code's own index, which it covers)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 14:40:00

"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_phone"), ["phone"], unique=False)
        batch_op.create_index("ix_candidates_zip_code_id", ["zip_code", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_candidates_zip_code"))


def downgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_zip_code"), ["zip_code"], unique=False)
        batch_op.drop_index("ix_candidates_zip_code_id")
        batch_op.drop_index(batch_op.f("ix_candidates_phone"))
