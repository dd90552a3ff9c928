"""Invoices to clinics from approved timesheets: drafts per billing period, issue, credit notes.

A draft is staff's working copy: it is rebuilt from the timesheets as often as asked (a late
approval lands on it). Issuing gives it the next gap-free number and freezes it: this module
refuses any change to an issued invoice, and so do the ORM hooks at the bottom (a bug elsewhere
cannot flush a change either). A correction is a credit note: negative lines naming the lines of
the invoice they correct, issued at once with its own number series.

Amounts are the timesheets' own (services/money.py rounds each sheet once); an invoice only adds
lines up, so the invoice, the timesheet pages and the payroll export agree to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import Clinic, Shift, User, utcnow
from agency.models.invoices import (
    BillingPeriod,
    ClinicBilling,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from agency.models.timesheets import BILLABLE_STATUSES, Timesheet
from agency.services import audit, invoice_notices, invoice_numbers
from agency.timezones import clinic_zone, zone

CENT = Decimal("0.01")
DEFAULT_NET_DAYS = 30
# Biweekly periods count whole weeks from this Sunday (any fixed date would do: it only has to
# stay fixed, so the same two weeks always share an invoice).
BIWEEKLY_EPOCH = date(2024, 1, 7)
SUNDAY = 6


class InvoiceError(Exception):
    """A refused invoice operation, in words for staff."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start:%b %d, %Y} - {self.end:%b %d, %Y}"


@dataclass
class RunResult:
    drafted: list[Invoice] = field(default_factory=list)
    removed: int = 0

    def describe(self) -> str:
        n = len(self.drafted)
        words = f"{n} draft invoice{'s' if n != 1 else ''} ready"
        return words + (f"; {self.removed} empty draft(s) removed" if self.removed else "")


# -- billing periods -------------------------------------------------------------------------


def billing_of(clinic: Clinic) -> ClinicBilling:
    """The clinic's billing settings (a transient row with the defaults when none is saved)."""
    found = db.session.get(ClinicBilling, clinic.id)
    return found or ClinicBilling(
        clinic_id=clinic.id,
        period=BillingPeriod.WEEKLY,
        net_days=DEFAULT_NET_DAYS,
        bill_to="",
    )


def set_billing(
    clinic: Clinic, period: str, net_days: int, bill_to: str, actor: User, ip: str = ""
) -> ClinicBilling:
    """Save the clinic's billing settings (audited). Issued invoices keep their own terms."""
    row = db.session.get(ClinicBilling, clinic.id)
    if row is None:
        row = ClinicBilling(clinic_id=clinic.id)
        db.session.add(row)
    before = {"period": row.period, "net_days": row.net_days}
    row.period, row.net_days, row.bill_to = BillingPeriod(period), net_days, bill_to.strip()
    audit.record(
        "clinic_billing_changed",
        actor_id=actor.id,
        object_type="clinic",
        object_id=clinic.id,
        ip=ip,
        details={"before": before, "period": period, "net_days": net_days},
    )
    return row


def _week_start(day: date, starts_on: int) -> date:
    return day - timedelta(days=(day.weekday() - starts_on) % 7)


def period_containing(clinic: Clinic, day: date, billing: ClinicBilling | None = None) -> Period:
    billing = billing or billing_of(clinic)
    starts_on = getattr(clinic, "workweek_starts_on", SUNDAY)
    starts_on = SUNDAY if starts_on is None else int(starts_on)
    if billing.period == BillingPeriod.MONTHLY:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(first, following - timedelta(days=1))
    start = _week_start(day, starts_on)
    if billing.period == BillingPeriod.BIWEEKLY:
        weeks = (start - _week_start(BIWEEKLY_EPOCH, starts_on)).days // 7
        start -= timedelta(days=7 * (weeks % 2))
        return Period(start, start + timedelta(days=13))
    return Period(start, start + timedelta(days=6))


def utc_range(clinic: Clinic, period: Period) -> tuple[datetime, datetime]:
    """The period's local midnights in the clinic's zone, as UTC (a DST change moves them)."""
    tz = clinic_zone(clinic)
    starts = datetime.combine(period.start, time(0), tzinfo=tz).astimezone(UTC)
    ends = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return starts, ends


def local_date(clinic: Clinic, moment: datetime) -> date:
    return moment.astimezone(clinic_zone(clinic)).date()


def agency_today() -> date:
    return utcnow().astimezone(zone(current_app.config["AGENCY_TIMEZONE"])).date()


