"""Shift fixtures: a clinic with a temp opening, qualified candidates and a shift factory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
    User,
    utcnow,
)
from agency.services import reliability


@pytest.fixture(autouse=True)
def fresh_pool(app: Any) -> Any:
    # The reliability prior is cached per process (each app has a fresh engine bridge); every
    # test empties the tables.
    reliability.forget_prior()
    yield
    reliability.forget_prior()


@dataclass
class ShiftScene:
    clinic: Clinic
    member: User
    opening: Opening
    workers: list[Candidate]
    staff: User


@pytest.fixture
def scene(
    taxonomy: Any, make_clinic: Any, make_opening: Any, make_candidate: Any, make_user: Any
) -> ShiftScene:
    clinic = make_clinic()
    opening = make_opening(clinic, employment_type=EmploymentType.PER_DIEM)
    workers = [make_candidate(first_name=f"Worker{i}") for i in range(3)]
    return ShiftScene(clinic, clinic.members[0], opening, workers, make_user(Role.STAFF))


def make_shift(
    scene: ShiftScene,
    starts_in: timedelta = timedelta(days=3),
    hours: float = 8,
    **overrides: Any,
) -> Shift:
    """A shift starting `starts_in` from now (rounded to the minute), `hours` long."""
    starts = (utcnow() + starts_in).replace(second=0, microsecond=0)
    fields: dict[str, Any] = {
        "opening_id": scene.opening.id,
        "clinic_id": scene.clinic.id,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=hours),
        "break_minutes": 30,
        "headcount": 1,
        "notes": "Report to the front desk; park on Elm Street.",
    }
    fields.update(overrides)
    shift = Shift(**fields)
    db.session.add(shift)
    db.session.commit()
    return shift


def book(shift: Shift, candidate: Candidate, **overrides: Any) -> ShiftBooking:
    """A booking as an accepted offer leaves it (the place counted on the shift)."""
    booking = ShiftBooking(shift_id=shift.id, candidate_id=candidate.id, **overrides)
    db.session.add(booking)
    if overrides.get("status", "booked") == "booked":
        shift.booked_count += 1
        if shift.booked_count >= shift.headcount:
            shift.status = "filled"
    db.session.commit()
    return booking


def past_booking(
    scene: ShiftScene, candidate: Candidate, attendance: str | None, days_ago: float = 10
) -> ShiftBooking:
    shift = make_shift(scene, starts_in=-timedelta(days=days_ago))
    return book(shift, candidate, attendance=attendance)
