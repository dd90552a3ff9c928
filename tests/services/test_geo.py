"""ZIP codes to places (services.geo), offline: what counts as a US ZIP and what does not."""

from __future__ import annotations

import pytest

from agency.services import geo


def test_a_zip_gives_its_town_and_coordinates() -> None:
    place = geo.lookup_zip("02139")
    assert place is not None
    assert (place.city, place.state) == ("Cambridge", "MA")
    assert 42.3 < place.lat < 42.4 and -71.2 < place.lon < -71.0


def test_zip_plus_four_and_surrounding_spaces_give_the_same_place() -> None:
    assert geo.lookup_zip(" 02139-4307 ") == geo.lookup_zip("02139")


@pytest.mark.parametrize("raw", [None, "", "   ", "2139", "ABCDE", "0213a", "00000", "99999"])
def test_anything_that_is_not_a_real_zip_gives_no_place(raw) -> None:
    assert geo.lookup_zip(raw) is None
