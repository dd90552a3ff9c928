"""Issuing invoices at the same moment, each on its own connection, against PostgreSQL: every
invoice gets its own number and, even when one issue rolls back, the numbers have no gap."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text

from agency.extensions import db
from agency.models import Invoice, InvoiceCounter, User
from agency.services import invoicing
from tests.money.invoice_fixtures import WEEK, MoneyScene, local, money, sheet

__all__ = ["money"]
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
    ),
    pytest.mark.commits,  # concurrent transactions on their own connections
]
WAIT_LIMIT = 30.0
PEOPLE = 6


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def side_connection(app: Flask) -> Iterator[Any]:
    engine = create_engine(db.engine.url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _waiting_on_locks(conn: Any) -> int:
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    )


def _wait_until(condition: Any) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the issues never reached the counter's row")
        time.sleep(0.01)  # polling a condition, not sleeping for a result


def test_concurrent_issues_take_consecutive_numbers(
    app: Flask, money: MoneyScene, side_connection: Any
) -> None:
    year = invoicing.agency_today().year
    draft_ids = []
    for week in range(PEOPLE):
        day = WEEK + timedelta(days=7 * week + 1)
        sheet(money, money.workers[0], local(day, 8))
        made = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, day))
        assert made is not None
        draft_ids.append(made.id)
    db.session.add(InvoiceCounter(series="INV", year=year, last_number=0))
    db.session.commit()
    staff_id = money.staff.id
    failing = draft_ids[2]  # this issue takes a number, then its request fails
    db.session.remove()

    # Hold the counter's row so every issue waits at its UPDATE; then let them go together.
    probe = side_connection.begin()
    side_connection.execute(
        text("SELECT last_number FROM invoice_counters WHERE year = :y FOR UPDATE"), {"y": year}
    )
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def issue(invoice_id: int) -> None:
        try:
            with app.app_context():
                found = db.session.get(Invoice, invoice_id)
                invoicing.issue(found, db.session.get(User, staff_id))
                if invoice_id == failing:
                    db.session.rollback()
                    outcomes[invoice_id] = "rolled back"
                else:
                    db.session.commit()
                    outcomes[invoice_id] = "issued"
                db.session.remove()
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(i,)) for i in draft_ids]
    for thread in threads:
        thread.start()
    watcher = create_engine(db.engine.url)
    with watcher.connect() as watch:
        _wait_until(lambda: _waiting_on_locks(watch) >= PEOPLE)
    watcher.dispose()
    probe.commit()
    for thread in threads:
        thread.join(WAIT_LIMIT)
    assert errors == []
    assert sorted(outcomes.values()) == ["issued"] * (PEOPLE - 1) + ["rolled back"]
    numbers = sorted(
        db.session.execute(select(Invoice.number).where(Invoice.number.is_not(None))).scalars()
    )
    assert numbers == [f"INV-{year}-{n:05d}" for n in range(1, PEOPLE)]
    assert db.session.get(Invoice, failing).status == "draft"
    counter = db.session.get(InvoiceCounter, ("INV", year))
    assert counter is not None and counter.last_number == PEOPLE - 1
