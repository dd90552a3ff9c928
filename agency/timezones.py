"""Times as the agency reads them: stored in UTC, shown on staff pages in the agency's own time
zone (AGENCY_TIMEZONE, an IANA name such as America/New_York)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app


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


def init_app(app: Flask) -> None:
    zone(app.config["AGENCY_TIMEZONE"])  # a wrong name stops the start, not a page later
    app.add_template_filter(agency_time, "agency_time")


def clinic_zone(clinic: Any) -> ZoneInfo:
    """The zone a clinic's times are shown in: its own `time_zone` when it has one (an IANA
    name), else the agency's. Interviews and calendar invitations are written in it."""
    name = getattr(clinic, "time_zone", None) or current_app.config["AGENCY_TIMEZONE"]
    try:
        return zone(name)
    except ValueError:
        return zone(current_app.config["AGENCY_TIMEZONE"])
