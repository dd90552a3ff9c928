"""The ranked review of an opening: the engine's proposals plus every applicant, as rows a
reviewer filters; and the opening's notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    Note,
    Opening,
)
from agency.models.openings import opening_with_requirements


@dataclass
class ReviewFilters:
    eligible_only: bool = False
    near_misses: bool = False  # rank the ineligible of the pool too
    applied_only: bool = False
    max_miles: float | None = None
    stage: str = ""  # a Stage value, "none" (not in the pipeline) or "" (any)


@dataclass(frozen=True)
class ReviewPerson:
    """What a review row shows of a candidate. Plain columns, not Candidate objects: the ORM
    set up 15 deferred attributes on each of the 25 rows it never read."""

    id: int
    first_name: str
    last_name: str
    years_experience: float
    zip_code: str
    lat: float | None
    lon: float | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class ReviewRow:
    rank: int
    candidate: ReviewPerson
    application: Application | None
    score: float
    eligible: bool
    explanation: Any
    miles: float | None


def load_opening(opening_id: int) -> Opening | None:
    return opening_with_requirements(Opening.id == opening_id)


def opening_review(opening: Opening, k: int, f: ReviewFilters) -> tuple[list[ReviewRow], int]:
    """The engine's top k eligible candidates of the pool (of the whole pool, eligible or not,
    with `near_misses`) plus every applicant outside that top k, filtered; and the number before
    filtering."""
    from agency.services.engine import engine
    from matching.geo import miles_between

    # The workers keep each opening's proposals as Match rows: read those when they are current
    # (ranking 100,000 candidates live on every view is what the rescore jobs are for).
    stored = None if f.near_misses else engine().stored_ranking(opening, k)
    ranked = (
        stored
        if stored is not None
        else engine().rank(opening, k=k, include_ineligible=f.near_misses)
    )
    applications = {
        a.candidate_id: a
        for a in db.session.execute(
            select(Application).where(Application.opening_id == opening.id)
        ).scalars()
    }
    scored: dict[int, tuple[float, bool, Any]] = {
        m.candidate_id: (m.score, m.eligible, m.explanation) for m in ranked
    }
    missing = [cid for cid in applications if cid not in scored]
    if missing:
        # Applicants outside the top k: explained from the pool's own rows (no reload).
        for cid, expl in engine().explain_in_pool(opening, missing).items():
            scored[cid] = (expl.score, expl.eligible, expl)
    people = (
        {
            row.id: ReviewPerson(*row)
            for row in db.session.execute(
                # What a row shows: not the resume or the JSON lists (half the load time).
                select(
                    Candidate.id,
                    Candidate.first_name,
                    Candidate.last_name,
                    Candidate.years_experience,
                    Candidate.zip_code,
                    Candidate.lat,
                    Candidate.lon,
                ).where(Candidate.id.in_(list(scored)))
            )
        }
        if scored
        else {}
    )
    clinic = opening.clinic
    # Eligible candidates first, always: an ineligible one never sits above an eligible one,
    # whatever the scores (applicants and near misses included).
    order = sorted(scored.items(), key=lambda kv: (not kv[1][1], -kv[1][0], kv[0]))
    rows: list[ReviewRow] = []
    for position, (cid, (score, ok, expl)) in enumerate(order, start=1):
        cand = people.get(cid)
        if cand is None:
            continue
        miles = None
        if (
            clinic
            and clinic.lat is not None
            and clinic.lon is not None
            and cand.lat is not None
            and cand.lon is not None
        ):
            miles = miles_between(cand.lat, cand.lon, clinic.lat, clinic.lon)
        rows.append(ReviewRow(position, cand, applications.get(cid), score, ok, expl, miles))
    total = len(rows)
    if f.eligible_only:
        rows = [r for r in rows if r.eligible]
    if f.applied_only:
        rows = [r for r in rows if r.application is not None]
    if f.max_miles is not None:
        rows = [r for r in rows if r.miles is not None and r.miles <= f.max_miles]
    if f.stage == "none":
        rows = [r for r in rows if r.application is None]
    elif f.stage:
        rows = [r for r in rows if r.application is not None and r.application.stage == f.stage]
    return rows, total


def opening_notes(opening_id: int) -> list[Note]:
    """The opening's newest 50 notes with their authors."""
    query = (
        select(Note)
        .options(joinedload(Note.author))
        .where(Note.opening_id == opening_id)
        .order_by(Note.created_at.desc())
        .limit(50)
    )
    return list(db.session.execute(query).scalars())
