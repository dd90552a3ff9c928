"""Match rows: the engine's stored proposals, written by the rescore jobs and an application.

`Opening.scored_at` records when a full rescore last read the opening: the review page trusts
the rows only when that is later than the opening's last change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, delete, select, update

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    CandidateStatus,
    Match,
    Opening,
    OpeningStatus,
    utcnow,
)
from agency.services import bulk
from agency.services.engine.explaining import explain_rows
from agency.services.engine.pool import (
    load_opening_specs,
    load_profile,
    load_profiles,
    opening_query,
    opening_spec,
)
from matching.features import OpeningSpec
from matching.ranking import CandidatePool, RankedMatch, rank
from matching.scorer import MatchExplanation

if TYPE_CHECKING:
    from agency.services.engine import Engine

# How many of the best candidates per opening are kept as Match rows (plus every applicant).
STORED_MATCHES_PER_OPENING = 100
# Openings written together by rescore_all: one delete, one bulk insert and one commit per batch.
RESCORE_BATCH = 64

# The table itself: Match rows are written in bulk, without the ORM's unit of work.
MATCHES = cast(Table, Match.__table__)


def match_row(candidate_id: int, opening_id: int, expl: MatchExplanation) -> dict[str, object]:
    return {
        "candidate_id": candidate_id,
        "opening_id": opening_id,
        "score": round(min(max(expl.score, 0.0), 100.0), 3),
        "eligible": expl.eligible,
        "components": {k: round(v, 4) for k, v in expl.components.items()},
        "failed_constraints": expl.failed_constraints,
        "model_version": expl.model_version,
        "computed_at": utcnow(),
    }


def save_match(candidate_id: int, opening_id: int, expl: MatchExplanation) -> None:
    """Replace the pair's Match row (in the caller's transaction)."""
    db.session.execute(
        delete(Match).where(Match.candidate_id == candidate_id, Match.opening_id == opening_id)
    )
    db.session.add(Match(**match_row(candidate_id, opening_id, expl)))


def _mark_scored(opening_ids: list[int], read_at: datetime) -> None:
    # updated_at means "last changed by a person": keep it (its onupdate would bump it here).
    db.session.execute(
        update(Opening)
        .where(Opening.id.in_(opening_ids))
        .values(scored_at=read_at, updated_at=Opening.updated_at)
        .execution_options(synchronize_session=False)
    )


def rescore_opening(engine: Engine, opening_id: int) -> int:
    """Recompute the opening's Match rows (top candidates plus every applicant). Commits."""
    opening = db.session.execute(
        opening_query().where(Opening.id == opening_id)
    ).scalar_one_or_none()
    if opening is None:
        return 0
    db.session.execute(delete(Match).where(Match.opening_id == opening_id))
    if opening.status != OpeningStatus.OPEN:
        db.session.commit()
        return 0
    # Stamped with the time the opening was read: an edit while this runs leaves it stale.
    _mark_scored([opening_id], utcnow())
    spec = opening_spec(opening)
    pool = engine.pool()
    ranked = rank(spec, pool, k=STORED_MATCHES_PER_OPENING, scorer=engine.scorer)
    applicant_ids = db.session.execute(
        select(Application.candidate_id).where(Application.opening_id == opening_id)
    ).scalars()
    rows = _opening_rows(engine, spec, ranked, list(applicant_ids), pool)
    if rows:
        db.session.execute(MATCHES.insert(), list(rows.values()))
    db.session.commit()
    return len(rows)