# -- drafts ----------------------------------------------------------------------------------


def _invoiced_elsewhere(keep_invoice_id: int | None) -> Any:
    query = select(InvoiceLine.timesheet_id).where(InvoiceLine.timesheet_id.is_not(None))
    if keep_invoice_id is not None:
        query = query.where(InvoiceLine.invoice_id != keep_invoice_id)
    return query


def billable_timesheets(
    clinic: Clinic, period: Period, keep_invoice_id: int | None = None
) -> list[Timesheet]:
    """Approved (or resolved) sheets of the clinic whose shift started in the period and that no
    other invoice bills, oldest first."""
    starts, ends = utc_range(clinic, period)
    return list(
        db.session.execute(
            select(Timesheet)
            .options(
                selectinload(Timesheet.candidate),
                selectinload(Timesheet.shift).selectinload(Shift.opening),
            )
            .where(
                Timesheet.clinic_id == clinic.id,
                Timesheet.status.in_(BILLABLE_STATUSES),
                Timesheet.started_at >= starts,
                Timesheet.started_at < ends,
                Timesheet.id.not_in(_invoiced_elsewhere(keep_invoice_id)),
            )
            .order_by(Timesheet.started_at, Timesheet.id)
        ).scalars()
    )


def _line_for(clinic: Clinic, sheet: Timesheet, position: int) -> InvoiceLine:
    opening = sheet.shift.opening if sheet.shift is not None else None
    return InvoiceLine(
        position=position,
        timesheet_id=sheet.id,
        work_date=local_date(clinic, sheet.started_at),
        worker_name=sheet.candidate.full_name if sheet.candidate is not None else "",
        description=opening.title if opening is not None else "Shift",
        regular_minutes=sheet.regular_minutes,
        overtime_minutes=sheet.overtime_minutes,
        holiday_minutes=sheet.holiday_minutes,
        bill_rate=sheet.bill_rate,
        overtime_multiplier=sheet.overtime_multiplier,
        holiday_multiplier=sheet.holiday_multiplier,
        amount=sheet.bill_amount,
        pay_amount=sheet.pay_amount,
    )


def _fill(invoice: Invoice, clinic: Clinic, sheets: list[Timesheet]) -> None:
    invoice.lines = [_line_for(clinic, s, i) for i, s in enumerate(sheets, 1)]
    invoice.total = sum((line.amount for line in invoice.lines), Decimal("0.00"))
    invoice.generated_at = utcnow()


def draft_of(clinic: Clinic, period: Period) -> Invoice | None:
    return db.session.execute(
        select(Invoice)
        .where(
            Invoice.clinic_id == clinic.id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.DRAFT,
            Invoice.period_start == period.start,
        )
        .with_for_update()
    ).scalar_one_or_none()


def draft(
    clinic: Clinic, period: Period, actor: User | None = None, ip: str = ""
) -> Invoice | None:
    """The clinic's draft for the period, made or rebuilt from the billable timesheets; None when
    there is nothing to bill (an emptied draft is removed). Staged in the caller's transaction."""
    existing = draft_of(clinic, period)
    sheets = billable_timesheets(clinic, period, existing.id if existing else None)
    if existing is not None:
        if not sheets:
            _remove_draft(existing, actor, ip)
            return None
        return _rebuild(existing, clinic, sheets, actor, ip)
    if not sheets:
        return None
    billing = billing_of(clinic)
    invoice = Invoice(
        clinic_id=clinic.id,
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.DRAFT,
        period_start=period.start,
        period_end=period.end,
        net_days=billing.net_days,
        created_by_id=actor.id if actor else None,
    )
    _fill(invoice, clinic, sheets)
    db.session.add(invoice)
    db.session.flush()
    audit.record(
        "invoice_drafted",
        actor_id=actor.id if actor else None,
        object_type="invoice",
        object_id=invoice.id,
        ip=ip,
        details={"clinic_id": clinic.id, "lines": len(sheets), "total": str(invoice.total)},
    )
    return invoice


