"""Invoices from approved timesheets: exact amounts, periods in the clinic's zone, drafts that
rebuild, issuing with gap-free numbers, immutability once issued, and credit notes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from agency.extensions import db
from agency.models import AuditEvent, ClinicBilling, Invoice, InvoiceLine, IssuedInvoiceChanged
from agency.services import invoice_numbers, invoicing
from agency.services.invoicing import InvoiceError, Period
from tests.money.invoice_fixtures import WEEK, MoneyScene, local, money, sheet

__all__ = ["money"]  # the fixture, imported for pytest

NOV_WEEK = Period(WEEK, WEEK + timedelta(days=6))


def _actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


def test_a_weekly_draft_bills_each_approved_timesheet_with_exact_amounts(
    money: MoneyScene,
) -> None:
    ana, ben = money.workers
    sheet(money, ana, local(WEEK + timedelta(days=1), 8), regular=450)  # 7.5 h x 32 = 240.00
    # 7.5 h regular + 2 h overtime at 32.00 x 1.5: 240.00 + 96.00
    sheet(money, ben, local(WEEK + timedelta(days=2), 8), regular=450, overtime=120)
    # 7 h 20 min at 31.15 = 228.4333... -> 228.43 (rounded once, half up)
    sheet(money, ana, local(WEEK + timedelta(days=3), 8), regular=440, bill_rate="31.15")
    # Left out: not approved yet, another clinic's, and next week's (Sunday).
    sheet(money, ben, local(WEEK + timedelta(days=4), 8), status="submitted")
    sheet(money, ben, local(WEEK + timedelta(days=4), 8), clinic=money.other_clinic)
    sheet(money, ana, local(WEEK + timedelta(days=7), 8))

    invoice = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, WEEK))
    db.session.commit()

    assert invoice is not None
    assert (invoice.period_start, invoice.period_end) == (date(2026, 11, 1), date(2026, 11, 7))
    assert [line.amount for line in invoice.lines] == [
        Decimal("240.00"),
        Decimal("336.00"),
        Decimal("228.43"),
    ]
    assert invoice.total == Decimal("804.43")
    assert [line.worker_name for line in invoice.lines] == [
        "Ana Worker",
        "Ben Worker",
        "Ana Worker",
    ]
    assert invoice.lines[1].overtime_minutes == 120
    assert invoice.status == "draft" and invoice.number is None
    assert "invoice_drafted" in _actions()


def test_the_period_is_read_in_the_clinic_zone(money: MoneyScene) -> None:
    ana = money.workers[0]
    # Saturday 11 PM in Chicago is Sunday 05:00 UTC: still the week of Nov 1 for the clinic.
    late = sheet(money, ana, local(WEEK + timedelta(days=6), 23), regular=240)
    assert late.started_at.date() == date(2026, 11, 8)
    invoice = invoicing.draft(money.clinic, NOV_WEEK)
    assert invoice is not None and [line.timesheet_id for line in invoice.lines] == [late.id]
    assert invoice.lines[0].work_date == date(2026, 11, 7)


def test_billing_periods_weekly_biweekly_monthly(money: MoneyScene) -> None:
    day = date(2026, 11, 18)  # a Wednesday
    assert invoicing.period_containing(money.clinic, day) == Period(
        date(2026, 11, 15), date(2026, 11, 21)
    )
    db.session.add(ClinicBilling(clinic_id=money.clinic.id, period="monthly", net_days=15))
    db.session.commit()
    assert invoicing.period_containing(money.clinic, day) == Period(
        date(2026, 11, 1), date(2026, 11, 30)
    )
    db.session.get(ClinicBilling, money.clinic.id).period = "biweekly"
    db.session.commit()
    first = invoicing.period_containing(money.clinic, day)
    assert (first.end - first.start).days == 13 and first.start.weekday() == 6
    assert invoicing.period_containing(money.clinic, first.end) == first
    assert invoicing.period_containing(money.clinic, first.end + timedelta(days=1)).start == (
        first.end + timedelta(days=1)
    )


def test_a_draft_rebuilds_and_an_emptied_draft_goes(money: MoneyScene) -> None:
    ana, ben = money.workers
    sheet(money, ana, local(WEEK + timedelta(days=1), 8))
    invoice = invoicing.draft(money.clinic, NOV_WEEK)
    db.session.commit()
    late = sheet(money, ben, local(WEEK + timedelta(days=2), 8), status="submitted")
    late.status = "approved"
    db.session.commit()

    again = invoicing.regenerate(invoice, money.staff)
    db.session.commit()
    assert again is not None and again.id == invoice.id
    assert len(again.lines) == 2 and again.total == Decimal("480.00")
    assert "invoice_regenerated" in _actions()

    for line_sheet in db.session.execute(select(InvoiceLine.timesheet_id)).scalars().all():
        db.session.get(type(late), line_sheet).status = "disputed"
    db.session.commit()
    assert invoicing.regenerate(again, money.staff) is None
    db.session.commit()
    assert db.session.execute(select(Invoice)).first() is None
    assert "invoice_draft_removed" in _actions()


def _issued(money: MoneyScene, day_offset: int = 1) -> Invoice:
    sheet(money, money.workers[0], local(WEEK + timedelta(days=day_offset), 8))
    period = invoicing.period_containing(money.clinic, WEEK + timedelta(days=day_offset))
    invoice = invoicing.draft(money.clinic, period)
    assert invoice is not None
    invoicing.issue(invoice, money.staff)
    db.session.commit()
    return invoice


def test_issuing_numbers_dates_and_audits(money: MoneyScene) -> None:
    year = invoicing.agency_today().year
    first = _issued(money)
    second = _issued(money, day_offset=8)
    assert (first.number, second.number) == (f"INV-{year}-00001", f"INV-{year}-00002")
    assert first.status == "issued" and first.issued_by_id == money.staff.id
    assert first.due_date == first.issue_date + timedelta(days=30)
    assert "Lakeside Family Medicine" in first.bill_to
    assert _actions().count("invoice_issued") == 2
    with pytest.raises(InvoiceError, match="already issued"):
        invoicing.issue(first, money.staff)


def test_a_number_given_back_by_a_rollback_is_used_next(money: MoneyScene) -> None:
    year = invoicing.agency_today().year
    assert invoice_numbers.allocate("INV", year) == f"INV-{year}-00001"
    db.session.rollback()  # the issue failed after taking the number
    assert _issued(money).number == f"INV-{year}-00001"


def test_an_issued_invoice_never_changes(money: MoneyScene) -> None:
    invoice = _issued(money)
    with pytest.raises(InvoiceError, match="credit note"):
        invoicing.regenerate(invoice, money.staff)

    # Below the service: the flush refuses any change, whatever code tries it.
    invoice.total = Decimal("1.00")
    with pytest.raises(IssuedInvoiceChanged):
        db.session.flush()
    db.session.rollback()
    invoice.lines[0].amount = Decimal("0.01")
    with pytest.raises(IssuedInvoiceChanged):
        db.session.flush()
    db.session.rollback()
    invoice.lines.pop()
    with pytest.raises(IssuedInvoiceChanged):
        db.session.flush()
    db.session.rollback()
    invoice.lines.append(InvoiceLine(work_date=WEEK, amount=Decimal("5.00")))
    with pytest.raises(IssuedInvoiceChanged):
        db.session.flush()
    db.session.rollback()
    db.session.delete(invoice)
    with pytest.raises(IssuedInvoiceChanged):
        db.session.flush()
    db.session.rollback()
    fresh = db.session.get(Invoice, invoice.id)
    assert fresh.total == Decimal("240.00") and len(fresh.lines) == 1


def test_a_timesheet_is_billed_once(money: MoneyScene) -> None:
    invoice = _issued(money)
    assert invoicing.draft(money.clinic, NOV_WEEK) is None  # nothing new to bill
    # A late approval in the same week gets a draft of its own; the issued one stays.
    sheet(money, money.workers[1], local(WEEK + timedelta(days=3), 8))
    extra = invoicing.draft(money.clinic, NOV_WEEK)
    assert extra is not None and extra.id != invoice.id and len(extra.lines) == 1
    assert len(db.session.get(Invoice, invoice.id).lines) == 1


def test_a_stale_draft_is_not_issued(money: MoneyScene) -> None:
    ts = sheet(money, money.workers[0], local(WEEK + timedelta(days=1), 8))
    invoice = invoicing.draft(money.clinic, NOV_WEEK)
    db.session.commit()
    ts.status, ts.bill_amount = "resolved", Decimal("200.00")  # staff corrected the hours
    db.session.commit()
    with pytest.raises(InvoiceError, match="regenerate"):
        invoicing.issue(invoice, money.staff)
    db.session.rollback()
    rebuilt = invoicing.regenerate(invoice, money.staff)
    assert rebuilt is not None
    invoicing.issue(rebuilt, money.staff)
    db.session.commit()
    assert rebuilt.total == Decimal("200.00")


def test_a_credit_note_corrects_with_negative_lines(money: MoneyScene) -> None:
    year = invoicing.agency_today().year
    sheet(money, money.workers[1], local(WEEK + timedelta(days=2), 8), regular=450, overtime=120)
    invoice = _issued(money)
    by_worker = {line.worker_name: line for line in invoice.lines}
    ben_line = by_worker["Ben Worker"]  # 336.00

    note = invoicing.credit_note(
        invoice, {ben_line.id: Decimal("48.00")}, "One hour of overtime was not worked", money.staff
    )
    db.session.commit()
    assert note.number == f"CN-{year}-00001" and note.kind == "credit_note"
    assert note.credited_invoice_id == invoice.id
    assert [(line.amount, line.credited_line_id) for line in note.lines] == [
        (Decimal("-48.00"), ben_line.id)
    ]
    assert note.total == Decimal("-48.00") and note.lines[0].pay_amount == Decimal("0.00")
    assert invoice.total == Decimal("576.00")  # the invoice itself is untouched
    assert "credit_note_issued" in _actions()

    # What is left on the line is the most a second credit can take.
    with pytest.raises(InvoiceError, match=r"\$288\.00"):
        invoicing.credit_note(invoice, {ben_line.id: Decimal("288.01")}, "again", money.staff)
    db.session.rollback()
    with pytest.raises(InvoiceError, match="reason"):
        invoicing.credit_note(invoice, {ben_line.id: Decimal("1")}, "  ", money.staff)
    with pytest.raises(InvoiceError, match="not on this invoice"):
        invoicing.credit_note(invoice, {10**6: Decimal("1")}, "typo", money.staff)
    db.session.rollback()
    rest = invoicing.credit_note(invoice, {ben_line.id: Decimal("288")}, "whole line", money.staff)
    db.session.commit()
    assert rest.number == f"CN-{year}-00002" and rest.total == Decimal("-288.00")
    with pytest.raises(InvoiceError, match="Only an issued invoice"):
        invoicing.credit_note(note, {note.lines[0].id: Decimal("1")}, "credit", money.staff)


def test_run_for_a_week_and_the_beat_job(money: MoneyScene) -> None:
    sheet(money, money.workers[0], local(WEEK + timedelta(days=1), 8))
    sheet(money, money.workers[1], local(WEEK + timedelta(days=2), 8), clinic=money.other_clinic)
    result = invoicing.run_for(WEEK + timedelta(days=3), money.staff)
    db.session.commit()
    assert sorted(i.clinic_id for i in result.drafted) == sorted(
        [money.clinic.id, money.other_clinic.id]
    )
    # Run again: the same drafts, rebuilt (no duplicates).
    again = invoicing.run_for(WEEK, money.staff)
    db.session.commit()
    assert {i.id for i in again.drafted} == {i.id for i in result.drafted}
    # The beat job drafts completed periods only.
    sheet(money, money.workers[0], local(WEEK + timedelta(days=14), 8))
    due = invoicing.draft_due(today=WEEK + timedelta(days=15))
    db.session.commit()
    assert {(i.clinic_id, i.period_start) for i in due.drafted} == {
        (money.clinic.id, WEEK),
        (money.other_clinic.id, WEEK),
    }
    later = invoicing.draft_due(today=WEEK + timedelta(days=21))
    assert (money.clinic.id, WEEK + timedelta(days=14)) in {
        (i.clinic_id, i.period_start) for i in later.drafted
    }


def test_the_beat_task_drafts_once_however_often_it_runs(app: Any, money: MoneyScene) -> None:
    sheet(money, money.workers[0], local(WEEK + timedelta(days=1), 8))
    task = app.extensions["celery"].tasks["workers.draft_invoices"]
    task.run()
    task.run()
    drafts = db.session.execute(select(Invoice)).scalars().all()
    assert [(d.status, d.period_start, d.total) for d in drafts] == [
        ("draft", WEEK, Decimal("240.00"))
    ]
    assert "draft-invoices" in app.extensions["celery"].conf.beat_schedule
