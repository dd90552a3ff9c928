"""Issuing invoices at the same moment, each on its own connection, against PostgreSQL: every
invoice gets its own number and, even when one issue rolls back, the numbers have no gap."""

from __future__ import annotations

import functools
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from agency.extensions import db
from agency.models import Invoice, InvoiceCounter, User
from agency.services import invoicing
from tests.concurrency import MARKS, backend, race_on_held_row
from tests.money.invoice_fixtures import WEEK, MoneyScene, local, money, sheet

__all__ = ["backend", "money"]
pytestmark = MARKS
PEOPLE = 6


def test_concurrent_issues_take_consecutive_numbers(app: Flask, money: MoneyScene) -> None:
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

    outcomes: dict[int, str] = {}

    def issue(invoice_id: int) -> None:
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

    # Hold the counter's row so every issue waits at its UPDATE; then let them go together.
    race_on_held_row(
        "SELECT last_number FROM invoice_counters WHERE year = :y FOR UPDATE",
        {"y": year},
        [functools.partial(issue, i) for i in draft_ids],
        "the counter's row",
    )
    assert sorted(outcomes.values()) == ["issued"] * (PEOPLE - 1) + ["rolled back"]
    numbers = sorted(
        db.session.execute(select(Invoice.number).where(Invoice.number.is_not(None))).scalars()
    )
    assert numbers == [f"INV-{year}-{n:05d}" for n in range(1, PEOPLE)]
    assert db.session.get(Invoice, failing).status == "draft"
    counter = db.session.get(InvoiceCounter, ("INV", year))
    assert counter is not None and counter.last_number == PEOPLE - 1
