"""Staff approve a clinic so it can post openings; its members are told by e-mail."""

from __future__ import annotations

from agency.models import Clinic, User, utcnow
from agency.services import audit, notifications


class ApprovalError(ValueError):
    """The clinic cannot be approved (already approved)."""


def approve(clinic: Clinic, actor: User, ip: str = "") -> None:
    """Approve in the caller's transaction: flag, audit event and the members' e-mails."""
    if clinic.approved:
        raise ApprovalError(f"{clinic.name} is already approved.")
    clinic.approved = True
    clinic.approved_at = utcnow()
    clinic.approved_by_id = actor.id
    audit.record(
        "clinic_approved",
        actor_id=actor.id,
        object_type="clinic",
        object_id=clinic.id,
        ip=ip,
        details={"name": clinic.name},
    )
    notifications.clinic_approved(clinic)
