"""Gap-free invoice numbers per series and year: INV-2026-00001, CN-2026-00001.

The counter row is incremented by one UPDATE inside the caller's transaction. On PostgreSQL the
UPDATE takes the row's lock and holds it until the caller commits or rolls back: a second issuer
waits, then reads the committed value; a rolled-back issue gives its number back. SQLite has one
writer at a time, which gives the same order. A number is therefore used exactly once and none is
skipped, as long as the caller commits the number with the invoice that carries it (one
transaction, which services.invoicing.issue does).
"""

from __future__ import annotations

from sqlalchemy import insert, select, update

from agency.extensions import db
from agency.models.invoices import InvoiceCounter

INVOICE_SERIES = "INV"
CREDIT_SERIES = "CN"


def _ensure_counter(series: str, year: int) -> None:
    """The counter row for the year, created at 0 if missing (two first issues of a year may both
    try: the loser's INSERT conflicts and does nothing)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(
            pg_insert(InvoiceCounter)
            .values(series=series, year=year, last_number=0)
            .on_conflict_do_nothing()
        )
        return
    exists = db.session.execute(
        select(InvoiceCounter.year).where(
            InvoiceCounter.series == series, InvoiceCounter.year == year
        )
    ).first()
    if exists is None:
        db.session.execute(insert(InvoiceCounter).values(series=series, year=year, last_number=0))


def allocate(series: str, year: int) -> str:
    """The next number of the series for the year, e.g. "INV-2026-00042" (in the caller's
    transaction: commit it with the invoice)."""
    _ensure_counter(series, year)
    number = db.session.execute(
        update(InvoiceCounter)
        .where(InvoiceCounter.series == series, InvoiceCounter.year == year)
        .values(last_number=InvoiceCounter.last_number + 1)
        .returning(InvoiceCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return format_number(series, year, number)


def format_number(series: str, year: int, number: int) -> str:
    return f"{series}-{year}-{number:05d}"
