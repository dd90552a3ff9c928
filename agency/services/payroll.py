"""The payroll export: per week and worker, the approved hours by earning code
(regular, overtime, holiday) with rate and amount, as a CSV a payroll provider imports
(docs/payroll_export.md).
No payment is made here.

The payroll week runs Sunday to Saturday in the agency's zone, by the start of each shift. Each
timesheet's pay (rounded once, services/money.py) is split by earning code: each code but the last
present is rounded half up to the cent and the last takes the rest, so a worker's gross pay is
exactly the sum of their timesheets' pay, to the cent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models.timesheets import BILLABLE_STATUSES, Timesheet
from agency.timezones import zone

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
SUNDAY = 6
REG, OT, HOL = "REG", "OT", "HOL"
CODES = (REG, OT, HOL)
HEADER = (
    "employee_id",
    "employee_name",
    "period_start",
    "period_end",
    "earning_code",
    "hours",
    "rate",
    "amount",
)


@dataclass(frozen=True)
class PayrollRow:
    employee_id: int
    employee_name: str
    period_start: date
    period_end: date
    earning_code: str
    minutes: int
    rate: Decimal  # per hour, multiplier applied
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class WorkerWeek:
    employee_id: int
    employee_name: str
    regular_minutes: int
    overtime_minutes: int
    holiday_minutes: int
    gross_pay: Decimal
    timesheets: int

    @staticmethod
    def hours(minutes: int) -> Decimal:
        return (Decimal(minutes) / 60).quantize(CENT, ROUND_HALF_UP)


def payroll_week(day: date) -> tuple[date, date]:
    start = day - timedelta(days=(day.weekday() - SUNDAY) % 7)
    return start, start + timedelta(days=6)


def _utc_range(start: date, end: date) -> tuple[datetime, datetime]:
    tz = zone(current_app.config["AGENCY_TIMEZONE"])
    return (
        datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC),
    )


def timesheets_of_week(start: date, end: date) -> list[Timesheet]:
    lo, hi = _utc_range(start, end)
    return list(
        db.session.execute(
            select(Timesheet)
            .options(selectinload(Timesheet.candidate))
            .where(
                Timesheet.status.in_(BILLABLE_STATUSES),
                Timesheet.started_at >= lo,
                Timesheet.started_at < hi,
            )
            .order_by(Timesheet.candidate_id, Timesheet.started_at)
        ).scalars()
    )


def _amount(rate: Decimal, minutes: int) -> Decimal:
    return (rate * minutes / 60).quantize(CENT, ROUND_HALF_UP)


def split_pay(sheet: Timesheet) -> list[tuple[str, int, Decimal, Decimal]]:
    """(code, minutes, rate per hour, amount) of one timesheet; amounts add up to its pay."""
    parts = [
        (REG, sheet.regular_minutes, sheet.pay_rate),
        (OT, sheet.overtime_minutes, sheet.pay_rate * sheet.overtime_multiplier),
        (HOL, sheet.holiday_minutes, sheet.pay_rate * sheet.holiday_multiplier),
    ]
    present = [(c, m, r.quantize(RATE_PLACES, ROUND_HALF_UP)) for c, m, r in parts if m]
    out: list[tuple[str, int, Decimal, Decimal]] = []
    left = sheet.pay_amount
    for i, (code, minutes, rate) in enumerate(present):
        # The last code takes what is left, so the rounding of each code never adds a cent.
        amount = left if i == len(present) - 1 else _amount(rate, minutes)
        left -= amount
        out.append((code, minutes, rate, amount))
    return out


def _name(sheet: Timesheet) -> str:
    c = sheet.candidate
    return f"{c.last_name}, {c.first_name}".strip(", ") if c is not None else ""


def rows(start: date, end: date, sheets: Iterable[Timesheet] | None = None) -> list[PayrollRow]:
    """One row per worker, earning code and rate, workers by name, codes REG, OT, HOL."""
    grouped: dict[tuple[int, str, Decimal], list[int | Decimal]] = {}
    names: dict[int, str] = {}
    for sheet in sheets if sheets is not None else timesheets_of_week(start, end):
        names[sheet.candidate_id] = _name(sheet)
        for code, minutes, rate, amount in split_pay(sheet):
            slot = grouped.setdefault((sheet.candidate_id, code, rate), [0, Decimal("0.00")])
            slot[0] = int(slot[0]) + minutes
            slot[1] = Decimal(slot[1]) + amount
    out = [
        PayrollRow(cid, names[cid], start, end, code, int(m), rate, Decimal(a))
        for (cid, code, rate), (m, a) in grouped.items()
    ]
    return sorted(
        out, key=lambda r: (r.employee_name, r.employee_id, CODES.index(r.earning_code), r.rate)
    )


def summary(start: date, end: date) -> list[WorkerWeek]:
    """Per worker: regular, overtime and holiday time and gross pay for the week."""
    per: dict[int, list[Timesheet]] = {}
    for sheet in timesheets_of_week(start, end):
        per.setdefault(sheet.candidate_id, []).append(sheet)
    weeks = [
        WorkerWeek(
            cid,
            _name(sheets[0]),
            sum(s.regular_minutes for s in sheets),
            sum(s.overtime_minutes for s in sheets),
            sum(s.holiday_minutes for s in sheets),
            sum((s.pay_amount for s in sheets), Decimal("0.00")),
            len(sheets),
        )
        for cid, sheets in per.items()
    ]
    return sorted(weeks, key=lambda w: (w.employee_name, w.employee_id))


def rate_text(rate: Decimal) -> str:
    """Two decimals when the rate has no more (22.50), else four (25.9950)."""
    cents = rate.quantize(CENT, ROUND_HALF_UP)
    return f"{cents:.2f}" if cents == rate else f"{rate:.4f}"


def csv_chunks(payroll: Iterable[PayrollRow]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in payroll:
        name = row.employee_name
        if name.startswith(("=", "+", "-", "@", "\t", "\r")):
            name = "'" + name
        writer.writerow(
            [
                row.employee_id,
                name,
                row.period_start.isoformat(),
                row.period_end.isoformat(),
                row.earning_code,
                f"{row.hours:.2f}",
                rate_text(row.rate),
                f"{row.amount:.2f}",
            ]
        )
    yield buffer.getvalue()
