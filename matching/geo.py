"""Distance, in one place: great-circle miles (haversine), unit vectors for fast radius
pre-filters, and a latitude index over a pool's rows, so a commute search reads only the rows
that can be within reach of a clinic instead of every row of a national pool."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # (features encodes locations with the functions below)
    from matching.features import EncodedRows

EARTH_RADIUS_MILES = 3958.8

FloatArray = npt.NDArray[np.floating[Any]]
F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
F32 = npt.NDArray[np.float32]


def haversine_miles(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: float, lon2: float
) -> F64:
    """Distance in miles from each (lat1, lon1) to one point, computed in float64."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(
        2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.minimum(np.maximum(a, 0.0), 1.0))),
        dtype=np.float64,
    )


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine for one pair, in plain floats (numpy's per-call overhead dominates for one)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lmb = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi))


def radius_cosine(miles: float, slack_miles: float = 5.0) -> float:
    """Lowest unit-vector dot product of points within `miles` (+ slack for float32 rounding)."""
    angle = min((max(miles, 0.0) + slack_miles) / EARTH_RADIUS_MILES, math.pi)
    return math.cos(angle)


# Added to the widest commute when cutting the latitude band: float32 latitudes and rounding
# must never cut off a candidate the exact haversine check would keep.
BAND_SLACK_MILES = 5.0
# Rows changed since the index was sorted are searched one by one; past this many it is sorted
# again (the same bound as the text overrides).
MAX_CHANGED_ROWS = 4096
# Upper bounds of the commute groups, in miles (each group's band is cut by its widest commute).
COMMUTE_GROUP_MILES = [10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0]


class LatitudeIndex:
    """The first `n` rows sorted by latitude, in groups of similar commute, each with a copy of
    its rows' unit vectors and commute cosines in that order, so that the commute pre-filter
    reads a few contiguous slices instead of every row.

    A great-circle distance is never shorter than the latitude difference times the earth's
    radius, so a row outside the band of latitudes within its group's widest commute (plus
    slack) of the clinic is beyond its own commute: the bands hold every row the commute check
    keeps. Grouping by commute keeps a few long-distance commuters from widening everyone's band.
    Rows without a usable location, rows rewritten since the sort (their copies may be stale)
    and rows appended since are checked one by one against the pool's current arrays.
    """

    def __init__(self, enc: EncodedRows, n: int) -> None:
        lat, cos, commute = enc.lat[:n], enc.cos_commute[:n], enc.commute[:n]
        located = ~np.isnan(lat) & (cos <= 1.0) & ~np.isnan(commute)
        self.unlocated: IntArray = np.flatnonzero(~located)
        rows = np.flatnonzero(located)
        group = np.digitize(commute[rows], COMMUTE_GROUP_MILES)
        self.groups: list[_Group] = []
        for g in np.unique(group):
            members = rows[group == g]
            members = members[np.argsort(lat[members], kind="stable")]
            self.groups.append(
                _Group(
                    float(commute[members].max()),
                    members,
                    lat[members].astype(np.float64),
                    np.ascontiguousarray(enc.xyz[members]),
                    cos[members],
                )
            )
        self.n = n
        self.changed: set[int] = set()

    @property
    def nbytes(self) -> int:
        """The memory its sorted copies hold (part of the pool's footprint)."""
        return self.unlocated.nbytes + sum(
            g.rows.nbytes + g.lat.nbytes + g.xyz.nbytes + g.cos.nbytes for g in self.groups
        )

    def note_changed(self, rows: slice) -> None:
        """Record rows rewritten since the sort (rows appended later are counted by `n`)."""
        start, stop = rows.start or 0, min(rows.stop, self.n)
        if len(self.changed) <= MAX_CHANGED_ROWS:  # past that the index is sorted again anyway
            self.changed.update(range(start, stop))

    def is_stale(self, n: int) -> bool:
        """True when so many rows changed or were appended since the sort that it is cheaper
        to sort again than to check them one by one."""
        return len(self.changed) + max(n - self.n, 0) > MAX_CHANGED_ROWS

    def prefiltered(self, enc: EncodedRows, n: int, lat: float, u0: F32) -> IntArray:
        """The rows among the first `n`, ascending, that pass the commute pre-filter
        (unit-vector dot product with the clinic at least the row's commute cosine, or no
        coordinates) and may be within their commute of a clinic at latitude `lat`: every row
        the exact check keeps is among them."""
        parts = []
        for g in self.groups:
            degrees = math.degrees((max(g.reach, 0.0) + BAND_SLACK_MILES) / EARTH_RADIUS_MILES)
            lo = int(np.searchsorted(g.lat, lat - degrees, side="left"))
            hi = int(np.searchsorted(g.lat, lat + degrees, side="right"))
            parts.append(g.rows[lo:hi][g.xyz[lo:hi] @ u0 >= g.cos[lo:hi]])
        extra = [self.unlocated]
        if self.changed:
            # (list() copies the set in one step: another thread's sync may be adding to it.)
            extra.append(np.array(list(self.changed), dtype=np.intp))
        if n > self.n:
            extra.append(np.arange(self.n, n, dtype=np.intp))
        others = np.concatenate(extra)
        if others.size:
            cos = enc.cos_commute[others]
            parts.append(others[(enc.xyz[others] @ u0 >= cos) | (cos > 1.0)])
        found = np.concatenate(parts)
        if found.size * 8 < n or found.size == 0:
            rows = np.sort(found)
            if len(extra) > 1 and rows.size:  # a changed row may also sit in its old band
                rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
            return rows
        # Many rows (a clinic in a dense metro): marking them is linear where sorting is not,
        # and leaves each row once (a changed row may also sit in its old band).
        marked = np.zeros(max(n, int(found.max()) + 1), dtype=bool)
        marked[found] = True
        return np.flatnonzero(marked)


@dataclass
class _Group:
    reach: float  # the widest commute in the group, miles
    rows: IntArray  # sorted by latitude
    lat: npt.NDArray[np.float64]
    xyz: F32
    cos: F32
