"""duplicate_flags, candidate_skills: drop the candidate_id indexes that the unique
(candidate_id, other_id) and (candidate_id, skill_id) indexes already serve

A unique index on (candidate_id, x) answers every lookup by candidate_id, the foreign key's
cascade included; the single-column copies only cost each insert an entry. An import writes
about 1.5 duplicate flags per imported candidate (bench_import.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 13:00:00

"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("duplicate_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_duplicate_flags_candidate_id")
    with op.batch_alter_table("candidate_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_skills_candidate_id")


def downgrade():
    with op.batch_alter_table("candidate_skills", schema=None) as batch_op:
        batch_op.create_index("ix_candidate_skills_candidate_id", ["candidate_id"], unique=False)
    with op.batch_alter_table("duplicate_flags", schema=None) as batch_op:
        batch_op.create_index("ix_duplicate_flags_candidate_id", ["candidate_id"], unique=False)
