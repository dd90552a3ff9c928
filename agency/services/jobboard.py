"""The public job board: search open openings by words, role, pay and distance; JobPosting data.

Distance is a clinic's: the clinics within the radius are found first (a latitude/longitude box
in SQL, then the exact haversine distance for the few inside it), then the openings of those
clinics are filtered, counted and paged in SQL like any other search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.ids import MAX_ID
from agency.models import (
    Clinic,
    EmploymentType,
    Opening,
    OpeningStatus,
    User,
)
from agency.models.openings import opening_with_requirements
from agency.services import geo
from agency.services.like import ESCAPE, contains
from matching.geo import miles_between

PER_PAGE = 20
MAX_PAGE = 10_000
MAX_WORDS = 8
# Ids beyond a 32-bit integer cannot exist (and overflow SQLite's driver).
SORTS = ("newest", "pay", "distance")
MILES_PER_DEGREE_LAT = 69.0


@dataclass
class JobFilters:
    """Validated search input; every field optional."""

    q: str = ""
    role: str = ""
    employment_type: str = ""
    min_pay: Decimal | None = None
    zip_code: str = ""
    radius: int = 25
    sort: str = "newest"
    page: int = 1


@dataclass(frozen=True)
class ClinicCard:
    id: int
    name: str
    city: str
    state: str
    updated_at: datetime


@dataclass(frozen=True)
class OpeningCard:
    """What a job board result shows of an opening: plain columns, not an Opening (a whole
    opening carries its description and JSON lists, which a card never shows)."""

    id: int
    title: str
    role_type: str
    employment_type: str
    start_date: date
    pay_min: Decimal | None
    pay_max: Decimal | None
    updated_at: datetime
    clinic: ClinicCard


_CARD_COLUMNS = (
    Opening.id,
    Opening.title,
    Opening.role_type,
    Opening.employment_type,
    Opening.start_date,
    Opening.pay_min,
    Opening.pay_max,
    Opening.updated_at,
    Clinic.id,
    Clinic.name,
    Clinic.city,
    Clinic.state,
    Clinic.updated_at,
)


def _cards(statement: Select[Any]) -> list[OpeningCard]:
    cards = []
    for row in db.session.execute(statement.with_only_columns(*_CARD_COLUMNS)):
        oid, title, role, employment, start, pay_min, pay_max, updated, *clinic = row
        cid, name, city, state, clinic_updated = clinic
        cards.append(
            OpeningCard(
                oid,
                title,
                role,
                employment,
                start,
                pay_min,
                pay_max,
                updated,
                clinic=ClinicCard(cid, name, city, state, clinic_updated),
            )
        )
    return cards


@dataclass
class JobResults:
    page: Pagination
    distances: dict[int, float] = field(default_factory=dict)
    origin: geo.Location | None = None

    @property
    def version(self) -> str:
        """Everything of the results a page shows that the query alone does not fix: the total,
        and each card's opening and clinic with their last change and the distance. The board's
        cached fragment is keyed by it with the query (templates/public/_macros.html)."""
        cards = (
            f"{c.id}@{c.updated_at.isoformat()}/{c.clinic.id}@{c.clinic.updated_at.isoformat()}"
            f"/{self.distances.get(c.id, '')}"
            for c in self.page.items
        )
        return "|".join((str(self.page.total), *cards))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) holding every point within `miles`."""
    dlat = miles / MILES_PER_DEGREE_LAT
    # Near the poles a degree of longitude shrinks to nothing: widen to the whole circle.
    cos_lat = math.cos(math.radians(lat))
    dlon = 180.0 if cos_lat < 0.01 else min(miles / (MILES_PER_DEGREE_LAT * cos_lat), 180.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _words(q: str) -> list[str]:
    return [w for w in q.split() if w][:MAX_WORDS]


def _base(filters: JobFilters) -> Select[Any]:
    query = (
        select(Opening)
        .join(Opening.clinic)
        .where(Opening.status == OpeningStatus.OPEN, Clinic.approved.is_(True))
    )
    for word in _words(filters.q):
        # Every word must appear somewhere: title or description (one case-folded column, a
        # plain LIKE) or the clinic's name. The clinics whose name has it are found once, in a
        # subquery, not by an ILIKE on every opening's row (a quarter of a word count's time on
        # PostgreSQL). The pattern is built here, once, rather than concatenated in SQL per row.
        named = select(Clinic.id).where(Clinic.name.ilike(contains(word), ESCAPE))
        query = query.where(
            or_(
                Opening.search_text.like(contains(word.casefold()), ESCAPE),
                Opening.clinic_id.in_(named.scalar_subquery()),
            )
        )
    if filters.role:
        query = query.where(Opening.role_type == filters.role)
    if filters.employment_type in EmploymentType.values():
        query = query.where(Opening.employment_type == filters.employment_type)
    if filters.min_pay is not None:
        # An opening qualifies when its top rate reaches the minimum asked for.
        query = query.where(func.coalesce(Opening.pay_max, Opening.pay_min) >= filters.min_pay)
    return query


def _newest(query: Select[Any]) -> Select[Any]:
    return query.order_by(
        func.coalesce(Opening.posted_at, Opening.created_at).desc(), Opening.id.desc()
    )


def _by_pay(query: Select[Any]) -> Select[Any]:
    top = func.coalesce(Opening.pay_max, Opening.pay_min)
    return query.order_by(top.is_(None), top.desc(), Opening.id.desc())


def _load_page(ids: list[int]) -> list[OpeningCard]:
    """The cards of one page, in the order given (one query)."""
    if not ids:
        return []
    by_id = {
        c.id: c for c in _cards(select(Opening).join(Opening.clinic).where(Opening.id.in_(ids)))
    }
    return [by_id[i] for i in ids if i in by_id]


class _IdPagination(Pagination):
    """A page over ids already filtered and ordered in Python (the distance search)."""

    def _query_items(self) -> list[Any]:
        ids: list[int] = self._query_args["ids"]
        return _load_page(ids[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["ids"])


class _SqlPagination(Pagination):
    """A page of a filtered, ordered search done in SQL: the page's cards (opening and clinic
    columns) in one query, and the number of matches in another.

    The page can walk `ix_openings_board_newest` in order and stop after 20 rows (other orders
    keep only the top rows while sorting); the count reads only `ix_openings_board` when no
    words are asked for. (A count as a window over the page query would make the database sort
    every match, descriptions included, on every request.)
    """

    def _query_items(self) -> list[Any]:
        ordered: Select[Any] = self._query_args["ordered"]
        items = _cards(ordered.limit(self.per_page).offset(self._query_offset))
        # A short page says how many there are (no count needed), unless it is an empty page
        # past the end.
        short = len(items) < self.per_page and (items or self._query_offset == 0)
        self._total = self._query_offset + len(items) if short else None
        return items

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        query: Select[Any] = self._query_args["query"]
        # count(*), not count(id): the id is not in ix_openings_board, the index that can
        # answer the count alone.
        return int(db.session.execute(query.with_only_columns(func.count())).scalar_one())


def search(filters: JobFilters, per_page: int = PER_PAGE) -> JobResults:
    """One page of open openings matching the filters, with distances when a ZIP was given."""
    page = min(max(filters.page, 1), MAX_PAGE)
    query = _base(filters)
    origin = geo.lookup_zip(filters.zip_code) if filters.zip_code else None
    near: dict[int, float] = {}
    if origin is not None:
        # Distance belongs to the clinic: measured once per clinic, then the openings are
        # filtered, counted and ordered in SQL like any other search.
        near = _clinics_within(origin, filters.radius)
        query = query.where(Opening.clinic_id.in_(near)) if near else query.where(false())
    pagination: Pagination
    if origin is not None and filters.sort == "distance":
        rows = db.session.execute(query.with_only_columns(Opening.id, Opening.clinic_id))
        # Nearest first; at one distance, the latest posted (highest id) first.
        ids = [i for i, _ in sorted(rows, key=lambda r: (near[r[1]], -r[0]))]
        pagination = _IdPagination(
            page=page, per_page=per_page, max_per_page=per_page, error_out=False, ids=ids
        )
    else:
        ordered = _by_pay(query) if filters.sort == "pay" else _newest(query)
        pagination = _SqlPagination(
            page=page,
            per_page=per_page,
            max_per_page=per_page,
            error_out=False,
            query=query,
            ordered=ordered,
        )
    if origin is None:
        return JobResults(pagination)
    shown = {o.id: near[o.clinic.id] for o in pagination.items}
    return JobResults(pagination, shown, origin)


def _clinics_within(origin: geo.Location, radius: int) -> dict[int, float]:
    """Approved clinics within `radius` miles of the origin: {clinic id: miles}.

    A latitude/longitude box in SQL first (cheap), then the exact distance for the few inside.
    """
    lat_min, lat_max, lon_min, lon_max = bounding_box(origin.lat, origin.lon, radius)
    lon_box = (
        Clinic.lon.between(lon_min, lon_max)
        if lon_min >= -180 and lon_max <= 180
        # The box crosses the antimeridian: two ranges.
        else or_(
            Clinic.lon >= ((lon_min + 540) % 360) - 180, Clinic.lon <= ((lon_max + 540) % 360) - 180
        )
    )
    rows = db.session.execute(
        select(Clinic.id, Clinic.lat, Clinic.lon).where(
            Clinic.approved.is_(True),
            Clinic.lat.is_not(None),
            Clinic.lon.is_not(None),
            Clinic.lat.between(lat_min, lat_max),
            lon_box,
        )
    )
    near = {}
    for clinic_id, lat, lon in rows:
        if lat is None or lon is None:  # excluded by the query; narrows the type
            continue
        miles = miles_between(origin.lat, origin.lon, lat, lon)
        if miles <= radius:
            near[clinic_id] = miles
    return near


# ---- one opening ------------------------------------------------------------------------------


def latest(n: int) -> list[Opening]:
    """The newest open openings of approved clinics (the home page's list)."""
    return list(
        db.session.execute(
            select(Opening)
            .join(Opening.clinic)
            .options(joinedload(Opening.clinic))
            .where(Opening.status == OpeningStatus.OPEN, Clinic.approved.is_(True))
            .order_by(Opening.created_at.desc())
            .limit(n)
        ).scalars()
    )


def may_see_private(opening: Opening, user: User | Any) -> bool:
    """Staff and the clinic's own members see its street address and phone."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.is_staff or (user.clinic_id is not None and user.clinic_id == opening.clinic_id)
    )


def public_opening(opening_id: int, user: User | Any) -> Opening | None:
    """The opening with its requirements if this user may see it (open to all; else own/staff)."""
    if not 0 < opening_id <= MAX_ID:
        return None
    opening = opening_with_requirements(Opening.id == opening_id)
    if opening is None:
        return None
    if opening.status == OpeningStatus.OPEN and opening.clinic.approved:
        return opening
    return opening if may_see_private(opening, user) else None


EMPLOYMENT_SCHEMA = {
    EmploymentType.TEMP: ["TEMPORARY"],
    EmploymentType.TEMP_TO_HIRE: ["TEMPORARY", "FULL_TIME"],
    EmploymentType.PERMANENT: ["FULL_TIME"],
    EmploymentType.PER_DIEM: ["PER_DIEM"],
}


# How long a posting without an end date stays valid for search engines, from its start or post.
DEFAULT_VALID_DAYS = 60


def valid_through(opening: Opening) -> date:
    if opening.end_date is not None:
        return opening.end_date
    posted = opening.posted_at or opening.created_at
    start = max(posted.date(), opening.start_date) if posted else opening.start_date
    return start + timedelta(days=DEFAULT_VALID_DAYS)


def job_posting_ld(opening: Opening, url: str) -> dict[str, Any]:
    """schema.org JobPosting for search engines (area only: no street address)."""
    clinic = opening.clinic
    posted = opening.posted_at or opening.created_at
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": opening.title,
        "description": opening.description or opening.title,
        "datePosted": posted.date().isoformat() if posted else date.today().isoformat(),
        "employmentType": EMPLOYMENT_SCHEMA.get(opening.employment_type, ["OTHER"]),
        "hiringOrganization": {"@type": "Organization", "name": clinic.name},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": clinic.city,
                "addressRegion": clinic.state,
                "postalCode": clinic.zip_code,
                "addressCountry": "US",
            },
        },
        "totalJobOpenings": opening.positions,
        "jobStartDate": opening.start_date.isoformat(),
        "url": url,
        "identifier": {"@type": "PropertyValue", "name": "ClinicMatch", "value": str(opening.id)},
    }
    # Google for Jobs: a posting needs an end (it drops postings past it) and says whether the
    # candidate applies on this site.
    data["validThrough"] = valid_through(opening).isoformat()
    data["directApply"] = True
    if opening.pay_min is not None or opening.pay_max is not None:
        value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": "HOUR"}
        if opening.pay_min is not None:
            value["minValue"] = float(opening.pay_min)
        if opening.pay_max is not None:
            value["maxValue"] = float(opening.pay_max)
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": value}
    return data
