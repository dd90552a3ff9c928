"""Great-circle distances in miles (haversine) and unit vectors for fast radius pre-filters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_MILES = 3958.8

FloatArray = npt.NDArray[np.floating[Any]]
F64 = npt.NDArray[np.float64]


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
        2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64
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
