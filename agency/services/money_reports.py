"""Staff's money reports: hours billed, revenue, margin and unfilled shift hours, by week and
by clinic, with a chart each and the tables as CSV / XLSX.

Billed means on an ISSUED invoice (credit notes lower the revenue of the week and clinic of the
line they correct); pay is what the invoiced timesheets paid the workers, so margin = revenue -
pay. Weeks run Sunday to Saturday by the local work date printed on the invoice line. Unfilled
hours are the paid hours of the places no one booked on shifts that were not canceled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup
from sqlalchemy import func, select

from agency.extensions import db
from agency.models import Clinic, Invoice, InvoiceLine, InvoiceStatus, Shift, ShiftStatus
from agency.services import charts
from agency.services.exports import Column, Sheet

CENT = Decimal("0.01")
WEEKS = 12
SUNDAY = 6


def week_start(day: date) -> date:
    return day - timedelta(days=(day.weekday() - SUNDAY) % 7)


@dataclass
class MoneyRow:
    """One week or one clinic: the figures of the report's tables."""

    label: str
    billed_minutes: int = 0
    revenue: Decimal = Decimal("0.00")
    pay: Decimal = Decimal("0.00")
    unfilled_minutes: int = 0

    @property
    def hours_billed(self) -> Decimal:
        return (Decimal(self.billed_minutes) / 60).quantize(CENT, ROUND_HALF_UP)

    @property
    def unfilled_hours(self) -> Decimal:
        return (Decimal(self.unfilled_minutes) / 60).quantize(CENT, ROUND_HALF_UP)

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.pay

    @property
    def margin_percent(self) -> Decimal | None:
        """Margin as a percent of revenue, one decimal; None without revenue."""
        if not self.revenue:
            return None
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class MoneyReport:
    first_week: date
    last_week: date
    weeks: list[MoneyRow] = field(default_factory=list)
    clinics: list[MoneyRow] = field(default_factory=list)
    charts: dict[str, Markup] = field(default_factory=dict)

    @property
    def totals(self) -> MoneyRow:
        total = MoneyRow("Total")
        for row in self.weeks:
            total.billed_minutes += row.billed_minutes
            total.revenue += row.revenue
            total.pay += row.pay
            total.unfilled_minutes += row.unfilled_minutes
        return total


def _invoiced(first: date, end: date) -> list[tuple[int, str, date, int, Decimal, Decimal]]:
    """(clinic id, clinic name, work date, billed minutes, amount, pay) per issued line day."""
    minutes = (
        InvoiceLine.regular_minutes + InvoiceLine.overtime_minutes + InvoiceLine.holiday_minutes
    )
    rows = db.session.execute(
        select(
            Invoice.clinic_id,
            Clinic.name,
            InvoiceLine.work_date,
            func.sum(minutes),
            func.sum(InvoiceLine.amount),
            func.sum(InvoiceLine.pay_amount),
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Clinic, Clinic.id == Invoice.clinic_id)
        .where(
            Invoice.status == InvoiceStatus.ISSUED,
            InvoiceLine.work_date >= first,
            InvoiceLine.work_date < end,
        )
        .group_by(Invoice.clinic_id, Clinic.name, InvoiceLine.work_date)
    ).all()
    return [
        (cid, name, day, int(m or 0), Decimal(a or 0), Decimal(p or 0))
        for cid, name, day, m, a, p in rows
    ]


def _unfilled(first: date, end: date) -> list[tuple[int, str, date, int]]:
    """(clinic id, clinic name, start date, unfilled paid minutes) per open place."""
    lo = datetime.combine(first, time(0), tzinfo=UTC)
    hi = datetime.combine(end, time(0), tzinfo=UTC)
    shifts = db.session.execute(
        select(Shift, Clinic.name)
        .join(Clinic, Clinic.id == Shift.clinic_id)
        .where(
            Shift.status != ShiftStatus.CANCELLED,
            Shift.booked_count < Shift.headcount,
            Shift.starts_at >= lo,
            Shift.starts_at < hi,
        )
    ).all()
    return [
        (s.clinic_id, name, s.starts_at.date(), s.open_places * max(s.paid_minutes, 0))
        for s, name in shifts
    ]


