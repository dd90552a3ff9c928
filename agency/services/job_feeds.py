"""What job sites read: the open openings for an aggregator's XML feed, the sitemap's pages, a
feed of new openings filtered like the board, and the open openings similar to a gone one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.ids import MAX_ID
from agency.models import Clinic, Opening, OpeningStatus
from agency.services import jobboard

FEED_LIMIT = 5_000  # aggregators fetch the whole feed; one agency's open openings fit
NEWEST_LIMIT = 50  # a feed reader wants what is new, not the archive
GONE_STATUSES = (OpeningStatus.FILLED, OpeningStatus.CLOSED)
JOB_TYPES = {
    # Indeed's <jobtype> words.
    "temp": "temporary",
    "temp_to_hire": "temporary, fulltime",
    "permanent": "fulltime",
    "per_diem": "parttime",
}


def _open() -> Any:
    return (
        select(Opening)
        .join(Opening.clinic)
        .options(joinedload(Opening.clinic))
        .where(Opening.status == OpeningStatus.OPEN, Clinic.approved.is_(True))
    )


def open_openings(limit: int = FEED_LIMIT) -> list[Opening]:
    """Every open opening of an approved clinic, newest first."""
    return list(
        db.session.execute(
            _open().order_by(Opening.posted_at.desc(), Opening.id.desc()).limit(limit)
        ).scalars()
    )


valid_through = jobboard.valid_through


def job_type(opening: Opening) -> str:
    return JOB_TYPES.get(opening.employment_type, "")


def salary_text(opening: Opening) -> str:
    low, high = opening.pay_min, opening.pay_max
    if low is not None and high is not None and low != high:
        return f"${low:.2f} - ${high:.2f} per hour"
    if low is not None or high is not None:
        return f"${(low if low is not None else high):.2f} per hour"
    return ""


def newest(filters: jobboard.JobFilters, limit: int = NEWEST_LIMIT) -> list[Opening]:
    """The newest open openings matching the board's filters (the board's own search)."""
    filters.sort, filters.page = "newest", 1
    ids = [card.id for card in jobboard.search(filters, per_page=limit).page.items]
    if not ids:
        return []
    found = {
        o.id: o
        for o in db.session.execute(
            select(Opening).options(joinedload(Opening.clinic)).where(Opening.id.in_(ids))
        ).scalars()
    }
    return [found[i] for i in ids if i in found]


def last_change(openings: list[Opening]) -> datetime | None:
    return max((o.updated_at for o in openings), default=None)


@dataclass(frozen=True)
class GoneOpening:
    opening: Opening
    similar: list[Opening]


def gone(opening_id: int, limit: int = 5) -> GoneOpening | None:
    """A public opening that was filled or closed, with open ones like it; None when it never was
    public (a draft, or an unapproved clinic's: those stay a plain 404)."""
    if not 0 < opening_id <= MAX_ID:
        return None
    opening = db.session.execute(
        select(Opening)
        .options(joinedload(Opening.clinic))
        .where(Opening.id == opening_id, Opening.status.in_(GONE_STATUSES))
    ).scalar_one_or_none()
    if opening is None or not opening.clinic.approved or opening.posted_at is None:
        return None
    similar = list(
        db.session.execute(
            _open()
            .where(Opening.role_type == opening.role_type, Opening.id != opening.id)
            .order_by(
                # The same clinic's and the same kind of work first, then the newest.
                (Opening.clinic_id == opening.clinic_id).desc(),
                (Opening.employment_type == opening.employment_type).desc(),
                Opening.posted_at.desc(),
                Opening.id.desc(),
            )
            .limit(limit)
        ).scalars()
    )
    return GoneOpening(opening, similar)
