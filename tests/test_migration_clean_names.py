"""Migration 0006 cleans the uploaded file names stored before uploads cleaned them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_migrate import upgrade

from agency import create_app
from agency.extensions import db
from tests.conftest import base_config
from tests.test_migrations import empty_db_url  # noqa: F401 (the fixture)

_FILLERS: dict[type, Any] = {
    sa.String: "",
    sa.Text: "",
    sa.Integer: 0,
    sa.Float: 0.0,
    sa.Numeric: 0,
    sa.Boolean: False,
    sa.JSON: [],
    sa.Date: date(2026, 1, 1),
    sa.DateTime: datetime(2026, 1, 1, tzinfo=UTC),
}


def _insert(table_name: str, **values: Any) -> int:
    """One row in the table as the database has it now: every required column the test does
    not name gets a plain value of its type."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=db.session.connection())
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.primary_key or column.nullable:
            continue
        row[column.name] = next(v for t, v in _FILLERS.items() if isinstance(column.type, t))
    return int(db.session.execute(table.insert().values(row)).inserted_primary_key[0])


def _read(table_name: str, column: str, row_id: int) -> Any:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=db.session.connection())
    return db.session.execute(sa.select(table.c[column]).where(table.c.id == row_id)).scalar_one()


def test_stored_names_lose_control_and_bidi_characters(
    tmp_path: Path,
    empty_db_url: str,  # noqa: F811
) -> None:
    app = create_app(base_config(tmp_path, empty_db_url))
    with app.app_context():
        upgrade(revision="0006-1")
        # Rows as the schema of that revision has them (the models have moved on since).
        candidate = _insert(
            "candidates", status="active", resume_filename="cv\u202efdp.exe", resume_path="r/a"
        )
        kept = _insert("candidates", status="active", resume_filename="Lebenslauf M\u00fcller.pdf")
        ctype = _insert("credential_types", code="CPC", name="CPC")
        credential = _insert(
            "credentials",
            candidate_id=candidate,
            credential_type_id=ctype,
            document_filename="\x01\u2066\u2069",
            document_path="credentials/b.pdf",
            verification_status="pending",
        )
        db.session.commit()
        ids = candidate, kept, credential
        db.session.remove()
        upgrade(revision="0006")
        assert _read("candidates", "resume_filename", ids[0]) == "cvfdp.exe"
        assert _read("candidates", "resume_filename", ids[1]) == "Lebenslauf M\u00fcller.pdf"
        assert _read("credentials", "document_filename", ids[2]) == "document"
        db.session.remove()
        db.engine.dispose()
