"""Credential verification by staff: who checked which document, when, and with what result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Candidate,
    CandidateStatus,
    Credential,
    User,
    VerificationStatus,
    utcnow,
)
from agency.services import audit

OUTCOMES = (VerificationStatus.VERIFIED, VerificationStatus.REJECTED)


def record_check(credential: Credential, outcome: str, actor: User, ip: str = "") -> None:
    """Mark the credential verified or rejected (in the caller's transaction) and audit it.

    The candidate's Match rows depend on it, so the pool is refreshed after the caller commits
    (`updated_at` on the candidate makes the next ranking pick the change up).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"Unknown outcome {outcome!r}.")
    previous = credential.verification_status
    credential.verification_status = VerificationStatus(outcome)
    credential.verified_by_id = actor.id
    credential.verified_at = utcnow()
    credential.candidate.updated_at = utcnow()
    audit.record(
        "credential_verified" if outcome == VerificationStatus.VERIFIED else "credential_rejected",
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


def awaiting(page: int, per_page: int = 30) -> Any:
    """Credentials waiting for a check, oldest first (a page of them), with their holder."""
    query = (
        select(Credential)
        .join(Credential.candidate)
        .options(joinedload(Credential.candidate), joinedload(Credential.credential_type))
        .where(
            Credential.verification_status == VerificationStatus.PENDING,
            Candidate.status != CandidateStatus.ERASED,
        )
        .order_by(Credential.created_at, Credential.id)
    )
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