def rescore_candidate(engine: Engine, candidate_id: int) -> int:
    """Recompute this candidate's Match rows against every open opening. Commits."""
    engine.refresh_candidate(candidate_id)
    status = db.session.execute(
        select(Candidate.status).where(Candidate.id == candidate_id)
    ).scalar_one_or_none()
    db.session.execute(delete(Match).where(Match.candidate_id == candidate_id))
    profile = load_profile(candidate_id)
    if profile is None or status != CandidateStatus.ACTIVE:
        db.session.commit()
        return 0
    space = engine.text_space()
    rows = [
        match_row(candidate_id, spec.id, engine.scorer.explain(profile, spec, text_space=space))
        for spec in load_opening_specs()
    ]
    if rows:
        db.session.execute(MATCHES.insert(), rows)
    db.session.commit()
    return len(rows)


def _opening_rows(
    engine: Engine,
    spec: OpeningSpec,
    ranked: Sequence[RankedMatch],
    applicant_ids: Sequence[int],
    pool: CandidatePool,
) -> dict[int, dict[str, object]]:
    """An opening's Match rows: its ranked top plus every applicant, minus deleted candidates."""
    rows = {m.candidate_id: match_row(m.candidate_id, spec.id, m.explanation) for m in ranked}
    missing = [cid for cid in applicant_ids if cid not in rows]
    if missing:
        rows.update(_applicant_rows(engine, spec, pool, missing))
    _drop_deleted(engine, rows)
    return rows


def _applicant_rows(
    engine: Engine, spec: OpeningSpec, pool: CandidatePool, candidate_ids: Sequence[int]
) -> dict[int, dict[str, object]]:
    """Match rows for applicants outside the top k, explained from the pool's own rows."""
    rows: dict[int, dict[str, object]] = {
        cid: match_row(cid, spec.id, expl)
        for cid, expl in explain_rows(spec, pool, candidate_ids, engine.scorer).items()
    }
    outside = [cid for cid in candidate_ids if cid not in pool]
    if outside:  # withdrawn or paused candidates who applied earlier: read them from the rows
        # An erased person is in no ranking, not even through an old application.
        for profile in load_profiles(
            Candidate.id.in_(outside) & (Candidate.status != CandidateStatus.ERASED)
        ):
            expl = engine.scorer.explain(profile, spec, text_space=pool.text_space)
            rows[profile.id] = match_row(profile.id, spec.id, expl)
    return rows


def _drop_deleted(engine: Engine, rows: dict[int, dict[str, object]]) -> None:
    """Forget candidates whose rows were deleted outright (the delta sync only sees updates)."""
    if not rows:
        return
    present = set(
        db.session.execute(select(Candidate.id).where(Candidate.id.in_(list(rows)))).scalars()
    )
    gone = [c for c in rows if c not in present]
    for cid in gone:
        del rows[cid]
    if gone:
        engine.pools.forget(gone)


def rescore_all(engine: Engine) -> int:
    """Rescore every open opening (demo seed, CLI, a nightly job). Commits once per batch.

    One pool build, then `rank` per opening (constraints first, the matrix product over the
    eligible rows only) instead of a `rescore_opening` per opening.
    """
    engine.reset()
    pool = engine.pool()
    read_at = utcnow()
    specs = load_opening_specs()
    db.session.commit()
    applicants: dict[int, list[int]] = {}
    for oid, cid in db.session.execute(
        select(Application.opening_id, Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Opening.status == OpeningStatus.OPEN)
    ):
        applicants.setdefault(oid, []).append(cid)
    stored = 0
    for start in range(0, len(specs), RESCORE_BATCH):
        batch = specs[start : start + RESCORE_BATCH]
        rows: list[dict[str, object]] = []
        for spec in batch:
            ranked = rank(spec, pool, k=STORED_MATCHES_PER_OPENING, scorer=engine.scorer)
            by_candidate = _opening_rows(engine, spec, ranked, applicants.get(spec.id, []), pool)
            rows.extend(by_candidate.values())
        batch_ids = [s.id for s in batch]
        db.session.execute(delete(Match).where(Match.opening_id.in_(batch_ids)))
        bulk.insert_rows(Match, rows)
        _mark_scored(batch_ids, read_at)
        db.session.commit()
        stored += len(rows)
    return stored
