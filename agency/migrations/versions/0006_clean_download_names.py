"""uploaded file names: remove control and format characters from names stored before upload
cleaned them (a NUL broke the download; a right-to-left override disguised the extension)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:00:00

"""

import os
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A copy of agency.services.uploads.clean_filename as it was when this migration was written:
# a migration must not change meaning when the application's code changes later.
_UNSHOWABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def _clean(filename):
    name = os.path.basename(unicodedata.normalize("NFC", filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _UNSHOWABLE)
    return " ".join(name.split())[:200].strip()


def _clean_column(table, column, fallback):
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
    ).all()
    for row_id, name in rows:
        cleaned = _clean(name) or fallback
        if cleaned != name:
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :name WHERE id = :id"),  # noqa: S608
                {"name": cleaned, "id": row_id},
            )


def upgrade():
    _clean_column("candidates", "resume_filename", "resume")
    _clean_column("credentials", "document_filename", "document")


def downgrade():
    # The removed characters were never meant to be there: nothing to restore.
    pass
