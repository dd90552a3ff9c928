"""The daily staff digest: new applications, openings without strong candidates, expiring
credentials and failed messages, one e-mail per staff user per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    CandidateStatus,
    Credential,
    Match,
    Opening,
    OpeningStatus,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from agency.services import notifications

LIST_LIMIT = 20
EXPIRING_DAYS = 30


def _new_applications(since: datetime) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Application, Candidate.first_name, Candidate.last_name, Opening.title)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Application.created_at >= since)
        .order_by(Application.created_at.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [
        {"candidate": f"{first} {last}".strip(), "opening": title, "stage": app.stage}
        for app, first, last, title in rows
    ]


def _openings_without_strong() -> list[dict[str, Any]]:
    strong = select(Match.opening_id).where(
        Match.eligible.is_(True), Match.score >= notifications.STRONG_MATCH
    )
    rows = db.session.execute(
        select(Opening.id, Opening.title)
        .where(Opening.status == OpeningStatus.OPEN.value, Opening.id.not_in(strong))
        .order_by(Opening.posted_at)
        .limit(LIST_LIMIT)
    ).all()
    return [{"id": oid, "title": title} for oid, title in rows]


def _expiring_credentials(today: date) -> int:
    return int(
        db.session.scalar(
            select(func.count(Credential.id))
            .join(Candidate, Candidate.id == Credential.candidate_id)
            .where(
                Credential.expires_on > today,
                Credential.expires_on <= today + timedelta(days=EXPIRING_DAYS),
                Candidate.status != CandidateStatus.ERASED.value,
            )
        )
        or 0
    )


def _failed_messages() -> int:
    failing = (OutboxMessage.status == OutboxStatus.DEAD.value) | (
        (OutboxMessage.status == OutboxStatus.PENDING.value) & (OutboxMessage.attempts > 0)
    )
    return int(db.session.scalar(select(func.count(OutboxMessage.id)).where(failing)) or 0)


def digest_context(day: date) -> dict[str, Any]:
    """What the digest for the 24 hours before `day` 00:00 UTC says."""
    until = datetime.combine(day, time(0), tzinfo=UTC)
    applications = _new_applications(until - timedelta(days=1))
    return {
        "day": day.isoformat(),
        "new_applications": applications,
        "openings_without_strong": _openings_without_strong(),
        "expiring_credentials": _expiring_credentials(day),
        "failed_messages": _failed_messages(),
        "staff_url": notifications.link("/staff/"),
        "outbox_url": notifications.link("/staff/outbox"),
    }


def stage_daily_digest(day: date | None = None) -> int:
    """Stage today's digest for every staff user who wants mail, once per day; commits."""
    day = day or utcnow().date()
    context = digest_context(day)
    count = sum(
        notifications.email_user(user, "staff_digest", context, f"digest:{day.isoformat()}")
        is not None
        for user in notifications.active_staff()
    )
    db.session.commit()
    return count
