"""Read services of the candidate's own pages: the dashboard (the applications they know of,
with their Match rows, and the open openings that fit them) and one application's stored fit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.models import Application, Candidate, Match, Opening
from agency.services import pipeline
from agency.services.engine import engine
from matching.ranking import OpeningMatch


@dataclass
class Dashboard:
    applications: Any  # a Flask-SQLAlchemy page of Application
    matches: dict[int, Match]  # by opening id, for the applications shown
    fits: list[tuple[OpeningMatch, Opening]]  # openings not applied to, best first


def dashboard(candidate: Candidate, page: int, per_page: int, fitting: int) -> Dashboard:
    applications = db.paginate(
        select(Application)
        .options(
            joinedload(Application.opening).joinedload(Opening.clinic),
            selectinload(Application.history),
        )
        .where(Application.candidate_id == candidate.id, pipeline.known_to_candidate())
        .order_by(Application.created_at.desc(), Application.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    shown_ids = [a.opening_id for a in applications.items]
    matches = {
        m.opening_id: m
        for m in db.session.execute(
            select(Match).where(Match.candidate_id == candidate.id, Match.opening_id.in_(shown_ids))
        ).scalars()
    }
    applied_ids = set(
        db.session.execute(
            select(Application.opening_id).where(
                Application.candidate_id == candidate.id, pipeline.known_to_candidate()
            )
        ).scalars()
    )
    fits = [
        m
        for m in engine().openings_for(candidate, k=fitting + len(applied_ids))
        if m.opening_id not in applied_ids
    ][:fitting]
    openings = {
        o.id: o
        for o in db.session.execute(
            select(Opening)
            .options(joinedload(Opening.clinic))
            .where(Opening.id.in_([m.opening_id for m in fits]))
        ).scalars()
    }
    return Dashboard(
        applications,
        matches,
        [(m, openings[m.opening_id]) for m in fits if m.opening_id in openings],
    )


def stored_match(application: Application) -> Match | None:
    """The application's Match row (the fit as last stored), if any."""
    return db.session.execute(
        select(Match).where(
            Match.candidate_id == application.candidate_id,
            Match.opening_id == application.opening_id,
        )
    ).scalar_one_or_none()
