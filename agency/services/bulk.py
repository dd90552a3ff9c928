"""Insert many rows at once: COPY on PostgreSQL, one executemany elsewhere (seed, rescoring).

psycopg's executemany still sends one INSERT per row (about 10,000 rows/s on the bench box);
COPY streams the rows, an order of magnitude faster. Runs in the caller's transaction.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, bindparam, delete, insert, text, update

from agency.extensions import db


def insert_rows(model: Any, rows: list[dict[str, Any]], chunk: int = 20_000) -> int:
    """Insert `rows` (dicts with the same keys, every NOT NULL column given); returns the count."""
    if not rows:
        return 0
    connection = db.session.connection()
    table = model.__table__
    if connection.dialect.name != "postgresql":
        # Core, not the ORM's bulk path: the rows are plain dicts and need none of the ORM's
        # per-row bookkeeping.
        for start in range(0, len(rows), chunk):
            connection.execute(table.insert(), rows[start : start + chunk])
        return len(rows)
    columns = [table.c[name] for name in rows[0]]
    as_json = [isinstance(c.type, JSON) for c in columns]
    names = [c.name for c in columns]
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[n]) if j else row[n]
                        for n, j in zip(names, as_json, strict=True)
                    ]
                )
    finally:
        cursor.close()
    return len(rows)


def delete_ids(model: Any, ids: list[int], chunk: int = 5000) -> None:
    """Delete the rows with these ids (chunked: SQLite caps the number of bound values)."""
    for start in range(0, len(ids), chunk):
        db.session.execute(
            delete(model)
            .where(model.id.in_(ids[start : start + chunk]))
            .execution_options(synchronize_session=False)
        )


def set_column(model: Any, name: str, values: list[tuple[int, Any]]) -> None:
    """Set one column of many rows, each (id, value), with one executemany, in the caller's
    transaction. Meant for SQLite, which runs the loop itself: psycopg's executemany would
    send an UPDATE per row."""
    if not values:
        return
    table = model.__table__
    db.session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam("row_value", type_=table.c[name].type)}),
        [{"row_id": row_id, "row_value": value} for row_id, value in values],
    )


def insert_with_ids(model: Any, rows: list[dict[str, Any]], chunk: int = 5000) -> list[int]:
    """Insert `rows` and return their new ids, in the order of `rows`.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows COPied with
    them: a multi-row INSERT ... RETURNING of thousands of rows makes psycopg parse a statement
    with tens of thousands of placeholders each time. Elsewhere one INSERT ... RETURNING per
    chunk.
    """
    if not rows:
        return []
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        ids: list[int] = []
        for start in range(0, len(rows), chunk):
            result = db.session.execute(
                insert(model).returning(model.id, sort_by_parameter_order=True),
                rows[start : start + chunk],
            )
            ids.extend(row[0] for row in result)
        return ids
    ids = list(
        db.session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": model.__table__.name, "n": len(rows)},
        ).scalars()
    )
    # COPY applies no Python-side defaults: fill the columns the rows leave out, as INSERT would.
    defaults = {
        column.name: column.default
        for column in model.__table__.columns
        if column.name != "id" and column.name not in rows[0] and column.default is not None
    }

    def complete(new_id: int, row: dict[str, Any]) -> dict[str, Any]:
        filled = {
            name: default.arg(None) if default.is_callable else default.arg
            for name, default in defaults.items()
        }
        return {"id": new_id, **filled, **row}

    insert_rows(model, [complete(new_id, row) for new_id, row in zip(ids, rows, strict=True)])
    return ids