def _rebuild(
    invoice: Invoice, clinic: Clinic, sheets: list[Timesheet], actor: User | None, ip: str
) -> Invoice:
    before = (len(invoice.lines), invoice.total)
    # The old lines go first: each timesheet may be on one line only.
    invoice.lines = []
    db.session.flush()
    _fill(invoice, clinic, sheets)
    invoice.net_days = billing_of(clinic).net_days
    db.session.flush()
    audit.record(
        "invoice_regenerated",
        actor_id=actor.id if actor else None,
        object_type="invoice",
        object_id=invoice.id,
        ip=ip,
        details={
            "clinic_id": clinic.id,
            "lines_before": before[0],
            "total_before": str(before[1]),
            "lines": len(invoice.lines),
            "total": str(invoice.total),
        },
    )
    return invoice


def _remove_draft(invoice: Invoice, actor: User | None, ip: str) -> None:
    audit.record(
        "invoice_draft_removed",
        actor_id=actor.id if actor else None,
        object_type="invoice",
        object_id=invoice.id,
        ip=ip,
        details={"clinic_id": invoice.clinic_id, "reason": "nothing left to bill"},
    )
    db.session.delete(invoice)
    db.session.flush()


def regenerate(invoice: Invoice, actor: User | None = None, ip: str = "") -> Invoice | None:
    """Rebuild a draft from the timesheets now (None: nothing left to bill, draft removed)."""
    if invoice.is_issued:
        raise InvoiceError("An issued invoice never changes: correct it with a credit note.")
    if invoice.is_credit_note:
        raise InvoiceError("A credit note is not made from timesheets.")
    period = Period(invoice.period_start, invoice.period_end)
    return draft(invoice.clinic, period, actor, ip)


