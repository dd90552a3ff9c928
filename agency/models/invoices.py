"""Invoices and credit notes to clinics: approved timesheets billed per period, numbered without
gaps per year once issued, never changed after that (corrections go on a credit note)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from agency.extensions import Model
from agency.models.types import StrEnum, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from agency.models.clinics import Clinic
    from agency.models.users import User

# Amounts NUMERIC(12, 2), rates NUMERIC(10, 2), multipliers NUMERIC(4, 2): the rate tables' types.
AMOUNT = Numeric(12, 2)
RATE = Numeric(10, 2)
MULTIPLIER = Numeric(4, 2)


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"  # staff's working copy: regenerated from the timesheets until issued
    ISSUED = "issued"  # numbered and sent: never changes again


class BillingPeriod(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class ClinicBilling(Model):
    """How a clinic is billed. No row means the defaults (weekly, net 30)."""

    __tablename__ = "clinic_billing"
    __table_args__ = (
        enum_check("period", BillingPeriod),
        CheckConstraint("net_days BETWEEN 0 AND 120", name="net_days_range"),
    )

    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True
    )
    # Weekly and biweekly periods start on the clinic's workweek start day (the overtime week),
    # so one invoice never splits a week's overtime; monthly periods are calendar months.
    period: Mapped[BillingPeriod] = mapped_column(
        enum_type(BillingPeriod), default=BillingPeriod.WEEKLY
    )
    # Payment terms: due date = issue date + net_days.
    net_days: Mapped[int] = mapped_column(Integer, default=30)
    # Where the invoice is addressed (the clinic's accounts payable); blank = the clinic's address.
    bill_to: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InvoiceCounter(Model):
    """The last number used per series and year. Allocation increments the row inside the issuing
    transaction (the UPDATE holds the row lock until commit), so a rolled-back issue gives its
    number back and two issues never share one: the numbers have no gaps."""

    __tablename__ = "invoice_counters"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)  # INV, CN
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Model):
    """An invoice (or a credit note) to one clinic for one billing period."""

    __tablename__ = "invoices"
    __table_args__ = (
        enum_check("kind", InvoiceKind),
        enum_check("status", InvoiceStatus),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        # Issued means numbered and dated; a draft has neither.
        CheckConstraint(
            "(status = 'issued') = (number IS NOT NULL AND issued_at IS NOT NULL)",
            name="issued_numbered",
        ),
        # A credit note names the invoice it corrects.
        CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)",
            name="credit_names_invoice",
        ),
        UniqueConstraint("number"),
        Index("ix_invoices_clinic_period", "clinic_id", "period_start"),
        Index("ix_invoices_status_period", "status", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No ON DELETE: a clinic with invoices cannot be deleted (nothing deletes clinics today).
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    kind: Mapped[InvoiceKind] = mapped_column(enum_type(InvoiceKind), default=InvoiceKind.INVOICE)
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_type(InvoiceStatus), default=InvoiceStatus.DRAFT
    )
    # INV-2026-00001 / CN-2026-00001, given when issued (year of the issue date).
    number: Mapped[str | None] = mapped_column(String(20))
    # The billing period (local dates in the clinic's zone, both inclusive).
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # Set when issued (the agency's local date), with the due date from the clinic's terms.
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    net_days: Mapped[int] = mapped_column(Integer, default=30)
    # Copied when issued, so a later change of the clinic's details leaves the invoice as sent.
    bill_to: Mapped[str] = mapped_column(Text, default="")
    # Sum of the lines (negative on a credit note).
    total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    # For a credit note: the invoice corrected, and why (printed on the credit note).
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Drafts: when the lines were last rebuilt from the timesheets.
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    clinic: Mapped[Clinic] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        cascade="all, delete-orphan",
        order_by="InvoiceLine.position",
        foreign_keys="InvoiceLine.invoice_id",
    )
    credited_invoice: Mapped[Invoice | None] = relationship(remote_side=[id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    @property
    def is_issued(self) -> bool:
        return self.status == InvoiceStatus.ISSUED

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def title(self) -> str:
        noun = "Credit note" if self.is_credit_note else "Invoice"
        return f"{noun} {self.number}" if self.number else f"Draft {noun.lower()} #{self.id}"

    def __repr__(self) -> str:
        return f"<Invoice {self.id} {self.number or self.status}>"


class InvoiceLine(Model):
    """One approved timesheet on an invoice (or, on a credit note, the negative correction of an
    invoice line). Everything printed is copied here, so the line reads the same forever."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        # A timesheet is billed once (credit-note lines name the credited line instead).
        UniqueConstraint("timesheet_id"),
        CheckConstraint(
            "regular_minutes >= 0 AND overtime_minutes >= 0 AND holiday_minutes >= 0",
            name="minutes_nonnegative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The timesheet billed (null on credit-note lines, or if the sheet is ever removed).
    timesheet_id: Mapped[int | None] = mapped_column(
        ForeignKey("timesheets.id", ondelete="SET NULL")
    )
    # A credit-note line: the invoice line it corrects.
    credited_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"), index=True)
    # What the clinic reads: worker, role and the shift's local date, as billed.
    work_date: Mapped[date] = mapped_column(Date)
    worker_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    regular_minutes: Mapped[int] = mapped_column(Integer, default=0)
    overtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    holiday_minutes: Mapped[int] = mapped_column(Integer, default=0)
    bill_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0.00"))
    overtime_multiplier: Mapped[Decimal] = mapped_column(MULTIPLIER, default=Decimal("1.50"))
    holiday_multiplier: Mapped[Decimal] = mapped_column(MULTIPLIER, default=Decimal("1.00"))
    # What the clinic is charged for the line (negative on a credit note), rounded once.
    amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    # STAFF ONLY: what the worker is paid for the same hours (0 on credit-note lines: the worker
    # was paid for the time regardless). Margin = amount - pay_amount. Never on a clinic's page.
    pay_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))

    invoice: Mapped[Invoice] = relationship(back_populates="lines", foreign_keys=[invoice_id])

    @property
    def billed_minutes(self) -> int:
        return self.regular_minutes + self.overtime_minutes + self.holiday_minutes


