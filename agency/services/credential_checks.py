"""Credential verification by staff: who checked which document, when, and with what result."""

from __future__ import annotations

from agency.models import Credential, User, VerificationStatus, utcnow
from agency.services import audit

OUTCOMES = (VerificationStatus.VERIFIED.value, VerificationStatus.REJECTED.value)


def record_check(credential: Credential, outcome: str, actor: User, ip: str = "") -> None:
    """Mark the credential verified or rejected (in the caller's transaction) and audit it.

    The candidate's Match rows depend on it, so the pool is refreshed after the caller commits
    (`updated_at` on the candidate makes the next ranking pick the change up).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"Unknown outcome {outcome!r}.")
    previous = credential.verification_status
    credential.verification_status = outcome
    credential.verified_by_id = actor.id
    credential.verified_at = utcnow()
    credential.candidate.updated_at = utcnow()
    audit.record(
        "credential_verified"
        if outcome == VerificationStatus.VERIFIED.value
        else "credential_rejected",
        actor_id=actor.id,
        object_type="credential",
        object_id=credential.id,
        candidate_id=credential.candidate_id,
        ip=ip,
        details={
            "candidate_id": credential.candidate_id,
            "code": credential.credential_type.code,
            "from": previous,
            "to": outcome,
        },
    )
