"""Who the engine proposes for a shift: qualified and free, nobody else."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agency.extensions import db
from agency.models import CredentialType, OpeningCredential
from agency.services import shift_proposals, shifts
from matching import week
from tests.shifts.conftest import ShiftScene, book, make_shift

NY = ZoneInfo("America/New_York")


def _cell(day: int, block: int) -> int:
    return 1 << week.bit(day, block)


def _next(weekday: int, hour: int) -> datetime:
    """The next such weekday at least 3 days ahead, at `hour` New York time."""
    day = date.today() + timedelta(days=3)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, tzinfo=NY)


def test_the_shifts_weekly_blocks() -> None:
    monday_9 = _next(0, 9)
    assert shift_proposals.shift_mask(monday_9, monday_9 + timedelta(hours=8)) == (
        _cell(0, 0) | _cell(0, 1)
    )
    evening = _next(4, 18)
    assert shift_proposals.shift_mask(evening, evening + timedelta(hours=4)) == _cell(4, 2)
    # A 07:45 start does not need the whole morning, but it is a morning shift.
    early = _next(2, 7).replace(minute=45)
    assert shift_proposals.shift_mask(early, early + timedelta(hours=4)) == _cell(2, 0)


def test_only_the_qualified_and_free_are_proposed(
    scene: ShiftScene, make_candidate: Any, make_credential: Any
) -> None:
    ctype = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    db.session.add(OpeningCredential(opening_id=scene.opening.id, credential_type_id=ctype.id))
    db.session.commit()
    starts = _next(0, 9)  # a Monday, 9 to 5
    shift = make_shift(scene, starts_in=starts - datetime.now(NY), hours=8)
    shift_day = starts.date()

    free = make_candidate(first_name="Free")
    make_credential(free, "CPC")
    weekends_only = make_candidate(
        first_name="Weekend",
        availability_mask=sum(_cell(d, b) for d in (5, 6) for b in range(3)),
    )
    make_credential(weekends_only, "CPC")
    expiring = make_candidate(first_name="Expiring")
    make_credential(expiring, "CPC", expires_on=shift_day - timedelta(days=1))
    far = make_candidate(first_name="Far", zip_code="10001", lat=40.75, lon=-73.99)
    make_credential(far, "CPC")
    busy = make_candidate(first_name="Busy")
    make_credential(busy, "CPC")
    # Busy worked the night before until 2 a.m.: 7 hours of rest is less than the 10 required.
    night = make_shift(scene, starts_in=starts - datetime.now(NY) - timedelta(hours=11), hours=4)
    book(night, busy)
    booked = make_candidate(first_name="Booked")
    make_credential(booked, "CPC")
    book(shift, booked)
    uncredentialed = scene.workers[0]

    proposed = [p.candidate_id for p in shift_proposals.propose(shift, k=20)]
    assert free.id in proposed
    for left_out in (weekends_only, expiring, far, busy, booked, uncredentialed):
        assert left_out.id not in proposed, left_out.first_name
    first = shift_proposals.propose(shift, k=20)[0]
    assert first.record == "No shifts yet"


def test_a_cancelled_booking_frees_the_worker(scene: ShiftScene) -> None:
    worker = scene.workers[0]
    shift = make_shift(scene, starts_in=_next(1, 9) - datetime.now(NY))
    other = make_shift(scene, starts_in=_next(1, 9) - datetime.now(NY) + timedelta(hours=1))
    booking = book(other, worker)
    assert worker.id not in [p.candidate_id for p in shift_proposals.propose(shift)]
    shifts.cancel_booking(booking, "staff", "Clinic closed", scene.staff)
    db.session.commit()
    assert worker.id in [p.candidate_id for p in shift_proposals.propose(shift)]
