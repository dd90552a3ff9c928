"""Saved candidate searches: a staff member's filters by name, and the daily alert of the
candidates who registered since and match them (one e-mail per owner per day, none when there
is nothing new).

Nothing here commits but `stage_daily_alerts` (the beat job's one transaction).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from agency.extensions import db
from agency.models import Candidate, OutboxMessage, SavedSearch, User, utcnow
from agency.services import audit, notifications
from agency.services.errors import FieldError
from agency.services.staff_queries.search import CandidateFilters, candidate_query

# The search form's fields a saved search keeps; anything else in the query string is dropped.
FILTER_KEYS = (
    "q",
    "role",
    "skill",
    "skill_level",
    "credential",
    "zip_code",
    "radius",
    "availability",
)
LIST_KEYS = frozenset({"availability"})
NAME_MAX = 120
# How many new names one alert lists per search (the count is always whole).
ALERT_LIST_LIMIT = 20
AVAILABILITY_BITS = 28


class SavedSearchError(FieldError):
    pass


def clean_filters(args: Any) -> dict[str, Any]:
    """The search form's filters out of a query string (a MultiDict), empty ones left out."""
    kept: dict[str, Any] = {}
    for key in FILTER_KEYS:
        if key in LIST_KEYS:
            values = [v for v in args.getlist(key) if v]
            if values:
                kept[key] = values
        else:
            value = (args.get(key) or "").strip()
            if value:
                kept[key] = value
    return kept


def _number(value: Any, default: float | None) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def to_filters(saved: dict[str, Any]) -> CandidateFilters:
    """The stored filters as the search's filters (validated by the form when saved; read
    defensively all the same)."""
    bits = 0
    for raw in saved.get("availability", []):
        if str(raw).isdigit() and int(raw) < AVAILABILITY_BITS:
            bits |= 1 << int(raw)
    radius = _number(saved.get("radius"), None)
    return CandidateFilters(
        q=str(saved.get("q", "")),
        role=str(saved.get("role", "")),
        skill=str(saved.get("skill", "")),
        skill_level=int(_number(saved.get("skill_level"), 1) or 1),
        credential=str(saved.get("credential", "")),
        zip_code=str(saved.get("zip_code", "")),
        radius=radius,
        availability=bits,
    )


def of_owner(owner_id: int) -> list[SavedSearch]:
    return list(
        db.session.execute(
            select(SavedSearch).where(SavedSearch.owner_id == owner_id).order_by(SavedSearch.name)
        ).scalars()
    )


def save(owner: User, name: str, filters: dict[str, Any], alert: bool, ip: str = "") -> SavedSearch:
    name = " ".join(name.split())[:NAME_MAX]
    if not name:
        raise SavedSearchError("Give the search a name.", field="name")
    # Compared in Python: SQLite's lower() folds ASCII only, and one person's searches are few.
    mine = db.session.execute(select(SavedSearch.name).where(SavedSearch.owner_id == owner.id))
    if name.casefold() in {other.casefold() for other in mine.scalars()}:
        raise SavedSearchError("You have a saved search with this name already.", field="name")
    search = SavedSearch(
        owner_id=owner.id, name=name, filters=filters, alert=alert, alerted_until=utcnow()
    )
    try:
        with db.session.begin_nested():  # a double submit racing this one
            db.session.add(search)
            db.session.flush()
    except IntegrityError:
        raise SavedSearchError(
            "You have a saved search with this name already.", field="name"
        ) from None
    audit.record(
        "saved_search_created",
        actor_id=owner.id,
        object_type="saved_search",
        object_id=search.id,
        ip=ip,
    )
    return search


def set_alert(search: SavedSearch, alert: bool) -> None:
    if alert and not search.alert:
        # Only people who register from now on: switching it on is no alert of the backlog.
        search.alerted_until = utcnow()
    search.alert = alert


def new_matches(search: SavedSearch, until: Any) -> tuple[int, list[Candidate]]:
    """How many candidates registered in (alerted_until, until] and match the search, and the
    first of them."""
    query = candidate_query(to_filters(search.filters)).where(
        Candidate.created_at > search.alerted_until, Candidate.created_at <= until
    )
    total = int(
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    if not total:
        return 0, []
    return total, list(db.session.execute(query.limit(ALERT_LIST_LIMIT)).unique().scalars())


def stage_daily_alerts(day: date | None = None) -> int:
    """Stage one summary e-mail per owner with anything new, at most once a day (the outbox's
    dedupe key is the owner and the day); commits. Returns the e-mails staged."""
    day = day or utcnow().date()
    now = utcnow()
    searches = list(
        db.session.execute(
            select(SavedSearch)
            .join(User, User.id == SavedSearch.owner_id)
            .where(SavedSearch.alert.is_(True), User.active.is_(True))
            .order_by(SavedSearch.owner_id, SavedSearch.name)
        ).scalars()
    )
    key = f"saved-search-alert:{day.isoformat()}"
    already = set(
        db.session.execute(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like(f"{key}:u%"))
        ).scalars()
    )
    by_owner: dict[int, list[dict[str, Any]]] = {}
    owners: dict[int, User] = {}
    for search in searches:
        if not search.owner.is_staff or f"{key}:u{search.owner_id}" in already:
            # Today's e-mail went out: what registered since waits for tomorrow's.
            continue
        total, found = new_matches(search, now)
        # Moved on even when nothing is new: tomorrow's alert starts from here.
        search.alerted_until = now
        if not total:
            continue
        owners[search.owner_id] = search.owner
        by_owner.setdefault(search.owner_id, []).append(
            {
                "name": search.name,
                "count": total,
                "candidates": [
                    {
                        "name": c.full_name,
                        "url": notifications.link(f"/staff/candidates/{c.id}"),
                    }
                    for c in found
                ],
                "url": notifications.link(f"/staff/saved-searches/{search.id}/run"),
            }
        )
    staged = 0
    for owner_id, items in by_owner.items():
        message = notifications.email_user(
            owners[owner_id],
            "saved_search_alert",
            {"day": day.isoformat(), "searches": items},
            key,
        )
        staged += message is not None
    db.session.commit()
    return staged
