"""Distances: the one-pair function agrees with the vectorised one the engine ranks with."""

from __future__ import annotations

import numpy as np

from matching.geo import haversine_miles, miles_between


def test_one_pair_distance_equals_the_vectorised_haversine() -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(-89, 89, 500)
    lon = rng.uniform(-180, 180, 500)
    vectorised = haversine_miles(lat, lon, 42.3736, -71.1097)
    one_by_one = [miles_between(a, b, 42.3736, -71.1097) for a, b in zip(lat, lon, strict=True)]
    np.testing.assert_allclose(one_by_one, vectorised, rtol=1e-12, atol=1e-9)


def test_known_distances() -> None:
    # Cambridge MA to Los Angeles: about 2,590 miles; a point to itself: 0.
    assert abs(miles_between(42.3736, -71.1097, 34.0522, -118.2437) - 2590) < 15
    assert miles_between(42.0, -71.0, 42.0, -71.0) == 0.0
