"""The candidate page (profile, applications, notes and their timeline) and the audit log:
what happened to whom, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    Candidate,
    Note,
    Opening,
    Stage,
    StageChange,
    User,
)
from agency.models.candidates import profile_loaded
from agency.services.like import ESCAPE, contains


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    body: str = ""
    kind: str = ""


def load_candidate(candidate_id: int) -> Candidate | None:
    return db.session.execute(
        select(Candidate)
        .options(
            joinedload(Candidate.user),
            *profile_loaded(),
        )
        .where(Candidate.id == candidate_id)
    ).scalar_one_or_none()


def candidate_applications(candidate_id: int) -> list[Application]:
    return list(
        db.session.execute(
            select(Application)
            .options(
                joinedload(Application.opening).joinedload(Opening.clinic),
                selectinload(Application.history).joinedload(StageChange.actor),
            )
            .where(Application.candidate_id == candidate_id)
            .order_by(Application.updated_at.desc())
        ).scalars()
    )


def candidate_notes(candidate_id: int) -> list[Note]:
    return list(
        db.session.execute(
            select(Note)
            .options(joinedload(Note.author))
            .where(
                or_(
                    Note.candidate_id == candidate_id,
                    # A list, not a subquery: PostgreSQL then ORs two index scans instead of
                    # reading every note.
                    Note.application_id.in_(
                        db.session.execute(
                            select(Application.id).where(Application.candidate_id == candidate_id)
                        )
                        .scalars()
                        .all()
                    ),
                )
            )
            .order_by(Note.created_at.desc())
        ).scalars()
    )


def users_by_id(ids: set[int | None]) -> dict[int, User]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(wanted))).scalars()}


def candidate_timeline(
    candidate: Candidate, applications: list[Application], notes: list[Note]
) -> list[TimelineEntry]:
    """Profile created, stage changes, notes and credential checks, newest first."""
    entries = [TimelineEntry(candidate.created_at, "Profile created", kind="muted")]
    for app in applications:
        for change in app.history:
            who = change.actor.email if change.actor else "the candidate"
            title = f"{app.opening.title}: {change.to_stage.replace('_', ' ')}"
            body = f"by {who}" + (f" — {change.reason}" if change.reason else "")
            kind = (
                "success"
                if change.to_stage == Stage.PLACED
                else "danger"
                if change.to_stage == Stage.REJECTED
                else ""
            )
            entries.append(TimelineEntry(change.created_at, title, body, kind))
    for note in notes:
        who = note.author.email if note.author else "someone"
        entries.append(TimelineEntry(note.created_at, f"Note by {who}", note.body, "muted"))
    verifiers = users_by_id({c.verified_by_id for c in candidate.credentials})
    for cred in candidate.credentials:
        if cred.verified_at:
            verifier = verifiers.get(cred.verified_by_id or 0)
            entries.append(
                TimelineEntry(
                    cred.verified_at,
                    f"{cred.credential_type.code} {cred.verification_status}",
                    f"by {verifier.email}" if verifier else "",
                    "success" if cred.verification_status == "verified" else "danger",
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def openings_by_id(ids: list[int]) -> dict[int, Opening]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Opening).options(joinedload(Opening.clinic)).where(Opening.id.in_(ids))
    ).scalars()
    return {o.id: o for o in rows}


# ---------- Audit log ----------


def audit_page(
    action: str, actor: str, page: int, per_page: int = 50, candidate_id: int | None = None
) -> Any:
    query = audit_query(action, actor, candidate_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def audit_query(action: str, actor: str, candidate_id: int | None = None) -> Any:
    """Audit events, newest first, filtered as the audit page's form says (and its export)."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if candidate_id is not None:
        query = query.where(AuditEvent.candidate_id == candidate_id)
    if actor:
        query = query.where(
            AuditEvent.actor_id.in_(
                select(User.id).where(func.lower(User.email).like(contains(actor.lower()), ESCAPE))
            )
        )
    return query


def audit_actions() -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        ).scalars()
    )
