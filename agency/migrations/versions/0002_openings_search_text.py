"""openings.search_text: the job board's word search reads one case-folded column

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    with op.batch_alter_table("openings") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    # Fill it as the application does (Python's casefold, not the database's lower()).
    conn = op.get_bind()
    openings = sa.table(
        "openings",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("description", sa.Text),
        sa.column("search_text", sa.Text),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(openings.c.id, openings.c.title, openings.c.description)
            .where(openings.c.id > last)
            .order_by(openings.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            openings.update()
            .where(openings.c.id == sa.bindparam("oid"))
            .values(search_text=sa.bindparam("text")),
            [{"oid": i, "text": f"{t or ''}\n{d or ''}".casefold()} for i, t, d in rows],
        )
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table("openings") as batch:
        batch.drop_column("search_text")
