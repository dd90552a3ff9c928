"""A candidate's reliability (0-1) from their shift record, for the engine's track-record
component.

Each outcome is a weighted Bernoulli observation: a shift attended counts 1, attended late 0.5,
a late cancellation by the worker 0 and a no-show 0 twice over; each is discounted by its age
(half-life HALF_LIFE_DAYS), so recent shifts weigh more. The score is the mean of a Beta
posterior whose prior is the population's own mean (pooled over everyone's record, itself
shrunk toward DEFAULT_PRIOR_MEAN while the agency has little history) with PRIOR_STRENGTH
pseudo-shifts:

    score = (m * K + successes) / (K + observations)

A newcomer (no observations) scores exactly m, the population's mean, neither punished nor
rewarded; a record whose own rate is below m always scores below m (the posterior lies between
the prior and the record), so it never ranks above no record at all.

The prior is computed once per process and kept until the candidate pool is rebuilt
(`Engine.reset`), so every value one ranking compares came from the same prior.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from agency.extensions import db
from agency.models import Attendance, BookingStatus, Shift, ShiftBooking, utcnow
from agency.services import bulk

PRIOR_STRENGTH = 6.0  # K: how many shifts of evidence the prior is worth
DEFAULT_PRIOR_MEAN = 0.85  # before the agency has a record of its own
POPULATION_STRENGTH = 50.0  # pseudo-shifts holding the population's mean near the default
HALF_LIFE_DAYS = 180.0
# (value, weight) of each outcome.
OUTCOMES: dict[str, tuple[float, float]] = {
    Attendance.ATTENDED: (1.0, 1.0),
    Attendance.LATE: (0.5, 1.0),
    Attendance.NO_SHOW: (0.0, 2.0),
    "late_cancellation": (0.0, 1.0),
}


@dataclass
class Record:
    """What a candidate's shifts came to: the counts people read and the weighted evidence."""

    attended: int = 0
    late: int = 0
    no_shows: int = 0
    late_cancellations: int = 0
    successes: float = 0.0  # age-weighted
    observations: float = 0.0  # age-weighted

    @property
    def shifts(self) -> int:
        return self.attended + self.late + self.no_shows

    @property
    def empty(self) -> bool:
        return self.shifts == 0 and self.late_cancellations == 0

    def add(self, outcome: str, at: datetime, now: datetime) -> None:
        value, weight = OUTCOMES[outcome]
        age_days = max((now - at).total_seconds() / 86400.0, 0.0)
        w = weight * 0.5 ** (age_days / HALF_LIFE_DAYS)
        self.successes += value * w
        self.observations += w
        if outcome == Attendance.ATTENDED:
            self.attended += 1
        elif outcome == Attendance.LATE:
            self.late += 1
        elif outcome == Attendance.NO_SHOW:
            self.no_shows += 1
        else:
            self.late_cancellations += 1

    def describe(self) -> str:
        """In words: "12 shifts, 1 late arrival, 1 late cancellation" ("No shifts yet")."""
        if self.empty:
            return "No shifts yet"
        parts = [_count(self.shifts, "shift")]
        if self.late:
            parts.append(_count(self.late, "late arrival"))
        if self.no_shows:
            parts.append(_count(self.no_shows, "no-show"))
        if self.late_cancellations:
            parts.append(_count(self.late_cancellations, "late cancellation"))
        return ", ".join(parts)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def score(record: Record, prior_mean: float) -> float:
    """The posterior mean: the prior's mean for an empty record, pulled toward the record."""
    return (prior_mean * PRIOR_STRENGTH + record.successes) / (PRIOR_STRENGTH + record.observations)


def records(candidate_ids: Iterable[int] | None = None) -> dict[int, Record]:
    """The records of these candidates (everyone's when None), from one query."""
    now = utcnow()
    counted = or_(
        (ShiftBooking.status == BookingStatus.BOOKED) & ShiftBooking.attendance.is_not(None),
        ShiftBooking.late_cancellation.is_(True),
    )
    query = (
        select(
            ShiftBooking.candidate_id,
            ShiftBooking.status,
            ShiftBooking.attendance,
            ShiftBooking.late_cancellation,
            Shift.starts_at,
        )
        .join(Shift, Shift.id == ShiftBooking.shift_id)
        .where(counted)
    )
    # A pool built from profiles asks for every candidate at once: more ids than a statement
    # may bind (65,535 on PostgreSQL), hence one array parameter there and slices elsewhere.
    queries = (
        [query]
        if candidate_ids is None
        else [
            query.where(bulk.among(ShiftBooking.candidate_id, ids))
            for ids in bulk.lookup_slices(list(candidate_ids))
        ]
    )
    rows = (row for one in queries for row in db.session.execute(one))
    found: dict[int, Record] = {}
    for cid, status, attendance, late_cancel, starts_at in rows:
        record = found.setdefault(cid, Record())
        if status == BookingStatus.BOOKED and attendance:
            record.add(attendance, starts_at, now)
        elif late_cancel:
            record.add("late_cancellation", starts_at, now)
    return found


def record_of(candidate_id: int) -> Record:
    return records([candidate_id]).get(candidate_id, Record())


def population_mean(everyone: dict[int, Record] | None = None) -> float:
    """The pooled rate of everyone's record, shrunk toward the default while it is small."""
    everyone = records() if everyone is None else everyone
    successes = sum(r.successes for r in everyone.values())
    observations = sum(r.observations for r in everyone.values())
    return (DEFAULT_PRIOR_MEAN * POPULATION_STRENGTH + successes) / (
        POPULATION_STRENGTH + observations
    )


class _Prior:
    def __init__(self) -> None:
        self.mean: float | None = None
        self.database = ""
        self.lock = threading.Lock()


_prior = _Prior()


def prior_mean() -> float:
    """This process's prior mean (see the module's note), computed at its first use."""
    url = str(db.engine.url)
    with _prior.lock:
        if _prior.mean is None or _prior.database != url:
            _prior.mean, _prior.database = population_mean(), url
        return _prior.mean


def forget_prior() -> None:
    with _prior.lock:
        _prior.mean = None


def value_for(candidate_id: int) -> float:
    """The engine's reliability value for one candidate."""
    return score(record_of(candidate_id), prior_mean())


def values_for(candidate_ids: Iterable[int]) -> tuple[dict[int, float], float]:
    """values_for_all() for these candidates only: those of them with a record -> their value,
    and the value of the others (the prior). Only their own shifts are read; the prior is the
    process's (prior_mean: everyone's pooled record, as values_for_all computes it), so a pair
    explained on its own and the pool's row of the same person agree."""
    mean = prior_mean()
    return {cid: score(r, mean) for cid, r in records(candidate_ids).items()}, mean


def values_for_all() -> tuple[dict[int, float], float]:
    """Everyone with a record -> their value, and the value of everyone else (the prior). The
    pool's build: the prior is computed afresh here and kept (values_for reads it)."""
    everyone = records()
    with _prior.lock:
        _prior.mean, _prior.database = population_mean(everyone), str(db.engine.url)
        mean = _prior.mean
    return {cid: score(r, mean) for cid, r in everyone.items()}, mean


def describe(candidate_ids: Iterable[int]) -> dict[int, str]:
    """The record behind the track-record component, in words, for each of these candidates."""
    ids = list(candidate_ids)
    found = records(ids)
    return {cid: found.get(cid, Record()).describe() for cid in ids}
