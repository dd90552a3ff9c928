"""Times as people read them: stored in UTC, shown on staff pages in the agency's own time zone
(AGENCY_TIMEZONE, an IANA name such as America/New_York) and, for a clinic's shifts and
interviews, in the clinic's zone (`clinic_zone`), which comes from its ZIP code or state."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import zipcodes
from flask import Flask, current_app

if TYPE_CHECKING:
    from agency.models.clinics import Clinic


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"AGENCY_TIMEZONE {name!r} is not a known time zone") from exc


def agency_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """`value` (UTC; naive means UTC) in the agency's zone, with the zone's abbreviation."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(current_app.config["AGENCY_TIMEZONE"])).strftime(fmt)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


@lru_cache(maxsize=4096)
def zone_name_for_zip(zip_code: str | None) -> str | None:
    """The IANA zone of a US ZIP code, from the `zipcodes` package's data (it carries one per
    ZIP: Phoenix stays America/Phoenix, El Paso America/Denver), or None when unknown."""
    code = (zip_code or "").strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    try:
        rows = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    return next((name for row in rows if (name := _known(row.get("timezone")))), None)


@lru_cache(maxsize=64)
def zone_name_for_state(state: str | None) -> str | None:
    """The zone most of a state's ZIP codes are in (Texas: America/Chicago), or None."""
    code = (state or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        return None
    counts = Counter(row.get("timezone") for row in zipcodes.filter_by(state=code))
    return next((name for name, _ in counts.most_common() if _known(name)), None)


def zone_name_for_place(zip_code: str | None, state: str | None) -> str | None:
    return zone_name_for_zip(zip_code) or zone_name_for_state(state)


def clinic_zone(clinic: Clinic | None) -> ZoneInfo:
    """The clinic's time zone: its stored one, else from its ZIP or state, else the agency's."""
    if clinic is not None:
        name = _known(clinic.time_zone) or zone_name_for_place(clinic.zip_code, clinic.state)
        if name:
            return ZoneInfo(name)
    return zone(current_app.config["AGENCY_TIMEZONE"])


def local_time(
    value: datetime | None, clinic: Clinic | None, fmt: str = "%a %b %d, %Y %I:%M %p %Z"
) -> str:
    """`value` (UTC) in the clinic's zone with the zone's abbreviation ("EST", "MST")."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(clinic_zone(clinic)).strftime(fmt)


def init_app(app: Flask) -> None:
    zone(app.config["AGENCY_TIMEZONE"])  # a wrong name stops the start, not a page later
    app.add_template_filter(agency_time, "agency_time")
    app.add_template_filter(local_time, "clinic_time")
