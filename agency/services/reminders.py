"""Credential expiry reminders from a periodic scan: 60, 30 and 7 days before, each once.

The candidate gets one e-mail per threshold; staff get one summary per scan of the reminders
that scan made (not one e-mail per credential).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import (
    Candidate,
    CandidateStatus,
    Credential,
    CredentialReminder,
    VerificationStatus,
    utcnow,
)
from agency.services import notifications

THRESHOLDS = (7, 30, 60)


def threshold_for(days_left: int) -> int | None:
    """The tightest reminder the credential is due for: a missed scan still sends the next one."""
    return next((t for t in THRESHOLDS if days_left <= t), None)


def _due(today: date) -> list[tuple[Credential, int]]:
    credentials = db.session.execute(
        select(Credential)
        .join(Candidate, Candidate.id == Credential.candidate_id)
        .where(
            Credential.expires_on > today,
            Credential.expires_on <= today + timedelta(days=max(THRESHOLDS)),
            Credential.verification_status != VerificationStatus.REJECTED,
            Candidate.status != CandidateStatus.ERASED,
        )
        .options(
            selectinload(Credential.candidate).selectinload(Candidate.user),
            selectinload(Credential.credential_type),
        )
    ).scalars()
    due = []
    for credential in credentials:
        assert credential.expires_on is not None
        days = threshold_for((credential.expires_on - today).days)
        if days is not None:
            due.append((credential, days))
    return due


def _already_made(due: list[tuple[Credential, int]]) -> set[tuple[int, int, date]]:
    if not due:
        return set()
    rows = db.session.execute(
        select(
            CredentialReminder.credential_id,
            CredentialReminder.threshold,
            CredentialReminder.expires_on,
        ).where(CredentialReminder.credential_id.in_({c.id for c, _ in due}))
    ).all()
    return {(cid, threshold, expires) for cid, threshold, expires in rows}


def stage_credential_reminders(today: date | None = None) -> int:
    """Make the reminders that are due and commit; the count of reminders made.

    Each (credential, threshold, expiry date) is reminded once (a CredentialReminder row), so
    re-running the scan sends nothing new, and a renewed credential starts afresh.
    """
    today = today or utcnow().date()
    due = _due(today)
    made_before = _already_made(due)
    made: list[CredentialReminder] = []
    for credential, days in due:
        assert credential.expires_on is not None
        if (credential.id, days, credential.expires_on) in made_before:
            continue
        reminder = CredentialReminder(
            credential_id=credential.id, threshold=days, expires_on=credential.expires_on
        )
        db.session.add(reminder)
        made.append(reminder)
        key = f"credential-expiring:{credential.id}:{days}:{credential.expires_on.isoformat()}"
        context = {
            **notifications.credential_context(credential),
            "days": days,
            "profile_url": notifications.link("/me"),
        }
        notifications.email_user(credential.candidate.user, "credential_expiring", context, key)
    if made:
        db.session.flush()
        # Keyed on this scan's first reminder: each scan that made reminders has one summary.
        notifications.tell_staff(
            "credential_reminders",
            f"credential-reminders:{made[0].id}",
            reminder_ids=[r.id for r in made],
            day=today.isoformat(),
        )
    db.session.commit()
    return len(made)
