"""stage columns of the history and of staff decisions hold a Stage: stage_changes.from_stage,
stage_changes.to_stage and decisions.stage get the CHECK constraint the other enum columns have
(and the enum's width, 15)

Existing rows are checked first: a value that is a stage but for case or surrounding spaces is
rewritten to the stage; any other value stops the migration with the values listed (a person
must decide what they meant), rather than failing half-way on the constraint.

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-02 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None

# The stages as this migration knows them (not imported: a later change to the enum must not
# change what this migration did).
STAGES = (
    "applied",
    "sourced",
    "shortlisted",
    "submitted",
    "interview",
    "offered",
    "placed",
    "rejected",
    "withdrawn",
)
COLUMNS = (
    ("stage_changes", "from_stage", True),
    ("stage_changes", "to_stage", False),
    ("decisions", "stage", False),
)


def _allowed(column):
    return f"{column} IN ({', '.join(repr(s) for s in STAGES)})"


def _clean_existing_rows(conn):
    stages = sa.bindparam("stages", value=list(STAGES), expanding=True)
    unknown = []
    for table, column, _nullable in COLUMNS:
        conn.execute(
            sa.text(
                f"UPDATE {table} SET {column} = lower(trim({column})) "
                f"WHERE {column} NOT IN :stages AND lower(trim({column})) IN :stages"
            ).bindparams(stages)
        )
        found = conn.execute(
            sa.text(
                f"SELECT DISTINCT {column} FROM {table} "
                f"WHERE {column} IS NOT NULL AND {column} NOT IN :stages"
            ).bindparams(stages)
        ).scalars()
        unknown += [f"{table}.{column} = {value!r}" for value in found]
    if unknown:
        raise RuntimeError(
            "Rows hold values that are not stages; fix or delete them, then migrate again: "
            + "; ".join(unknown)
        )


def upgrade():
    _clean_existing_rows(op.get_bind())
    for table in ("stage_changes", "decisions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, nullable in COLUMNS:
                if name != table:
                    continue
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=16),
                    type_=sa.String(length=15),
                    existing_nullable=nullable,
                )
                batch_op.create_check_constraint(
                    op.f(f"ck_{table}_{column}_valid"), _allowed(column)
                )


def downgrade():
    for table in ("decisions", "stage_changes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, nullable in COLUMNS:
                if name != table:
                    continue
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}_valid"), type_="check")
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=15),
                    type_=sa.String(length=16),
                    existing_nullable=nullable,
                )
