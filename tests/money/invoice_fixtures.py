"""Invoice test data: a clinic in a known zone with approved timesheets of exact amounts.

Timesheets are written as the timesheet service leaves them (minutes split, amounts rounded), so
these tests pin the invoice arithmetic without depending on how the split was reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agency.extensions import db
from agency.models import (
    Candidate,
    Clinic,
    EmploymentType,
    Opening,
    Role,
    Shift,
    ShiftBooking,
    Timesheet,
    User,
)

CHICAGO = ZoneInfo("America/Chicago")
# A Sunday: the default workweek (and weekly billing period) starts on Sundays.
WEEK = date(2026, 11, 1)


@dataclass
class MoneyScene:
    clinic: Clinic
    other_clinic: Clinic
    member: User
    opening: Opening
    workers: list[Candidate]
    staff: User


@pytest.fixture
def money(
    taxonomy: Any, make_clinic: Any, make_opening: Any, make_candidate: Any, make_user: Any
) -> MoneyScene:
    clinic = make_clinic(name="Lakeside Family Medicine", zip_code="60601", state="IL")
    other = make_clinic(name="Other Clinic Far Away", zip_code="60601", state="IL")
    opening = make_opening(
        clinic, title="Front desk (per diem)", employment_type=EmploymentType.PER_DIEM.value
    )
    workers = [make_candidate(first_name=n, last_name="Worker") for n in ("Ana", "Ben")]
    staff = make_user(Role.STAFF)
    return MoneyScene(clinic, other, clinic.members[0], opening, workers, staff)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO).astimezone(UTC)


def sheet(
    scene: MoneyScene,
    worker: Candidate,
    starts: datetime,
    *,
    regular: int = 450,
    overtime: int = 0,
    holiday: int = 0,
    pay_rate: str = "20.00",
    bill_rate: str = "32.00",
    bill_amount: str | None = None,
    pay_amount: str | None = None,
    status: str = "approved",
    clinic: Clinic | None = None,
    opening: Opening | None = None,
) -> Timesheet:
    """A booked shift, its booking and an approved timesheet with these minutes and amounts
    (amounts default to the straight arithmetic, rounded half up)."""
    clinic = clinic or scene.clinic
    opening = opening or scene.opening
    worked = regular + overtime + holiday
    shift = Shift(
        opening_id=opening.id,
        clinic_id=clinic.id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=worked + 30),
        break_minutes=30,
        headcount=1,
        booked_count=1,
        status="filled",
    )
    db.session.add(shift)
    db.session.flush()
    booking = ShiftBooking(
        shift_id=shift.id,
        candidate_id=worker.id,
        pay_rate=Decimal(pay_rate),
        bill_rate=Decimal(bill_rate),
    )
    db.session.add(booking)
    db.session.flush()

    def amount(rate: str) -> Decimal:
        r = Decimal(rate)
        raw = (
            r * regular / 60
            + r * Decimal("1.5") * overtime / 60
            + r * Decimal("1.5") * holiday / 60
        )
        return raw.quantize(Decimal("0.01"), "ROUND_HALF_UP")

    ts = Timesheet(
        booking_id=booking.id,
        shift_id=shift.id,
        clinic_id=clinic.id,
        candidate_id=worker.id,
        status=status,
        started_at=starts,
        ended_at=shift.ends_at,
        break_minutes=30,
        pay_rate=Decimal(pay_rate),
        bill_rate=Decimal(bill_rate),
        overtime_multiplier=Decimal("1.50"),
        holiday_multiplier=Decimal("1.50"),
        regular_minutes=regular,
        overtime_minutes=overtime,
        holiday_minutes=holiday,
        pay_amount=Decimal(pay_amount) if pay_amount else amount(pay_rate),
        bill_amount=Decimal(bill_amount) if bill_amount else amount(bill_rate),
    )
    db.session.add(ts)
    db.session.commit()
    return ts