def report(last_day: date, weeks: int = WEEKS) -> MoneyReport:
    """The `weeks` weeks ending with the week of `last_day`."""
    last = week_start(last_day)
    first = last - timedelta(days=7 * (weeks - 1))
    end = last + timedelta(days=7)
    by_week = {
        first + timedelta(days=7 * i): MoneyRow(f"{first + timedelta(days=7 * i)}")
        for i in range(weeks)
    }
    by_clinic: dict[int, MoneyRow] = {}
    for cid, name, day, minutes, amount, pay in _invoiced(first, end):
        for row in (by_week[week_start(day)], by_clinic.setdefault(cid, MoneyRow(name))):
            row.billed_minutes += minutes
            row.revenue += amount
            row.pay += pay
    for cid, name, day, minutes in _unfilled(first, end):
        week = by_week.get(week_start(day))
        if week is None:
            continue
        week.unfilled_minutes += minutes
        by_clinic.setdefault(cid, MoneyRow(name)).unfilled_minutes += minutes
    result = MoneyReport(
        first_week=first,
        last_week=last,
        weeks=list(by_week.values()),
        clinics=sorted(by_clinic.values(), key=lambda r: (-r.revenue, r.label)),
    )
    result.charts = _charts(result)
    return result


def _short(label: str) -> str:
    day = date.fromisoformat(label)
    return f"{day:%b} {day.day}"


def _charts(rep: MoneyReport) -> dict[str, Markup]:
    labels = [_short(r.label) for r in rep.weeks]
    # A loss shows as no bar (the table gives the figure): a bar cannot be drawn below zero here.
    top = sorted(
        ((r.label, max(float(r.margin), 0.0)) for r in rep.clinics), key=lambda kv: -kv[1]
    )[:8]
    return {
        "hours": charts.column_chart(
            "money-hours",
            "Hours billed by week",
            labels,
            [charts.Series("Hours billed", [float(r.hours_billed) for r in rep.weeks])],
            unit=" h",
        ),
        "revenue": charts.column_chart(
            "money-revenue",
            "Revenue and margin by week",
            labels,
            [
                charts.Series("Revenue", [float(r.revenue) for r in rep.weeks]),
                charts.Series("Margin", [float(r.margin) for r in rep.weeks]),
            ],
        ),
        "margin": charts.hbar_chart("money-margin", "Margin by clinic ($)", top),
        "unfilled": charts.column_chart(
            "money-unfilled",
            "Unfilled shift hours by week",
            labels,
            [charts.Series("Unfilled hours", [float(r.unfilled_hours) for r in rep.weeks])],
            unit=" h",
        ),
    }


def _money_cell(value: Decimal) -> Decimal:
    return value.quantize(CENT)


_COMMON = (
    Column("hours billed", lambda r: r.hours_billed),
    Column("revenue ($)", lambda r: _money_cell(r.revenue)),
    Column("pay ($)", lambda r: _money_cell(r.pay)),
    Column("margin ($)", lambda r: _money_cell(r.margin)),
    Column("margin (%)", lambda r: r.margin_percent),
    Column("unfilled shift hours", lambda r: r.unfilled_hours),
)
BY_WEEK = Sheet("money-by-week", (Column("week starting", lambda r: r.label), *_COMMON))
BY_CLINIC = Sheet("money-by-clinic", (Column("clinic", lambda r: r.label), *_COMMON))
TABLES = {"weeks": BY_WEEK, "clinics": BY_CLINIC}


def table_rows(rep: MoneyReport, table: str) -> list[MoneyRow]:
    return rep.weeks if table == "weeks" else rep.clinics
