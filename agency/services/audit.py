"""Audit events: the record of who viewed or changed what. Callers commit with their change."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.models import AuditEvent

# Keys that must never reach the audit log, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "token", "password_hash", "csrf_token", "secret"})


def record(
    action: str,
    *,
    actor_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    ip: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    clean = {k: v for k, v in (details or {}).items() if k.lower() not in _SECRET_KEYS}
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        ip=ip[:64],
        details=clean,
    )
    db.session.add(event)
    return event
