"""Money fixtures: the shift scene (a clinic in New York with a per-diem opening, workers,
staff) with a rate card, and helpers for past bookings and their timesheets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from agency.extensions import db
from agency.models import OutboxMessage, Shift, ShiftBooking, Timesheet
from agency.services import rates, timesheets
from tests.shifts.conftest import ShiftScene, book, fresh_pool, scene  # noqa: F401

PAY = Decimal("21.37")
BILL = Decimal("38.91")


@pytest.fixture
def money_scene(scene: ShiftScene) -> ShiftScene:  # noqa: F811
    scene.clinic.time_zone = "America/New_York"
    rates.set_card(
        scene.clinic,
        scene.opening.role_type,
        PAY,
        BILL,
        Decimal("1.50"),
        Decimal("2.00"),
        scene.staff,
    )
    db.session.commit()
    return scene


def shift_at(s: ShiftScene, starts: datetime, hours: float, break_minutes: int = 0) -> Shift:
    shift = Shift(
        opening_id=s.opening.id,
        clinic_id=s.clinic.id,
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(hours=hours)).astimezone(UTC),
        break_minutes=break_minutes,
        headcount=1,
    )
    db.session.add(shift)
    db.session.commit()
    return shift


def booked_sheet(
    s: ShiftScene, starts: datetime, hours: float, break_minutes: int = 0, worker: int = 0
) -> Timesheet:
    """A booked shift that has ended, with its DUE timesheet."""
    shift = shift_at(s, starts, hours, break_minutes)
    booking = book(shift, s.workers[worker])
    rates.stamp_booking(booking, s.opening)
    db.session.commit()
    timesheets.make_due(now=shift.ends_at + timedelta(minutes=1), candidate_id=booking.candidate_id)
    db.session.commit()
    return db.session.execute(
        db.select(Timesheet).where(Timesheet.booking_id == booking.id)
    ).scalar_one()


def emails(template: str) -> list[dict[str, Any]]:
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [m.payload for m in rows.scalars() if m.payload.get("template") == template]


__all__ = ["BILL", "PAY", "ShiftBooking", "booked_sheet", "emails", "shift_at"]
