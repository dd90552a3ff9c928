"""The daily staff digest: the day's pipeline activity by kind (new applications apart from
staff's own moves), openings without strong candidates, expiring credentials and failed
messages, one e-mail per staff user per day."""

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
    Role,
    Stage,
    StageChange,
    User,
    utcnow,
)
from agency.services import notifications

LIST_LIMIT = 20
EXPIRING_DAYS = 30


# Each kind of pipeline move, labeled by who made it, in the digest's order.
ACTIVITY_LABELS = {
    "applied": "New applications (the candidate applied)",
    "sourced": "Added from the ranking by staff",
    "shortlisted": "Shortlisted by staff",
    "submitted": "Submitted to clinics",
    "interview": "Interviews requested by clinics",
    "offered": "Offers made by clinics",
    "placed": "Placements",
    "rejected_by_clinic": "Declined by clinics",
    "rejected_by_staff": "Rejected by staff",
    "withdrawn_by_candidate": "Withdrawn by the candidate",
    "withdrawn_by_staff": "Withdrawn by staff",
}
BY_ROLE: dict[str, str] = {Role.CLINIC: "clinic", Role.CANDIDATE: "candidate"}


def activity_kind(to_stage: str, actor_role: str | None) -> str:
    """What kind of move this was: rejections and withdrawals say whose they were."""
    if to_stage in (Stage.REJECTED, Stage.WITHDRAWN):
        return f"{to_stage}_by_{BY_ROLE.get(actor_role or '', 'staff')}"
    return to_stage


def _activity(since: datetime, until: datetime) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            StageChange.to_stage,
            User.role,
            Candidate.first_name,
            Candidate.last_name,
            Opening.title,
        )
        .join(Application, Application.id == StageChange.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .outerjoin(User, User.id == StageChange.actor_id)
        .where(StageChange.created_at >= since, StageChange.created_at < until)
        .order_by(StageChange.created_at.desc(), StageChange.id.desc())
    ).all()
    kinds: dict[str, dict[str, Any]] = {}
    for to_stage, role, first, last, title in rows:
        kind = activity_kind(to_stage, role)
        entry = kinds.setdefault(
            kind, {"kind": kind, "label": ACTIVITY_LABELS.get(kind, kind), "count": 0, "items": []}
        )
        entry["count"] += 1
        if len(entry["items"]) < LIST_LIMIT:
            entry["items"].append({"candidate": f"{first} {last}".strip(), "opening": title})
    order = list(ACTIVITY_LABELS)
    return sorted(
        kinds.values(), key=lambda e: order.index(e["kind"]) if e["kind"] in order else 99
    )


def _openings_without_strong() -> list[dict[str, Any]]:
    strong = select(Match.opening_id).where(
        Match.eligible.is_(True), Match.score >= notifications.STRONG_MATCH
    )
    rows = db.session.execute(
        select(Opening.id, Opening.title)
        .where(Opening.status == OpeningStatus.OPEN, Opening.id.not_in(strong))
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
                Candidate.status != CandidateStatus.ERASED,
            )
        )
        or 0
    )


def _failed_messages() -> int:
    failing = (OutboxMessage.status == OutboxStatus.DEAD) | (
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.attempts > 0)
    )
    return int(db.session.scalar(select(func.count(OutboxMessage.id)).where(failing)) or 0)


def digest_context(day: date) -> dict[str, Any]:
    """What the digest for the 24 hours before `day` 00:00 UTC says."""
    until = datetime.combine(day, time(0), tzinfo=UTC)
    activity = _activity(until - timedelta(days=1), until)
    applied = next((a for a in activity if a["kind"] == "applied"), None)
    return {
        "day": day.isoformat(),
        "activity": activity,
        "new_applications": applied["items"] if applied else [],
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
