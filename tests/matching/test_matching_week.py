"""The weekly schedule mask: one layout for availability, shifts, forms and grids."""

from __future__ import annotations

from matching import week
from matching.ad_terms import read_terms


def test_cells_number_the_week_monday_morning_first_and_round_trip() -> None:
    cells = week.cells()
    assert len(cells) == week.SLOTS == 21
    assert cells[0] == (0, 0, 0) and cells[-1] == (20, 6, 2)
    assert [b for b, _, _ in cells] == list(range(21))
    mask = week.mask_from_bits([0, 4, 20, 99, -1])  # outside the week: ignored
    assert week.bits_from_mask(mask) == [0, 4, 20]
    assert mask & ~week.FULL_MASK == 0


def test_days_and_blocks_read_as_words() -> None:
    mask = week.mask_of([1], [2]) | week.mask_of([5], [0])
    assert week.describe_blocks(mask) == ["Tuesday evening", "Saturday morning"]
    assert week.has(mask, 1, 2) and not week.has(mask, 1, 1)


def test_an_ads_schedule_uses_the_same_cells() -> None:
    terms = read_terms("Monday through Friday, 8am to 4:30pm.")
    assert terms.shift_mask == week.mask_of(range(5), (0, 1))
