"""Overtime and holiday hours: the one pure function that splits worked time into regular,
overtime and holiday minutes. No database, no Flask: lists in, lists out.

US federal rule (FLSA): hours worked over 40 in a fixed workweek are overtime. The workweek is
seven days from midnight of the clinic's `workweek_starts_on` day in the clinic's zone; a shift
crossing that midnight splits there, minute by minute. Time is counted in real elapsed minutes
(UTC), so a night shift over a daylight-saving change is an hour shorter (spring) or longer
(fall) than its clock times suggest. Within a week the earliest minutes are regular and the ones
after the 40th hour overtime, in time order. A minute on a clinic holiday (local date) that is
not overtime is a holiday minute; an overtime minute on a holiday stays overtime (premiums do not
stack). The unpaid break is taken from the middle of the shift (the rule fixes where it falls, so
a break on a shift over midnight or the week boundary is split the same way every time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

WEEKLY_LIMIT_MINUTES = 40 * 60


@dataclass(frozen=True)
class Worked:
    """One timesheet's time: `key` is the caller's id for it."""

    key: int
    started_at: datetime  # aware
    ended_at: datetime  # aware
    break_minutes: int = 0
    # Holidays of this item's clinic (local dates), besides the ones given to split_minutes.
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Split:
    key: int
    regular_minutes: int
    overtime_minutes: int
    holiday_minutes: int

    @property
    def worked_minutes(self) -> int:
        return self.regular_minutes + self.overtime_minutes + self.holiday_minutes


def week_start(moment: datetime, zone: tzinfo, starts_on: int = 6) -> datetime:
    """The start (aware, in `zone`) of the workweek containing `moment`; `starts_on` is a
    Python weekday (6 = Sunday)."""
    local = moment.astimezone(zone)
    back = (local.weekday() - starts_on) % 7
    day = local.date() - timedelta(days=back)
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _next_local_midnight(moment: datetime, zone: tzinfo) -> datetime:
    local = moment.astimezone(zone)
    day = local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _paid_pieces(item: Worked) -> list[tuple[datetime, datetime]]:
    """The worked intervals (UTC) once the break is cut out of the middle."""
    start, end = item.started_at.astimezone(UTC), item.ended_at.astimezone(UTC)
    total_minutes = int((end - start).total_seconds() // 60)
    break_minutes = max(0, min(item.break_minutes, total_minutes))
    if not break_minutes:
        return [(start, end)]
    brk = timedelta(minutes=break_minutes)
    # Whole minutes on each side (the first half gets the odd one less).
    middle = start + timedelta(minutes=(total_minutes - break_minutes) // 2)
    return [p for p in ((start, middle), (middle + brk, end)) if p[1] > p[0]]


def _segments(
    item: Worked, zone: tzinfo, starts_on: int
) -> list[tuple[datetime, datetime, date, datetime]]:
    """(start, end, local date, week start) pieces of the paid time: split at every local
    midnight, so each piece lies in one local day and one workweek."""
    out = []
    for start, end in _paid_pieces(item):
        cursor = start
        while cursor < end:
            cut = min(end, _next_local_midnight(cursor, zone))
            local_day = cursor.astimezone(zone).date()
            out.append((cursor, cut, local_day, week_start(cursor, zone, starts_on)))
            cursor = cut
    return out


def split_minutes(
    items: Sequence[Worked],
    zone: tzinfo,
    *,
    workweek_starts_on: int = 6,
    holidays: Iterable[date] = (),
    weekly_limit_minutes: int = WEEKLY_LIMIT_MINUTES,
) -> list[Split]:
    """Regular / overtime / holiday minutes for each item (one worker's sheets), in the order
    given. Seconds are floored per segment so the split adds up to whole minutes."""
    holiday_days = set(holidays)
    pieces = sorted(
        (seg_start, seg_end, day in holiday_days or day in item.holidays, week, item.key)
        for item in items
        for seg_start, seg_end, day, week in _segments(item, zone, workweek_starts_on)
    )
    used: dict[datetime, int] = {}
    tally: dict[int, list[int]] = {item.key: [0, 0, 0] for item in items}
    for seg_start, seg_end, on_holiday, week, key in pieces:
        minutes = int((seg_end - seg_start).total_seconds() // 60)
        before = used.get(week, 0)
        regular_room = max(0, weekly_limit_minutes - before)
        straight, over = min(minutes, regular_room), max(0, minutes - regular_room)
        used[week] = before + minutes
        counts = tally[key]
        if on_holiday:
            counts[2] += straight
        else:
            counts[0] += straight
        counts[1] += over
    return [Split(item.key, *tally[item.key]) for item in items]