class IssuedInvoiceChanged(Exception):
    """Something tried to change an issued invoice or its lines (a bug: the service refuses
    first, with words for staff). The one sanctioned change, a person's erasure taking their
    name off the lines, is a bulk UPDATE in services.invoicing.erase_worker_name."""


def _was_issued(invoice: Invoice | None) -> bool:
    if invoice is None:
        return False
    state = inspect(invoice)
    if not (state.persistent or state.deleted):
        return False
    history = state.attrs.status.load_history()
    committed = list(history.deleted or history.unchanged or ())
    return bool(committed) and committed[0] == InvoiceStatus.ISSUED


def _line_invoice(session: Session, line: InvoiceLine) -> Invoice | None:
    """The invoice the line belonged to when loaded (a line taken out of the collection has
    lost its parent in memory, not in the database)."""
    history = inspect(line).attrs.invoice_id.load_history()
    committed = list(history.deleted or history.unchanged or ())
    if committed and committed[0] is not None:
        return session.get(Invoice, committed[0])
    return line.invoice


# Mapper events, not a session-wide before_flush: they run only when a flush writes an invoice or
# one of its lines, so the app's other flushes (an application, a profile edit) never pass through
# this module. An issued invoice never changes: every change passes through a flush, so it is
# refused here whatever code made it (bulk UPDATE statements aside, which nothing here uses).
def _changed(obj: Invoice | InvoiceLine) -> bool:
    """A real change to the row's columns: a flush also visits rows whose collections alone
    changed (an issued invoice gaining a line is caught on the line)."""
    session = object_session(obj)
    return session is None or session.is_modified(obj, include_collections=False)


@event.listens_for(Invoice, "before_update")
def _refuse_updating_issued(_mapper: Any, _connection: Any, invoice: Invoice) -> None:
    if _changed(invoice) and _was_issued(invoice):
        raise IssuedInvoiceChanged(f"{invoice.title} is issued and cannot change.")


@event.listens_for(Invoice, "before_delete")
def _refuse_deleting_issued(_mapper: Any, _connection: Any, invoice: Invoice) -> None:
    if _was_issued(invoice):
        raise IssuedInvoiceChanged(f"{invoice.title} is issued and cannot change.")


@event.listens_for(InvoiceLine, "before_update")
@event.listens_for(InvoiceLine, "before_delete")
@event.listens_for(InvoiceLine, "before_insert")
def _refuse_line_changes_on_issued(_mapper: Any, _connection: Any, line: InvoiceLine) -> None:
    session = object_session(line)
    if session is None:
        return
    state = inspect(line)
    if state.pending:  # a new line: the invoice it is being added to
        if _was_issued(line.invoice):
            raise IssuedInvoiceChanged("An issued invoice cannot get new lines.")
        return
    deleting = line in session.deleted
    if (deleting or _changed(line)) and _was_issued(_line_invoice(session, line)):
        raise IssuedInvoiceChanged("A line of an issued invoice cannot change.")


__all__ = [
    "BillingPeriod",
    "ClinicBilling",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceStatus",
    "IssuedInvoiceChanged",
]
