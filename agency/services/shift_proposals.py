"""Who could work a shift: the engine's ranking of the opening, narrowed to the shift.

The one place shifts call the engine bridge (`services.scoring`): the opening's spec is judged
for the shift's own weekly blocks (availability), on the shift's local date (credentials valid
that day), with the commute, pay and language constraints the ranking already applies to the
whole pool with vectorised arrays. People booked on another shift too close to this one
(overlapping, or less than the minimum rest apart) are left out afterwards: that is a handful
of ids from one indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from agency.extensions import db
from agency.models import BookingStatus, Shift, ShiftBooking, ShiftStatus
from agency.services import reliability
from agency.services.engine import engine
from agency.services.engine.pool import opening_spec
from agency.timezones import clinic_zone
from matching import week
from matching.ranking import RankedMatch, rank
from matching.scorer import MatchExplanation

# The weekly availability blocks in local clock hours: morning, afternoon, evening.
BLOCK_HOURS = ((6, 12), (12, 17), (17, 23))
# A shift needs a block when it overlaps it by more than this (a 07:45 start is a morning).
BLOCK_SLACK = timedelta(minutes=30)


@dataclass
class Proposal:
    candidate_id: int
    score: float
    explanation: MatchExplanation
    record: str = ""


def shift_mask(starts: datetime, ends: datetime) -> int:
    """The weekly availability bits a shift (local times) needs: each day-block it overlaps by
    more than BLOCK_SLACK."""
    mask = 0
    day = starts.date()
    while datetime.combine(day, datetime.min.time(), tzinfo=starts.tzinfo) < ends:
        for block, (first, last) in enumerate(BLOCK_HOURS):
            block_start = datetime.combine(day, datetime.min.time(), tzinfo=starts.tzinfo)
            lo = max(starts, block_start + timedelta(hours=first))
            hi = min(ends, block_start + timedelta(hours=last))
            if hi - lo > BLOCK_SLACK:
                mask |= 1 << week.bit(day.weekday(), block)
        day += timedelta(days=1)
    return mask


def busy_candidates(shift: Shift, rest_hours: float | None = None) -> set[int]:
    """Candidates booked on another shift overlapping this one or within the minimum rest."""
    hours = rest_hours if rest_hours is not None else current_app.config["SHIFT_MIN_REST_HOURS"]
    rest = timedelta(hours=float(hours))
    return set(
        db.session.execute(
            select(ShiftBooking.candidate_id)
            .join(Shift, Shift.id == ShiftBooking.shift_id)
            .where(
                ShiftBooking.status == BookingStatus.BOOKED,
                Shift.status != ShiftStatus.CANCELLED,
                Shift.id != shift.id,
                Shift.starts_at < shift.ends_at + rest,
                Shift.ends_at > shift.starts_at - rest,
            )
        ).scalars()
    )


def propose(shift: Shift, k: int = 20, today: date | None = None) -> list[Proposal]:
    """The k best qualified people free for the shift, best first, with their reasons and
    their shift record in words. Everyone booked on it already is left out too."""
    zone = clinic_zone(shift.clinic)
    starts, ends = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
    spec = replace(
        opening_spec(shift.opening, today=today),
        shift_mask=shift_mask(starts, ends),
        start_date=starts.date(),
    )
    excluded = busy_candidates(shift) | {
        b.candidate_id for b in shift.bookings if b.status == BookingStatus.BOOKED
    }
    bridge = engine()
    with bridge.pool() as pool:
        ranked: list[RankedMatch] = rank(spec, pool, k=k + len(excluded), scorer=bridge.scorer)
    chosen = [m for m in ranked if m.eligible and m.candidate_id not in excluded][:k]
    records = reliability.describe(m.candidate_id for m in chosen)
    return [
        Proposal(m.candidate_id, m.score, m.explanation, records.get(m.candidate_id, ""))
        for m in chosen
    ]
