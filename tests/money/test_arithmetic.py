"""The money arithmetic with exact amounts: rounding, breaks, midnight, the week boundary,
daylight-saving nights, holidays (services.money and the pure services.overtime)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from agency.services import money
from agency.services.overtime import Worked, split_minutes, week_start

NY = ZoneInfo("America/New_York")
D = Decimal


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=NY)


def full_week(first_day: int = 7) -> list[Worked]:
    """Mon Dec 7 - Fri Dec 11 2026, 08:00-16:00: 40 hours, keys 1..5."""
    return [
        Worked(i + 1, at(2026, 12, first_day + i, 8), at(2026, 12, first_day + i, 16))
        for i in range(5)
    ]


def test_rounding_is_half_up_to_the_cent_once_per_line() -> None:
    # 24.30 an hour for one minute is exactly 0.405: half up gives 0.41 (banker's would be 0.40).
    assert money.line_amount(D("24.30"), 1) == D("0.41")
    assert money.round_line(D("10.005")) == D("10.01")
    assert money.round_line(D("10.00499")) == D("10.00")
    # 17.33 x 7h20 = 127.0866... -> 127.09, rounded once (not per hour).
    assert money.line_amount(D("17.33"), 440) == D("127.09")
    # Overtime and holiday minutes weighted before the single rounding.
    assert money.line_amount(D("20.00"), 360, 120, 0, D("1.5")) == D("180.00")
    assert money.line_amount(D("19.99"), 0, 0, 61, D("1.5"), D("2")) == D("40.65")


def test_margin_amount_and_percent() -> None:
    assert money.margin(D("20.00"), D("35.00")) == money.Margin(D("15.00"), D("42.9"))
    assert money.margin(D("20.00"), D("0")).percent is None
    assert money.margin(D("40.00"), D("35.00")).amount == D("-5.00")


def test_parse_rate() -> None:
    assert money.parse_rate("$24.5") == D("24.50")
    assert money.parse_rate(" 1,024.555 ") == D("1024.56")
    for bad in ("", "abc", "-1", "NaN", "Infinity", "1e9", "1" * 400):
        assert money.parse_rate(bad) is None, bad


def test_break_is_unpaid() -> None:
    [split] = split_minutes([Worked(1, at(2026, 12, 7, 8), at(2026, 12, 7, 16, 30), 30)], NY)
    assert (split.regular_minutes, split.overtime_minutes) == (480, 0)
    assert money.line_amount(D("20.00"), split.regular_minutes) == D("160.00")


def test_shift_over_midnight() -> None:
    [split] = split_minutes([Worked(1, at(2026, 12, 8, 22), at(2026, 12, 9, 6))], NY)
    assert split.regular_minutes == 480


def test_overtime_crossing_the_week_boundary_splits_by_the_hour() -> None:
    # 40 hours Mon-Fri, then Sat 22:00 - Sun 06:00: 2 hours in the full week are overtime, the 6
    # after Sunday midnight start the new week as regular time.
    items = [*full_week(), Worked(9, at(2026, 12, 12, 22), at(2026, 12, 13, 6))]
    splits = {s.key: s for s in split_minutes(items, NY)}
    assert all(splits[k].overtime_minutes == 0 for k in range(1, 6))
    assert (splits[9].regular_minutes, splits[9].overtime_minutes) == (360, 120)
    assert money.line_amount(D("20.00"), 360, 120, 0, D("1.5")) == D("180.00")
    assert money.line_amount(D("35.00"), 360, 120, 0, D("1.5")) == D("315.00")
    # A Monday workweek puts all 8 hours in the full week: all overtime.
    monday = {s.key: s for s in split_minutes(items, NY, workweek_starts_on=0)}
    assert (monday[9].regular_minutes, monday[9].overtime_minutes) == (0, 480)


def test_break_on_a_shift_over_the_week_boundary_comes_out_of_the_middle() -> None:
    # Sat 20:00 - Sun 04:00 with an hour's break: 23:30-00:30 unpaid, so 3h30 each side.
    items = [*full_week(), Worked(9, at(2026, 12, 12, 20), at(2026, 12, 13, 4), 60)]
    split = {s.key: s for s in split_minutes(items, NY)}[9]
    assert (split.regular_minutes, split.overtime_minutes) == (210, 210)


def test_overtime_goes_to_the_latest_hours_of_the_week() -> None:
    items = [Worked(i, at(2026, 12, 7 + i, 6), at(2026, 12, 7 + i, 17)) for i in range(4)]  # 44h
    splits = split_minutes(items, NY)
    assert [s.overtime_minutes for s in splits] == [0, 0, 0, 240]
    assert sum(s.regular_minutes for s in splits) == 40 * 60


def test_night_shift_on_the_spring_forward_night_is_an_hour_shorter() -> None:
    # 2026-03-08 02:00 -> 03:00 in New York: 22:00-06:00 on the clock is 7 hours worked.
    [split] = split_minutes([Worked(1, at(2026, 3, 7, 22), at(2026, 3, 8, 6))], NY)
    assert split.worked_minutes == 420
    assert money.line_amount(D("20.00"), split.regular_minutes) == D("140.00")


def test_night_shift_on_the_fall_back_night_is_an_hour_longer() -> None:
    # 2026-11-01 02:00 -> 01:00: 22:00-06:00 on the clock is 9 hours worked.
    [split] = split_minutes([Worked(1, at(2026, 10, 31, 22), at(2026, 11, 1, 6))], NY)
    assert split.worked_minutes == 540
    assert money.line_amount(D("20.00"), split.regular_minutes) == D("180.00")


def test_fall_back_night_after_a_full_week_counts_real_hours_on_each_side() -> None:
    # Mon Oct 26 - Fri Oct 30: 40h. Sat 22:00 - Sun 06:00 over the fall-back: 2h overtime before
    # Sunday midnight, then 7 real hours (00:00-06:00 with 01:00-02:00 twice) in the new week.
    items = [Worked(i, at(2026, 10, 26 + i, 8), at(2026, 10, 26 + i, 16)) for i in range(5)]
    items.append(Worked(9, at(2026, 10, 31, 22), at(2026, 11, 1, 6)))
    split = {s.key: s for s in split_minutes(items, NY)}[9]
    assert (split.regular_minutes, split.overtime_minutes) == (420, 120)


def test_holiday_hours_and_no_stacking_with_overtime() -> None:
    christmas = date(2026, 12, 25)
    [split] = split_minutes(
        [Worked(1, at(2026, 12, 24, 20), at(2026, 12, 25, 4))], NY, holidays=[christmas]
    )
    # 20:00-24:00 on the 24th is regular; the 4 hours after midnight are on the holiday.
    assert (split.regular_minutes, split.holiday_minutes) == (240, 240)
    assert money.line_amount(D("20.00"), 240, 0, 240, D("1.5"), D("2")) == D("240.00")
    # The same holiday hours past the 40th hour of the week are overtime only.
    items = [Worked(i, at(2026, 12, 21 + i, 8), at(2026, 12, 21 + i, 16)) for i in range(4)]
    items.append(Worked(4, at(2026, 12, 25, 8), at(2026, 12, 25, 18), 0, frozenset({christmas})))
    split = {s.key: s for s in split_minutes(items, NY)}[4]
    assert (split.regular_minutes, split.holiday_minutes, split.overtime_minutes) == (0, 480, 120)


def test_week_start_in_the_clinic_zone() -> None:
    # Sunday 00:30 in New York (05:30 UTC) starts the new Sunday-Saturday week.
    moment = at(2026, 12, 13, 0, 30)
    assert week_start(moment, NY) == at(2026, 12, 13, 0)
    assert week_start(moment - timedelta(hours=1), NY) == at(2026, 12, 6, 0)
    assert week_start(moment, NY, starts_on=0) == at(2026, 12, 7, 0)
