"""The weekly schedule as a 21-bit mask: the one home of its layout.

A candidate's availability and an opening's shifts are both stored as this mask (one integer
column each). Bit `day * 3 + block` is set when the day (0 = Monday .. 6 = Sunday) and block
(0 = morning 7-12, 1 = afternoon 12-17, 2 = evening 17-21) are in. Forms submit bit numbers;
templates draw the 7 x 3 grid from the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BLOCKS = ("morning", "afternoon", "evening")
SLOTS = len(DAYS) * len(BLOCKS)  # 21
FULL_MASK = (1 << SLOTS) - 1


def bit(day: int, block: int) -> int:
    """The bit number of a day (0 = Monday) and block (0 = morning)."""
    return day * len(BLOCKS) + block


def cells() -> list[tuple[int, int, int]]:
    """(bit, day, block) of every cell, Monday morning first."""
    return [(bit(d, b), d, b) for d in range(len(DAYS)) for b in range(len(BLOCKS))]


def mask_from_bits(bits: Iterable[int]) -> int:
    """The mask with these bit numbers set; numbers outside the week are ignored."""
    return sum(1 << b for b in set(bits) if 0 <= b < SLOTS)


def bits_from_mask(mask: int) -> list[int]:
    """The set bit numbers, in order."""
    return [b for b in range(SLOTS) if mask >> b & 1]


def mask_of(days: Iterable[int], blocks: Iterable[int]) -> int:
    """Every block of `blocks` on every day of `days`."""
    blocks = tuple(blocks)
    return mask_from_bits(bit(d, b) for d in days for b in blocks)


def has(mask: int, day: int, block: int) -> bool:
    return bool(mask >> bit(day, block) & 1)


def describe_blocks(mask: int) -> list[str]:
    """Each set cell in words: "Monday morning"."""
    return [f"{DAYS[b // len(BLOCKS)]} {BLOCKS[b % len(BLOCKS)]}" for b in bits_from_mask(mask)]