def _on_issued_invoices() -> Any:
    return (
        select(InvoiceLine.timesheet_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(InvoiceLine.timesheet_id.is_not(None), Invoice.status == InvoiceStatus.ISSUED)
    )


def _clinics_with_unbilled_time() -> list[Clinic]:
    ids = select(Timesheet.clinic_id).where(
        Timesheet.status.in_(BILLABLE_STATUSES), Timesheet.id.not_in(_on_issued_invoices())
    )
    drafts = select(Invoice.clinic_id).where(Invoice.status == InvoiceStatus.DRAFT)
    return list(
        db.session.execute(
            select(Clinic).where(Clinic.id.in_(ids.union(drafts))).order_by(Clinic.name)
        ).scalars()
    )


def run_for(day: date, actor: User | None = None, ip: str = "") -> RunResult:
    """ "Run invoicing for the week of `day`": every clinic's draft for its period containing the
    day (weekly clinics: that week; monthly ones: that month), made or rebuilt."""
    result = RunResult()
    for clinic in _clinics_with_unbilled_time():
        period = period_containing(clinic, day)
        had_draft = draft_of(clinic, period) is not None
        made = draft(clinic, period, actor, ip)
        if made is not None:
            result.drafted.append(made)
        elif had_draft:
            result.removed += 1
    return result


def draft_due(today: date | None = None) -> RunResult:
    """The beat job: a draft for every completed period that has unbilled approved time (a late
    approval in an older period gets a draft of its own). Idempotent: drafts are rebuilt."""
    today = today or agency_today()
    result = RunResult()
    for clinic in _clinics_with_unbilled_time():
        billing = billing_of(clinic)
        days = db.session.execute(
            select(Timesheet.started_at).where(
                Timesheet.clinic_id == clinic.id,
                Timesheet.status.in_(BILLABLE_STATUSES),
                Timesheet.id.not_in(_on_issued_invoices()),
            )
        ).scalars()
        periods = {period_containing(clinic, local_date(clinic, d), billing) for d in days}
        for period in sorted(periods, key=lambda p: p.start):
            if period.end >= today:
                continue  # still running: the clinic may work more hours in it
            made = draft(clinic, period)
            if made is not None:
                result.drafted.append(made)
    return result


# -- issuing ---------------------------------------------------------------------------------


def _stale_lines(invoice: Invoice) -> list[InvoiceLine]:
    """Lines whose timesheet no longer says what the line bills (changed, or not billable)."""
    ids = [line.timesheet_id for line in invoice.lines if line.timesheet_id is not None]
    sheets = {
        s.id: s
        for s in db.session.execute(select(Timesheet).where(Timesheet.id.in_(ids))).scalars()
    }
    stale = []
    for line in invoice.lines:
        sheet = sheets.get(line.timesheet_id) if line.timesheet_id is not None else None
        if (
            sheet is None
            or sheet.status not in BILLABLE_STATUSES
            or sheet.bill_amount != line.amount
            or sheet.regular_minutes != line.regular_minutes
            or sheet.overtime_minutes != line.overtime_minutes
            or sheet.holiday_minutes != line.holiday_minutes
        ):
            stale.append(line)
    return stale


def bill_to_text(clinic: Clinic, billing: ClinicBilling | None = None) -> str:
    billing = billing or billing_of(clinic)
    if (billing.bill_to or "").strip():
        return billing.bill_to.strip()
    place = ", ".join(p for p in (clinic.city, f"{clinic.state} {clinic.zip_code}".strip()) if p)
    return "\n".join(p for p in (clinic.name, clinic.address_line, place) if p)


def _lock(invoice: Invoice) -> Invoice:
    """The invoice re-read under its row lock (two staff pressing Issue at once: one waits and
    then sees it issued)."""
    db.session.refresh(invoice, with_for_update=True)
    return invoice


def issue(invoice: Invoice, actor: User, ip: str = "") -> Invoice:
    """Number, date and freeze a draft invoice. Staged: the caller commits (the number is only
    taken if the commit happens)."""
    invoice = _lock(invoice)
    if invoice.is_issued:
        raise InvoiceError(f"{invoice.title} is already issued.")
    if not invoice.lines:
        raise InvoiceError("This draft has no lines: there is nothing to bill.")
    if _stale_lines(invoice):
        raise InvoiceError(
            "Timesheets on this draft changed since it was made: regenerate it, check it, "
            "then issue."
        )
    _stamp(invoice, actor, invoice_numbers.INVOICE_SERIES, "invoice_issued", ip)
    invoice_notices.invoice_issued(invoice)
    return invoice


def _stamp(
    invoice: Invoice,
    actor: User,
    series: str,
    action: str,
    ip: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Number, date and freeze an invoice or a credit note, and record who issued it (`details`:
    what the audit event says besides the number, the clinic and the total)."""
    today = agency_today()
    # Everything that reads the database first: an autoflush between the assignments below
    # would write a half-issued row (the CHECK constraint refuses it).
    bill_to = bill_to_text(invoice.clinic)
    number = invoice_numbers.allocate(series, today.year)
    with db.session.no_autoflush:
        invoice.number = number
        invoice.issue_date = today
        invoice.due_date = today + timedelta(days=invoice.net_days)
        invoice.bill_to = bill_to
        invoice.issued_at = utcnow()
        invoice.issued_by_id = actor.id
        invoice.status = InvoiceStatus.ISSUED
    audit.record(
        action,
        actor_id=actor.id,
        object_type="invoice",
        object_id=invoice.id,
        ip=ip,
        details={
            "number": invoice.number,
            "clinic_id": invoice.clinic_id,
            "total": str(invoice.total),
            **(details or {}),
        },
    )


# -- credit notes ----------------------------------------------------------------------------


def credited_so_far(invoice: Invoice) -> dict[int, Decimal]:
    """Per line of the invoice, how much issued credit notes already took off (positive)."""
    rows = db.session.execute(
        select(InvoiceLine.credited_line_id, InvoiceLine.amount)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.credited_invoice_id == invoice.id,
            InvoiceLine.credited_line_id.is_not(None),
        )
    ).all()
    taken: dict[int, Decimal] = {}
    for line_id, amount in rows:
        if line_id is not None:
            taken[line_id] = taken.get(line_id, Decimal("0.00")) - amount
    return taken


def credit_note(
    invoice: Invoice, amounts: dict[int, Decimal], reason: str, actor: User, ip: str = ""
) -> Invoice:
    """Issue a credit note against an issued invoice: `amounts` maps the invoice's line ids to
    the (positive) sum to take off each, at most what the line still bills."""
    if not invoice.is_issued or invoice.is_credit_note:
        raise InvoiceError("Only an issued invoice can be credited.")
    reason = reason.strip()
    if not reason:
        raise InvoiceError("Give the reason for the credit: it is printed on the credit note.")
    lines = {line.id: line for line in invoice.lines}
    chosen = {k: v for k, v in amounts.items() if v}
    if not chosen:
        raise InvoiceError("Enter the amount to credit on at least one line.")
    taken = credited_so_far(invoice)
    credit_lines = []
    for position, (line_id, amount) in enumerate(sorted(chosen.items()), 1):
        line = lines.get(line_id)
        if line is None:
            raise InvoiceError("That line is not on this invoice.")
        amount = amount.quantize(CENT)
        left = line.amount - taken.get(line_id, Decimal("0.00"))
        if amount <= 0 or amount > left:
            raise InvoiceError(
                f"Line {line.position} ({line.worker_name}, {line.work_date:%b %d}) can be "
                f"credited between $0.01 and ${left:,.2f}."
            )
        credit_lines.append(
            InvoiceLine(
                position=position,
                credited_line_id=line.id,
                work_date=line.work_date,
                worker_name=line.worker_name,
                description=f"Credit on line {line.position} of {invoice.number}: {reason}",
                bill_rate=line.bill_rate,
                overtime_multiplier=line.overtime_multiplier,
                holiday_multiplier=line.holiday_multiplier,
                amount=-amount,
                pay_amount=Decimal("0.00"),
            )
        )
    note = Invoice(
        clinic_id=invoice.clinic_id,
        kind=InvoiceKind.CREDIT_NOTE,
        status=InvoiceStatus.DRAFT,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        net_days=0,
        credited_invoice_id=invoice.id,
        reason=reason,
        created_by_id=actor.id,
        lines=credit_lines,
        total=sum((c.amount for c in credit_lines), Decimal("0.00")),
    )
    db.session.add(note)
    db.session.flush()
    _stamp(
        note,
        actor,
        invoice_numbers.CREDIT_SERIES,
        "credit_note_issued",
        ip,
        {"invoice": invoice.number, "reason": reason[:200]},
    )
    db.session.flush()
    return note


# -- erasure --------------------------------------------------------------------------------


def erase_worker_name(candidate_id: int, replacement: str) -> int:
    """A person's account erasure: their name leaves the invoice and credit-note lines that bill
    their timesheets. The one change an issued invoice accepts (hours, rates and amounts stay:
    the agency's financial record), written as a bulk UPDATE past the flush guard on purpose.
    Staged in the caller's transaction; the count of lines changed."""
    sheets = select(Timesheet.id).where(Timesheet.candidate_id == candidate_id)
    line_ids = list(
        db.session.execute(
            select(InvoiceLine.id).where(InvoiceLine.timesheet_id.in_(sheets))
        ).scalars()
    )
    if not line_ids:
        return 0
    result = db.session.execute(
        update(InvoiceLine)
        .where(InvoiceLine.id.in_(line_ids) | InvoiceLine.credited_line_id.in_(line_ids))
        .values(worker_name=replacement)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- reading ---------------------------------------------------------------------------------


def get(invoice_id: int) -> Invoice | None:
    return db.session.execute(
        select(Invoice)
        .options(selectinload(Invoice.lines), selectinload(Invoice.clinic))
        .where(Invoice.id == invoice_id)
    ).scalar_one_or_none()


def clinic_invoices(clinic_id: int) -> list[Invoice]:
    """What a clinic sees: its ISSUED invoices and credit notes (drafts are the agency's)."""
    return list(
        db.session.execute(
            select(Invoice)
            .where(Invoice.clinic_id == clinic_id, Invoice.status == InvoiceStatus.ISSUED)
            .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        ).scalars()
    )


def staff_invoices(status: str = "", limit: int = 200) -> list[Invoice]:
    query = (
        select(Invoice)
        .options(selectinload(Invoice.clinic))
        .order_by(Invoice.period_start.desc(), Invoice.id.desc())
        .limit(limit)
    )
    if status in InvoiceStatus.values():
        query = query.where(Invoice.status == status)
    return list(db.session.execute(query).scalars())


def credit_notes_of(invoice: Invoice) -> list[Invoice]:
    return list(
        db.session.execute(
            select(Invoice).where(Invoice.credited_invoice_id == invoice.id).order_by(Invoice.id)
        ).scalars()
    )


@dataclass(frozen=True)
class PayAndMargin:
    """Staff only: what the invoice's hours paid the workers, and what the agency keeps."""

    pay: Decimal
    margin: Decimal
    percent: Decimal | None  # of the invoice total, one decimal


def pay_and_margin(invoice: Invoice) -> PayAndMargin:
    pay = sum((line.pay_amount for line in invoice.lines), Decimal("0.00"))
    margin = invoice.total - pay
    percent = (margin * 100 / invoice.total).quantize(Decimal("0.1")) if invoice.total else None
    return PayAndMargin(pay, margin, percent)


def hours(minutes: int) -> Decimal:
    """Minutes as decimal hours to the hundredth, for print (amounts come from the sheets)."""
    return (Decimal(minutes) / 60).quantize(CENT)


def money(value: Decimal | None) -> str:
    value = Decimal("0.00") if value is None else value
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"
