"""Audit events: the record of who viewed or changed what. Callers commit with their change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert

from agency.extensions import db
from agency.models import AuditEvent, utcnow

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
