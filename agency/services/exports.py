"""Staff list exports: the rows a list's filters show, as CSV or XLSX, without holding them all.

Rows are read from the database in chunks (`yield_per`), so a 100,000-row export keeps one chunk
of objects in memory. CSV is written as the response streams; XLSX through openpyxl's write-only
workbook, which writes each row to a temporary file as it comes (an XLSX is a zip: it can only be
sent once it is complete). Cells a spreadsheet would run as a formula (starting with =, +, -, @,
a tab or a carriage return) are written with a leading apostrophe (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from agency.extensions import db
from agency.models import Application, Opening, Stage, User

CHUNK = 1000
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Sheet:
    """What one list exports: its name (file and sheet) and its columns."""

    name: str
    columns: tuple[Column, ...]

    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def row(self, obj: Any) -> list[Any]:
        return [_cell(c.value(obj)) for c in self.columns]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _email(user: User | None) -> str:
    return user.email if user is not None else ""


CANDIDATES = Sheet(
    "candidates",
    (
        Column("id", lambda c: c.id),
        Column("first name", lambda c: c.first_name),
        Column("last name", lambda c: c.last_name),
        Column("e-mail", lambda c: _email(c.user)),
        Column("phone", lambda c: c.phone),
        Column("ZIP code", lambda c: c.zip_code),
        Column("roles wanted", lambda c: c.desired_roles),
        Column("years of experience", lambda c: c.years_experience),
        Column("typing (wpm)", lambda c: c.typing_wpm),
        Column("minimum pay ($/h)", lambda c: c.min_pay),
        Column("languages", lambda c: c.languages),
        Column("EHR systems", lambda c: c.ehr_systems),
        Column("status", lambda c: c.status),
        Column("shares profile", lambda c: "yes" if c.consent_share_profile else "no"),
        Column("registered", lambda c: c.created_at),
        Column("updated", lambda c: c.updated_at),
    ),
)
OPENINGS = Sheet(
    "openings",
    (
        Column("id", lambda o: o.id),
        Column("title", lambda o: o.title),
        Column("clinic", lambda o: o.clinic.name),
        Column("role", lambda o: o.role_type),
        Column("employment type", lambda o: o.employment_type),
        Column("positions", lambda o: o.positions),
        Column("start date", lambda o: o.start_date),
        Column("pay from ($/h)", lambda o: o.pay_min),
        Column("pay to ($/h)", lambda o: o.pay_max),
        Column("status", lambda o: o.status),
        Column("posted", lambda o: o.created_at),
    ),
)
APPLICATIONS = Sheet(
    "pipeline",
    (
        Column("application id", lambda a: a.id),
        Column("candidate id", lambda a: a.candidate_id),
        Column("candidate", lambda a: a.candidate.full_name),
        Column("opening id", lambda a: a.opening_id),
        Column("opening", lambda a: a.opening.title),
        Column("clinic", lambda a: a.opening.clinic.name),
        Column("stage", lambda a: a.stage),
        Column("source", lambda a: a.source),
        Column("since", lambda a: a.updated_at),
        Column("created", lambda a: a.created_at),
    ),
)
PLACEMENTS = Sheet("placements", APPLICATIONS.columns)
AUDIT = Sheet(
    "audit",
    (
        Column("when", lambda e: e.created_at),
        Column("action", lambda e: e.action),
        Column("actor id", lambda e: e.actor_id),
        Column("object", lambda e: e.object_type),
        Column("object id", lambda e: e.object_id),
        Column("candidate id", lambda e: e.candidate_id),
        Column("ip", lambda e: e.ip),
        Column("details", lambda e: ", ".join(f"{k}={v}" for k, v in sorted(e.details.items()))),
    ),
)


def pipeline_query(stage: str = "") -> Select[Application]:
    query = (
        select(Application)
        .options(
            joinedload(Application.candidate),
            joinedload(Application.opening).joinedload(Opening.clinic),
        )
        .order_by(Application.updated_at.desc(), Application.id.desc())
    )
    return query.where(Application.stage == stage) if stage else query


def placements_query() -> Select[Application]:
    return pipeline_query(Stage.PLACED)


def objects(query: Select[Any], session: Session | None = None) -> Iterator[Any]:
    """The query's objects, read CHUNK rows at a time (the session holds them weakly: a written
    chunk is garbage once the next is read)."""
    result = (session or db.session).execute(query.execution_options(yield_per=CHUNK))
    for partition in result.scalars().partitions():
        yield from partition


def csv_chunks(sheet: Sheet, rows: Iterable[Any]) -> Iterator[str]:
    """The CSV text in pieces of about CHUNK rows (a byte-order mark first, so a spreadsheet
    opens it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(sheet.header())
    for n, obj in enumerate(rows, 1):
        writer.writerow(sheet.row(obj))
        if n % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def streaming_session() -> Session:
    """A session of its own for a response body streamed after the view has returned (no
    request or app context then), on the bind the request's session uses. Read-only: bound to
    a connection already inside a transaction (a test's), closing it (also when a client
    abandons the download) leaves that transaction alone. Call it in the view."""
    return Session(db.session.get_bind(), join_transaction_mode="rollback_only")


def streamed_csv(sheet: Sheet, query: Select[Any]) -> Iterator[str]:
    """The CSV of the query's rows for a streamed response: it runs after the view has
    returned, so it reads through a session of its own on the app's engine (no request or app
    context needed while the body is sent)."""
    own = streaming_session()

    def body() -> Iterator[str]:
        with own as session:
            yield from csv_chunks(sheet, objects(query, session))

    return body()


def xlsx_file(sheet: Sheet, rows: Iterable[Any]) -> IO[bytes]:
    """The rows in a write-only workbook saved to a temporary file (deleted when closed),
    positioned at its start."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet.name)
    ws.append(sheet.header())
    for obj in rows:
        ws.append(sheet.row(obj))
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the caller sends and closes it)
    book.save(out)
    out.seek(0)
    return out
