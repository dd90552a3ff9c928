"""Audit events: the record of who viewed or changed what. Callers commit with their change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select

from agency.extensions import db
from agency.models import AuditEvent, Clinic, Role, User, utcnow

# Keys that must never reach the audit log, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "token", "password_hash", "csrf_token", "secret"})
# Staff looking at a person's data (one event per person shown, with the page in its details).
STAFF_VIEW = "candidate_viewed"


def _clean(details: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (details or {}).items() if k.lower() not in _SECRET_KEYS}


def record(
    action: str,
    *,
    actor_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    ip: str = "",
    details: dict[str, Any] | None = None,
    candidate_id: int | None = None,
) -> AuditEvent:
    if candidate_id is None and object_type == "candidate":
        candidate_id = object_id
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        candidate_id=candidate_id,
        ip=ip[:64],
        details=_clean(details),
    )
    db.session.add(event)
    return event


def record_views(
    candidate_ids: Iterable[int],
    *,
    actor_id: int | None,
    page: str,
    action: str = STAFF_VIEW,
    ip: str = "",
    details: dict[str, Any] | None = None,
) -> int:
    """One event per candidate shown on a page, written in a single INSERT (a list page of 25
    people costs one statement, not 25). Returns how many were recorded."""
    ids = list(dict.fromkeys(candidate_ids))
    if not ids:
        return 0
    now = utcnow()
    extra = {**_clean(details), "page": page}
    rows = [
        {
            "action": action,
            "actor_id": actor_id,
            "object_type": "candidate",
            "object_id": cid,
            "candidate_id": cid,
            "ip": ip[:64],
            "details": extra,
            "created_at": now,
        }
        for cid in ids
    ]
    db.session.execute(insert(AuditEvent), rows)
    return len(ids)


# Events that mean someone outside the person looked at their data.
VIEW_ACTIONS = (
    STAFF_VIEW,
    "clinic_viewed_candidate",
    "resume_downloaded",
    "document_downloaded",
)
AGENCY = "the agency"
VIEWS_READ = 500  # the newest view events read for the candidate's own list
VIEWS_SHOWN = 50


@dataclass(frozen=True)
class ProfileView:
    """An organization that viewed the person's data on a day (never the individual)."""

    organization: str
    day: date
    last_at: datetime
    times: int


def profile_views(candidate_id: int, own_user_id: int | None = None) -> list[ProfileView]:
    """Who viewed this candidate's profile, by organization and day, newest first: the clinic's
    name for a clinic member, "the agency" for staff."""
    rows = db.session.execute(
        select(
            AuditEvent.created_at,
            AuditEvent.actor_id,
            AuditEvent.details,
            User.role,
            User.clinic_id,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.candidate_id == candidate_id, AuditEvent.action.in_(VIEW_ACTIONS))
        .order_by(AuditEvent.created_at.desc())
        .limit(VIEWS_READ)
    ).all()
    clinic_of: dict[int, int | None] = {}
    for i, (_at, actor_id, details, role, clinic_id) in enumerate(rows):
        if own_user_id is not None and actor_id == own_user_id:
            continue
        if role == Role.CLINIC or (role is None and (details or {}).get("clinic_id")):
            clinic_of[i] = clinic_id or (details or {}).get("clinic_id")
    ids = {c for c in clinic_of.values() if isinstance(c, int)}
    names = (
        dict(db.session.execute(select(Clinic.id, Clinic.name).where(Clinic.id.in_(ids))).all())
        if ids
        else {}
    )
    grouped: dict[tuple[str, date], ProfileView] = {}
    for i, (at, actor_id, _details, _role, _clinic) in enumerate(rows):
        if own_user_id is not None and actor_id == own_user_id:
            continue
        if i in clinic_of:
            clinic_id = clinic_of[i]
            org = names.get(clinic_id, "A clinic") if clinic_id is not None else "A clinic"
        else:
            org = AGENCY
        key = (org, at.date())
        seen = grouped.get(key)
        grouped[key] = (
            ProfileView(org, at.date(), at, 1)
            if seen is None
            else ProfileView(org, seen.day, seen.last_at, seen.times + 1)
        )
    return list(grouped.values())[:VIEWS_SHOWN]
