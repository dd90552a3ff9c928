"""The staff workspace's other lists: the pipeline board, an application's notes, an opening's
placements, a person's applications, the openings and people of a batch fill, clinics to
approve and the approved ones staff may type a job order for, staff accounts, the
outbox."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    Clinic,
    Note,
    Opening,
    OutboxMessage,
    OutboxStatus,
    Role,
    Stage,
    User,
)

# ---------- Pipeline board and one application ----------


def stage_counts() -> dict[str, int]:
    """How many applications are at each stage."""
    return dict(
        db.session.execute(
            select(Application.stage, func.count(Application.id)).group_by(Application.stage)
        ).all()
    )


def pipeline_page(stage: str, page: int, per_page: int = 30) -> Any:
    """Applications (at `stage`, or all), last changed first, as a Flask-SQLAlchemy page."""
    query = (
        select(Application)
        .options(
            joinedload(Application.candidate),
            joinedload(Application.opening).joinedload(Opening.clinic),
        )
        .order_by(Application.updated_at.desc(), Application.id.desc())
    )
    if stage:
        query = query.where(Application.stage == stage)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def application_notes(application_id: int) -> list[Note]:
    """The application's notes with their authors, newest first."""
    query = (
        select(Note)
        .options(joinedload(Note.author))
        .where(Note.application_id == application_id)
        .order_by(Note.created_at.desc())
    )
    return list(db.session.execute(query).scalars())


def placements(opening_id: int) -> list[Application]:
    """The opening's placed applications with their candidates (its rate pairs page)."""
    return list(
        db.session.execute(
            select(Application)
            .options(joinedload(Application.candidate))
            .where(Application.opening_id == opening_id, Application.stage == Stage.PLACED)
            .order_by(Application.id)
        ).scalars()
    )


def applied_openings(candidate_id: int) -> list[tuple[int, str]]:
    """(id, title) of the openings the candidate is in the pipeline for, by title."""
    return [
        (opening_id, title)
        for opening_id, title in db.session.execute(
            select(Opening.id, Opening.title)
            .join(Application, Application.opening_id == Opening.id)
            .where(Application.candidate_id == candidate_id)
            .order_by(Opening.title)
        )
    ]


# ---------- Batch fill and bulk review ----------


def openings_by_start(ids: list[int]) -> list[Opening]:
    """These openings with their clinics, by start date."""
    return list(
        db.session.execute(
            select(Opening)
            .options(joinedload(Opening.clinic))
            .where(Opening.id.in_(ids))
            .order_by(Opening.start_date, Opening.id)
        ).scalars()
    )


def candidates_by_id(ids: Iterable[int]) -> dict[int, Candidate]:
    wanted = list(ids)
    if not wanted:
        return {}
    found = db.session.execute(select(Candidate).where(Candidate.id.in_(wanted))).scalars()
    return {c.id: c for c in found}


# ---------- Admin lists ----------


def clinics_page(approved: bool, page: int, per_page: int = 30) -> Any:
    query = (
        select(Clinic)
        .where(Clinic.approved.is_(approved))
        .order_by(Clinic.created_at.desc(), Clinic.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def approved_clinics() -> list[Clinic]:
    """The clinics a job order typed in by staff (or an import of openings) may be for."""
    return list(
        db.session.execute(
            select(Clinic).where(Clinic.approved.is_(True)).order_by(Clinic.name, Clinic.id)
        ).scalars()
    )


def staff_accounts_page(page: int, per_page: int = 50) -> Any:
    query = (
        select(User)
        .where(User.role.in_([Role.STAFF, Role.ADMIN]))
        .order_by(User.active.desc(), User.email)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# ---------- Outbox ----------

OUTBOX_FILTERS: dict[str, ColumnElement[bool]] = {
    "failing": (OutboxMessage.status == OutboxStatus.DEAD)
    | ((OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.attempts > 0)),
    "dead": OutboxMessage.status == OutboxStatus.DEAD,
    "pending": OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
    "sent": OutboxMessage.status == OutboxStatus.SENT,
}


def outbox_page(shown: str, page: int, per_page: int = 50) -> Any:
    """The outbox messages of one filter (a key of OUTBOX_FILTERS), newest first."""
    query = select(OutboxMessage).where(OUTBOX_FILTERS[shown]).order_by(OutboxMessage.id.desc())
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)


def candidate_ids_by_email(addresses: Iterable[str]) -> list[int]:
    """The candidates whose login is one of these (lower-case) addresses."""
    wanted = sorted(set(addresses))
    if not wanted:
        return []
    return list(
        db.session.execute(
            select(Candidate.id)
            .join(User, User.id == Candidate.user_id)
            .where(User.email.in_(wanted))  # stored lower-case (normalise_email)
        ).scalars()
    )
