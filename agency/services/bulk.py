"""Insert many rows at once: COPY on PostgreSQL, one executemany elsewhere (seed, rescoring).

psycopg's executemany still sends one INSERT per row (about 10,000 rows/s on the bench box);
COPY streams the rows, an order of magnitude faster. Runs in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    any_,
    bindparam,
    delete,
    insert,
    literal,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from agency.extensions import db


class Encoded:
    """A JSON column's value with its text already worked out, for `insert_rows`: an import
    encodes its rows' JSON on the thread that checks the next batch, off the writing thread."""

    __slots__ = ("text", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.text = json.dumps(value)


def insert_rows(model: Any, rows: list[dict[str, Any]], chunk: int = 20_000) -> int:
    """Insert `rows` (dicts with the same keys, every NOT NULL column given); returns the count."""
    if not rows:
        return 0
    connection = db.session.connection()
    table = model.__table__
    names = list(rows[0])
    if connection.dialect.name != "postgresql":
        _decoded(model, rows)
        # Core, not the ORM's bulk path: the rows are plain dicts and need none of the ORM's
        # per-row bookkeeping.
        for start in range(0, len(rows), chunk):
            connection.execute(table.insert(), rows[start : start + chunk])
        return len(rows)
    # One itemgetter call per row rather than a comprehension over the columns: this loop runs
    # once per imported row and table.
    pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    _copy(model, names, map(pick, rows))
    return len(rows)


def _decoded(model: Any, rows: list[dict[str, Any]]) -> None:
    """Put each `Encoded` value of `rows` back as the value itself (in place): outside COPY the
    driver encodes JSON columns itself."""
    table = model.__table__
    as_json = [name for name in rows[0] if isinstance(table.c[name].type, JSON)]
    for row in rows:
        for name in as_json:
            if type(row[name]) is Encoded:
                row[name] = row[name].value


def _copy(model: Any, names: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` (each the values of the columns `names`, in order) into the model's table,
    in the session's transaction (PostgreSQL)."""
    table = model.__table__
    as_json = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    as_time = [i for i, name in enumerate(names) if _is_time(table.c[name].type)]
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    texts: dict[Any, str] = {}
    times: dict[datetime, str] = {}
    cursor = db.session.connection().connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for values in rows:
                if as_json or as_time:
                    values = list(values)
                    for i in as_json:
                        values[i] = _json_text(values[i], texts)
                    for i in as_time:
                        values[i] = _time_text(values[i], times)
                copy.write_row(values)
    finally:
        cursor.close()


def _is_time(column_type: Any) -> bool:
    """A DateTime column, or one whose TypeDecorator stores a DateTime (UTCDateTime)."""
    return isinstance(getattr(column_type, "impl", column_type), DateTime)


def _time_text(value: datetime | None, times: dict[datetime, str]) -> str | None:
    """The ISO 8601 text of a timestamp (with its offset: the server converts it as it would
    the driver's own dumping), remembered in `times`: an import's rows share a handful of
    timestamps (the batch's time, an expiry), and psycopg's dumping of each cost 1.6 us a
    value, a tenth of a row's COPY."""
    if value is None:
        return None
    found = times.get(value)
    if found is None:
        found = times[value] = value.isoformat()
    return found


def _json_text(value: Any, texts: dict[Any, str]) -> str:
    """`json.dumps(value)`, remembered in `texts` for the small values that repeat from row to
    row (an empty list, a role, a job's audit details): encoding each row's JSON columns was a
    tenth of an import's CPU. Remembered only under a key that tells every two such values
    apart: a list or a dict of at most four strings, ints or None (not bools or floats, which
    equal ints), in order. An `Encoded` value brings its text."""
    kind = type(value)
    if kind is Encoded:
        return value.text
    if kind is list:
        parts: list[Any] = value
    elif kind is dict:
        parts = [*value, *value.values()]
    else:
        return json.dumps(value)
    if len(value) > 4 or not all(type(part) in _PLAIN for part in parts):
        return json.dumps(value)
    key = (kind, tuple(value.items() if kind is dict else value))
    found = texts.get(key)
    if found is None:
        found = texts[key] = json.dumps(value)
    return found


_PLAIN = (str, int, type(None))


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
        _decoded(model, rows)
        returned: list[int] = []
        for start in range(0, len(rows), chunk):
            result = db.session.execute(
                insert(model).returning(model.id, sort_by_parameter_order=True),
                rows[start : start + chunk],
            )
            returned.extend(row[0] for row in result)
        return returned
    # One array in one row: fetching thousands of one-column rows cost more than drawing them.
    # The sequence is looked up once (the materialized CTE), not per id: pg_get_serial_sequence
    # and the text-to-regclass cast per row made 1,000 ids cost the server 3 ms, not 0.6 ms.
    ids: list[int] = db.session.execute(
        text(
            "WITH s AS MATERIALIZED "
            "(SELECT pg_get_serial_sequence(:table, 'id')::regclass AS seq) "
            "SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, :n)"
        ),
        {"table": model.__table__.name, "n": len(rows)},
    ).scalar_one()
    # COPY applies no Python-side defaults: fill the columns the rows leave out, as INSERT would.
    # A callable default (the time, an empty list) is called once for the statement, as the
    # server's now() is once per transaction: the rows share the value, which is what lets
    # `_copy` format a timestamp once rather than once per row. (The models' callable defaults
    # are utcnow, list and dict; a value that must differ per row is given in the rows.)
    given = list(rows[0])
    defaults = [
        column.default
        for column in model.__table__.columns
        if column.name != "id" and column.name not in given and column.default is not None
    ]
    constant = tuple(d.arg for d in defaults if not d.is_callable)
    made = [d.arg for d in defaults if d.is_callable]
    names = [
        "id",
        *(d.column.name for d in defaults if not d.is_callable),
        *(d.column.name for d in defaults if d.is_callable),
        *given,
    ]
    shared = (*constant, *(make(None) for make in made))
    pick = itemgetter(*given) if len(given) > 1 else (lambda row: (row[given[0]],))
    # Tuples straight to COPY: a completed dict per row cost a tenth of a second per 10,000.
    values = [(new_id, *shared, *pick(row)) for new_id, row in zip(ids, rows, strict=True)]
    _copy(model, names, values)
    return ids


def among(column: Any, values: list[Any]) -> ColumnElement[bool]:
    """`column IN values` for thousands of values. On PostgreSQL one array parameter
    (`= ANY(:values)`): an IN list of thousands of placeholders costs SQLAlchemy and psycopg
    more to build and parse than the indexed lookup costs to run. Elsewhere an IN list; the
    caller keeps the list under SQLite's limit of bound parameters."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def lookup_slices(values: list[Any], size: int = 500) -> list[list[Any]]:
    """`values` in the slices to ask `among` with: all at once on PostgreSQL (one array), in
    IN lists of `size` elsewhere."""
    if db.session.get_bind().dialect.name == "postgresql":
        return [values] if values else []
    return [values[start : start + size] for start in range(0, len(values), size)]
