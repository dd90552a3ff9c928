"""The job board: search, filters, distance, sort, pagination, bad parameters, query counts."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from agency.models import OpeningStatus
from agency.services import geo, jobboard
from matching.geo import haversine_miles, miles_between

# Real ZIP codes at known distances from Cambridge, MA (02139).
PLACES = {
    "Cambridge": "02139",
    "Boston": "02108",  # about 2.5 miles
    "Worcester": "01608",  # about 40 miles
    "Amherst": "01002",  # about 80 miles
    "Manhattan": "10001",  # about 190 miles
}


def clinic_at(make_clinic: Any, name: str) -> Any:
    loc = geo.lookup_zip(PLACES[name])
    assert loc is not None
    return make_clinic(
        name=f"{name} Clinic", zip_code=loc.zip_code, lat=loc.lat, lon=loc.lon, city=loc.city
    )


def titles(page: str) -> list[str]:
    return re.findall(r'<h2 class="opening-title"><a href="/jobs/\d+">([^<]+)</a>', page)


def get(client: Any, query: str) -> str:
    response = client.get("/jobs" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_lists_only_open_openings_of_approved_clinics(
    client: Any, make_opening: Any, make_clinic: Any
) -> None:
    make_opening(title="Open one")
    make_opening(title="Draft one", status="draft")
    make_opening(title="Closed one", status="closed")
    make_opening(title="Held one", status="on_hold")
    make_opening(make_clinic(approved=False), title="Unapproved one")
    page = get(client, "")
    assert titles(page) == ["Open one"]
    assert "<strong>1</strong> open opening" in page


def test_keyword_search_reads_title_description_and_clinic(
    client: Any, make_opening: Any, make_clinic: Any
) -> None:
    make_opening(title="Billing secretary", description="ICD-10 coding")
    make_opening(title="Front desk", description="Bilingual Spanish front desk")
    make_opening(make_clinic(name="Harbor Dermatology"), title="Receptionist")
    assert titles(get(client, "?q=billing")) == ["Billing secretary"]
    assert titles(get(client, "?q=SPANISH")) == ["Front desk"]
    assert titles(get(client, "?q=dermatology")) == ["Receptionist"]
    assert titles(get(client, "?q=front+spanish")) == ["Front desk"]  # every word must match
    assert titles(get(client, "?q=front+coding")) == []
    # LIKE wildcards are literal characters.
    assert titles(get(client, "?q=%25")) == [] and titles(get(client, "?q=_")) == []


def test_filters_role_type_and_pay(client: Any, make_opening: Any) -> None:
    make_opening(
        title="Rec temp",
        role_type="receptionist",
        employment_type="temp",
        pay_min=Decimal(17),
        pay_max=Decimal(19),
    )
    make_opening(
        title="Sec perm",
        role_type="secretary",
        employment_type="permanent",
        pay_min=Decimal(22),
        pay_max=Decimal(28),
    )
    make_opening(title="No pay", role_type="secretary", pay_min=None, pay_max=None)
    assert set(titles(get(client, "?role=secretary"))) == {"Sec perm", "No pay"}
    assert titles(get(client, "?employment_type=temp")) == ["Rec temp"]
    assert titles(get(client, "?min_pay=20")) == ["Sec perm"]
    assert titles(get(client, "?min_pay=19")) == ["Sec perm", "Rec temp"] or set(
        titles(get(client, "?min_pay=19"))
    ) == {"Sec perm", "Rec temp"}
    assert titles(get(client, "?sort=pay"))[:2] == ["Sec perm", "Rec temp"]


def test_distance_filter_matches_haversine(
    client: Any, make_opening: Any, make_clinic: Any
) -> None:
    for name in PLACES:
        make_opening(clinic_at(make_clinic, name), title=f"Job in {name}")
    origin = geo.lookup_zip("02139")
    expected = {}
    for name, code in PLACES.items():
        loc = geo.lookup_zip(code)
        expected[name] = float(haversine_miles(loc.lat, loc.lon, origin.lat, origin.lon))
    for radius in (5, 10, 25, 50, 100):
        found = {
            t.removeprefix("Job in ") for t in titles(get(client, f"?zip=02139&radius={radius}"))
        }
        assert found == {n for n, miles in expected.items() if miles <= radius}, radius
    page = get(client, "?zip=02139&radius=100&sort=distance")
    assert titles(page) == [
        f"Job in {n}" for n in sorted((n for n in expected if expected[n] <= 100), key=expected.get)
    ]
    assert f"{expected['Worcester']:.1f} mi" in page
    assert "within 100 miles of" in page


def test_bounding_box_holds_every_point_within_the_radius() -> None:
    import math

    for lat, lon in ((42.36, -71.10), (64.8, -147.7), (21.3, -157.8), (89.5, 10.0)):
        for miles in (1, 25, 100):
            lat_min, lat_max, lon_min, lon_max = jobboard.bounding_box(lat, lon, miles)
            for bearing in range(0, 360, 15):
                # A point just inside the radius on this bearing (small-circle approximation).
                d = miles * 0.999 / 3958.8
                b = math.radians(bearing)
                p1, l1 = math.radians(lat), math.radians(lon)
                p2 = math.asin(
                    math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b)
                )
                l2 = l1 + math.atan2(
                    math.sin(b) * math.sin(d) * math.cos(p1),
                    math.cos(d) - math.sin(p1) * math.sin(p2),
                )
                plat, plon = math.degrees(p2), math.degrees(l2)
                assert miles_between(lat, lon, plat, plon) <= miles
                assert lat_min <= plat <= lat_max
                assert lon_min <= plon <= lon_max or lon_max - lon_min >= 360


def test_pagination_and_count(client: Any, make_opening: Any, make_clinic: Any) -> None:
    clinic = make_clinic()
    for n in range(25):
        make_opening(clinic, title=f"Opening {n:02d}")
    first = get(client, "?q=opening")
    assert len(titles(first)) == 20 and "<strong>25</strong> open openings" in first
    assert 'href="/jobs?page=2&amp;q=opening"' in first or "page=2" in first
    second = get(client, "?q=opening&page=2")
    assert len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    near = get(client, "?zip=02139&sort=distance&page=2")
    assert len(titles(near)) == 5


@pytest.mark.parametrize(
    "query",
    [
        "?page=-1&min_pay=abc&zip=xyz&radius=1e308",
        "?page=99999999999999999999999999&min_pay=1e400",
        "?page=abc&per_page=100000",
        "?radius=nan&zip=02139",
        "?radius=-5&zip=00000",
        "?min_pay=-1&sort=distance",
        "?sort=random&role=surgeon&employment_type=forever",
        "?q=" + "x" * 5000,
        "?q=%00%ff%fe&zip=%00",
        "?min_pay=99999999999999999999999999999999999",
        "?zip=02139&radius=5&page=999999",
    ],
)
def test_bad_parameters_never_fail(client: Any, make_opening: Any, query: str) -> None:
    make_opening(title="Still listed")
    page = get(client, query)
    # Nothing is on this far page; every other bad filter is ignored, a NUL with a message.
    assert ("Still listed" in page) is not ("page=999999" in query)
    assert ("Remove the invisible NUL character" in page) is ("%00" in query)


def test_bad_parameters_are_shown_as_form_errors(client: Any, make_opening: Any) -> None:
    make_opening(title="Still listed")
    page = get(client, "?page=-1&min_pay=abc&zip=xyz&radius=1e308")
    assert 'id="min_pay-error"' in page and 'id="zip-error"' in page and 'id="radius-error"' in page
    assert "Still listed" in page  # the bad filters are ignored, the rest still searches
    # Text in the number field is that one error, not also "must be between 0 and 500".
    assert page.count("Not a valid integer value.") == 1 and "must be between" not in page
    page = get(client, "?sort=distance")
    assert "Enter a ZIP code to sort by distance" in page and "Still listed" in page


@pytest.mark.parametrize(
    "query", ["", "?q=desk&role=receptionist&min_pay=10", "?zip=02139&sort=distance&radius=50"]
)
def test_query_count_does_not_grow_with_rows(
    client: Any, make_opening: Any, make_clinic: Any, count_queries: Any, query: str
) -> None:
    make_opening(title="Front desk")
    client.get("/jobs" + query)
    with count_queries() as few:
        client.get("/jobs" + query)
    for _ in range(3):
        clinic = make_clinic()
        for _ in range(6):
            make_opening(clinic, title="Front desk")
    with count_queries() as many:
        page = client.get("/jobs" + query).get_data(as_text=True)
    assert len(titles(page)) == 19
    assert many.count == few.count <= 4, many.statements


def test_a_card_shows_the_latest_opening_and_clinic(
    client: Any, make_opening: Any, make_clinic: Any
) -> None:
    from agency.extensions import db

    clinic = make_clinic(name="Elm Clinic", city="Boston")
    opening = make_opening(clinic=clinic, title="Front desk", pay_min=Decimal("20"))
    page = get(client, "")
    assert titles(page) == ["Front desk"] and "Elm Clinic" in page and "$20.00" in page
    # The cards are cached per version of the opening and the clinic: an edit shows at once.
    opening.title, opening.pay_min = "Front desk lead", Decimal("23.50")
    db.session.commit()
    page = get(client, "")
    assert titles(page) == ["Front desk lead"] and "$23.50" in page and "$20.00" not in page
    clinic.name, clinic.city = "Elm Street Clinic", "Cambridge"
    db.session.commit()
    page = get(client, "")
    assert "Elm Street Clinic" in page and "Cambridge" in page
    assert get(client, "?zip=02139&radius=50").count("Elm Street Clinic") == 1
    # The board's body is cached by query and by the versions of what it lists: a new opening,
    # a closed one and a form error each show at once, and again on the same query.
    make_opening(clinic=clinic, title="Back office")
    assert titles(get(client, "")) == ["Back office", "Front desk lead"]
    opening.status = OpeningStatus.CLOSED
    db.session.commit()
    assert titles(get(client, "")) == ["Back office"]
    for _ in range(2):
        page = get(client, "?min_pay=lots")
        assert "Back office" in page and 'aria-invalid="true"' in page
