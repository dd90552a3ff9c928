"""matches: drop ix_matches_candidate_score (the unique (candidate_id, opening_id) index serves
every candidate lookup; no query orders a candidate's matches by score in SQL)

Each full rescore deletes and inserts every Match row: the index cost every insert an entry
(bench_engine_db on PostgreSQL: 6,400 rows written in 0.18-0.21 s with it, 0.155-0.16 s
without).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 10:00:00

"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_index("ix_matches_candidate_score")


def downgrade():
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.create_index("ix_matches_candidate_score", ["candidate_id", "score"], unique=False)
