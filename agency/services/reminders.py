"""Credential expiry reminders from a periodic scan: 60, 30 and 7 days before, each once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import Candidate, CandidateStatus, Credential, VerificationStatus, utcnow
from agency.services import notifications

THRESHOLDS = (7, 30, 60)


def threshold_for(days_left: int) -> int | None:
    """The tightest reminder the credential is due for: a missed scan still sends the next one."""
    return next((t for t in THRESHOLDS if days_left <= t), None)


def stage_credential_reminders(today: date | None = None) -> int:
    """Stage the reminders that are due (candidate and staff) and commit; the count of credentials.

    The dedupe key holds the credential, the threshold and the expiry date, so re-running the
    scan sends nothing new, and a renewed credential starts afresh.
    """
    today = today or utcnow().date()
    credentials = db.session.execute(
        select(Credential)
        .join(Candidate, Candidate.id == Credential.candidate_id)
        .where(
            Credential.expires_on > today,
            Credential.expires_on <= today + timedelta(days=max(THRESHOLDS)),
            Credential.verification_status != VerificationStatus.REJECTED.value,
            Candidate.status != CandidateStatus.ERASED.value,
        )
        .options(
            selectinload(Credential.candidate).selectinload(Candidate.user),
            selectinload(Credential.credential_type),
        )
    ).scalars()
    count = 0
    for credential in credentials:
        assert credential.expires_on is not None
        days = threshold_for((credential.expires_on - today).days)
        if days is None:
            continue
        key = f"credential-expiring:{credential.id}:{days}:{credential.expires_on.isoformat()}"
        context = {
            **notifications.credential_context(credential),
            "days": days,
            "profile_url": notifications.link("/me"),
        }
        notifications.email_user(credential.candidate.user, "credential_expiring", context, key)
        notifications.tell_staff("credential_expiring", key, credential_id=credential.id, days=days)
        count += 1
    db.session.commit()
    return count
