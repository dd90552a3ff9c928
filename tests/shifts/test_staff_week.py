"""Staff's shift week holds the shifts that start that Monday to Sunday on their clinic's clock:
a Sunday-evening shift in the Pacific is Sunday's, though it starts on Monday in UTC, on
ordinary weeks and on the weekends the clocks change."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agency.extensions import db
from agency.models import Shift
from agency.services import shifts
from tests.shifts.conftest import ShiftScene, make_shift

PACIFIC = ZoneInfo("America/Los_Angeles")


def _at(scene: ShiftScene, *wall: int) -> Shift:
    starts = datetime(*wall, tzinfo=PACIFIC)
    return make_shift(scene, starts_at=starts, ends_at=starts + timedelta(hours=4))


@pytest.fixture
def pacific(scene: ShiftScene) -> ShiftScene:
    scene.clinic.time_zone = "America/Los_Angeles"
    db.session.commit()
    return scene


@pytest.mark.parametrize(
    ("monday", "sunday"),
    [
        ("2026-02-23", (2026, 3, 1)),  # an ordinary week (PST, UTC-8)
        ("2026-03-02", (2026, 3, 8)),  # the clocks go forward on the Sunday (PST to PDT)
        ("2026-10-26", (2026, 11, 1)),  # the clocks go back on the Sunday (PDT to PST)
    ],
)
def test_a_shift_is_in_the_week_of_its_clinics_date(
    pacific: ShiftScene, client: Any, login_as: Any, monday: str, sunday: tuple[int, int, int]
) -> None:
    first_day = datetime.fromisoformat(monday)
    opens_week = _at(pacific, first_day.year, first_day.month, first_day.day, 0, 30)
    sunday_evening = _at(pacific, *sunday, 19, 0)  # Monday 02:00 or 03:00 in UTC
    sunday_late = _at(pacific, *sunday, 23, 30)
    next_monday = sunday_evening.starts_at.astimezone(PACIFIC).date() + timedelta(days=1)
    after_midnight = _at(pacific, next_monday.year, next_monday.month, next_monday.day, 0, 30)
    the_sunday_before = first_day - timedelta(days=1)
    before = _at(
        pacific, the_sunday_before.year, the_sunday_before.month, the_sunday_before.day, 23, 30
    )
    assert sunday_evening.starts_at.astimezone(ZoneInfo("UTC")).date() == next_monday
    login_as(pacific.staff)
    page = client.get(f"/staff/shifts?week={monday}").get_data(as_text=True)
    listed = {
        s.id for s in (opens_week, sunday_evening, sunday_late) if f"/staff/shifts/{s.id}" in page
    }
    assert listed == {opens_week.id, sunday_evening.id, sunday_late.id}
    assert f'/staff/shifts/{after_midnight.id}"' not in page
    assert f'/staff/shifts/{before.id}"' not in page
    # Shown on its Sunday, in the clinic's zone.
    assert re.search(r">Sun \w+ \d+, 2026 07:00 PM - 11:00 PM P[SD]T<", page)
    following = client.get(f"/staff/shifts?week={next_monday.isoformat()}").get_data(as_text=True)
    assert f'/staff/shifts/{after_midnight.id}"' in following
    assert f'/staff/shifts/{sunday_evening.id}"' not in following


def test_the_week_of_any_day_is_the_same_week(pacific: ShiftScene) -> None:
    shift = _at(pacific, 2026, 3, 8, 19, 0)
    weeks = {
        tuple(s.id for s in shifts.staff_week(d))
        for d in (
            datetime(2026, 3, 2).date(),
            datetime(2026, 3, 5).date(),
            datetime(2026, 3, 8).date(),
        )
    }
    assert weeks == {(shift.id,)}
