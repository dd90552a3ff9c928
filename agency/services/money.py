"""The money rules in one place: Decimal amounts, one rounding rule, margins.

The rule: an amount is computed exactly (Decimal, rate x minutes / 60 x multiplier) and rounded
ONCE per line, to the cent, half up (ROUND_HALF_UP: 0.005 -> 0.01). A line is one timesheet's
pay or bill; totals add rounded lines and are never rounded again, so an invoice's total is the
sum of the figures printed on it. Never float: rates and amounts are NUMERIC in the database and
Decimal here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MINUTES_PER_HOUR = Decimal(60)


def round_line(amount: Decimal) -> Decimal:
    """The one rounding rule: to the cent, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(
    rate: Decimal,
    regular_minutes: int,
    overtime_minutes: int = 0,
    holiday_minutes: int = 0,
    overtime_multiplier: Decimal = Decimal("1.5"),
    holiday_multiplier: Decimal = Decimal("1"),
) -> Decimal:
    """One line: (regular + overtime x its multiplier + holiday x its multiplier) hours x rate,
    rounded once."""
    weighted = (
        Decimal(regular_minutes)
        + Decimal(overtime_minutes) * overtime_multiplier
        + Decimal(holiday_minutes) * holiday_multiplier
    )
    return round_line(rate * weighted / MINUTES_PER_HOUR)


def hours(minutes: int) -> Decimal:
    """Minutes as hours to two places, for display (12h30 -> 12.50)."""
    return round_line(Decimal(minutes) / MINUTES_PER_HOUR)


@dataclass(frozen=True)
class Margin:
    amount: Decimal  # bill - pay
    percent: Decimal | None  # of the bill, one decimal place; None when the bill is zero


def margin(pay: Decimal, bill: Decimal) -> Margin:
    """The agency's margin on a rate or a line: amount and percent of the bill."""
    amount = bill - pay
    if bill == 0:
        return Margin(amount, None)
    percent = (amount * 100 / bill).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Margin(amount, percent)


def parse_rate(text: str) -> Decimal | None:
    """A rate typed by a person ("$24.5", "24.50") as Decimal to the cent, or None when it is
    not a non-negative amount under a million."""
    cleaned = text.strip().lstrip("$").replace(",", "").strip()
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    if not value.is_finite() or value < 0 or value >= 1_000_000:
        return None
    return round_line(value)
