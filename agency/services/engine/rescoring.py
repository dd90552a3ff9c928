"""Match rows: the engine's stored proposals, written by the rescore jobs and an application.

`Opening.scored_at` records when a full rescore last read the opening: the review page trusts
the rows only when that is later than the opening's last change.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, cast

import numpy as np
from sqlalchemy import Table, Text, delete, select, update
from sqlalchemy import cast as cast_
from sqlalchemy.engine import Engine as DatabaseEngine

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
    collector_paused,
    load_opening_specs,
    load_profile,
    load_profiles,
    opening_query,
    opening_spec,
)
from matching.constraints import failed_constraints
from matching.features import COMPONENTS, OpeningSpec
from matching.ranking import CandidatePool, rank, score_rows, top_k
from matching.scorer import (
    MatchExplanation,
    applicable_parts,
    component_values,
    contributions_from_components,
)
from matching.similarity import TextSpace

if TYPE_CHECKING:
    from agency.services.engine import Engine

# How many of the best candidates per opening are kept as Match rows (plus every applicant).
STORED_MATCHES_PER_OPENING = 100
# Openings written together by rescore_all: one delete, one bulk insert (and on SQLite one read
# of the stored rows and one update) and one commit per batch.
RESCORE_BATCH = 64

# Below this many candidate-opening pairs rescore_all computes in this process: forking the
# workers (a page-table copy of the pool) only pays for itself on the big nightly rescore.
PARALLEL_MIN_PAIRS = 5_000_000
# How many workers to fork; None: one per core (the parent's writing overlaps them).
RESCORE_PROCESSES: int | None = None

# The table itself: Match rows are written in bulk, without the ORM's unit of work.
MATCHES = cast(Table, Match.__table__)


def match_row(
    candidate_id: int,
    opening_id: int,
    expl: MatchExplanation,
    computed_at: datetime | None = None,
) -> dict[str, object]:
    return _row(
        candidate_id,
        opening_id,
        expl.score,
        expl.eligible,
        expl.components,
        expl.failed_constraints,
        expl.model_version,
        computed_at or utcnow(),
    )


def _row(
    candidate_id: int,
    opening_id: int,
    score: float,
    eligible: bool,
    components: dict[str, float],
    failed: list[str],
    version: str,
    computed_at: datetime,
) -> dict[str, object]:
    return {
        "candidate_id": candidate_id,
        "opening_id": opening_id,
        "score": round(min(max(score, 0.0), 100.0), 3),
        "eligible": eligible,
        "components": {k: round(v, 4) for k, v in components.items()},
        "failed_constraints": failed,
        "model_version": version,
        "computed_at": computed_at,
    }


def top_rows(
    engine: Engine, spec: OpeningSpec, pool: CandidatePool, k: int, computed_at: datetime
) -> dict[int, dict[str, object]]:
    """The opening's top k as Match rows: the candidates and numbers `rank` gives (a test holds
    them equal), without the words a Match row does not keep (strengths, gaps, summary), which
    were most of the time of explaining 100 candidates per opening."""
    scored = score_rows(spec, pool, k, engine.scorer)
    best = top_k(scored.order_keys(), k)
    rows = scored.rows[best]
    q = scored.query
    miles = None if scored.miles is None else scored.miles[best]
    values = component_values(
        pool.store, rows, q, scored.text_cosine[best], pool.layout, miles=miles
    )
    points = contributions_from_components(values, np.array([q.weights[c] for c in COMPONENTS]))
    version = engine.scorer.model_version
    out: dict[int, dict[str, object]] = {}
    parts = applicable_parts(~np.isnan(values), values.tolist(), points.tolist())
    for cid, row, ok, (components, contributions) in zip(
        pool.ids[rows].tolist(), rows.tolist(), scored.eligible[best].tolist(), parts, strict=True
    ):
        # As MatchScorer.explain_rows adds them up.
        score = sum(contributions.values())
        failed = [] if ok else failed_constraints(pool.store, row, q, pool.layout)
        out[cid] = _row(cid, spec.id, score, not failed, components, failed, version, computed_at)
    return out


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
    applicant_ids = list(
        db.session.execute(
            select(Application.candidate_id).where(Application.opening_id == opening_id)
        ).scalars()
    )
    with engine.pool() as pool:
        ranked = rank(spec, pool, k=STORED_MATCHES_PER_OPENING, scorer=engine.scorer)
        rows = {m.candidate_id: match_row(m.candidate_id, spec.id, m.explanation) for m in ranked}
        missing = [cid for cid in applicant_ids if cid not in rows]
        rows.update(_pool_applicant_rows(engine, spec, pool, missing))
        outside = [cid for cid in missing if cid not in pool]
        space = pool.text_space
    # Outside the lease: these read the database, and _drop_deleted may change the pool.
    rows.update(_outside_rows(engine, spec, space, outside))
    _drop_deleted(engine, rows)
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


def _pool_applicant_rows(
    engine: Engine, spec: OpeningSpec, pool: CandidatePool, candidate_ids: Sequence[int]
) -> dict[int, dict[str, object]]:
    """The rows of those applicants who are in the pool: no database, so a forked worker can."""
    return {
        cid: match_row(cid, spec.id, expl)
        for cid, expl in explain_rows(spec, pool, candidate_ids, engine.scorer).items()
    }


def _outside_rows(
    engine: Engine, spec: OpeningSpec, space: TextSpace, outside: Sequence[int]
) -> dict[int, dict[str, object]]:
    """Withdrawn or paused candidates who applied earlier (the pool lacks them), read from their
    rows (the database), their text in the pool's `space`."""
    if not outside:
        return {}
    rows: dict[int, dict[str, object]] = {}
    # An erased person is in no ranking, not even through an old application.
    for profile in load_profiles(
        Candidate.id.in_(list(outside)) & (Candidate.status != CandidateStatus.ERASED)
    ):
        expl = engine.scorer.explain(profile, spec, text_space=space)
        rows[profile.id] = match_row(profile.id, spec.id, expl)
    return rows


def _drop_deleted(engine: Engine, rows: dict[int, dict[str, object]]) -> None:
    """Forget candidates whose rows were deleted outright (the delta sync only sees updates)."""
    gone = _deleted(engine, set(rows))
    for cid in gone:
        del rows[cid]


def _deleted(engine: Engine, candidate_ids: set[int]) -> set[int]:
    """Those of these candidates whose rows are gone, forgotten by the pool."""
    if not candidate_ids:
        return set()
    present = set(
        db.session.execute(
            select(Candidate.id).where(Candidate.id.in_(sorted(candidate_ids)))
        ).scalars()
    )
    gone = candidate_ids - present
    if gone:
        engine.pools.forget(sorted(gone))
    return gone


@dataclass(frozen=True)
class _RescoreWork:
    """What every batch of rescore_all reads: built once, reached by forked workers through
    the module variable below (their copy of this process's memory), never pickled. `pool` is
    the one of the lease the batch is computed in (a forked worker's: the lease it was forked
    in, its own copy since)."""

    engine: Engine
    pool: CandidatePool
    specs: list[OpeningSpec]
    applicants: dict[int, list[int]]

    def batches(self) -> range:
        return range(0, len(self.specs), RESCORE_BATCH)

    def batch(self, start: int) -> list[OpeningSpec]:
        return self.specs[start : start + RESCORE_BATCH]


# Set by the parent just before it forks its workers, cleared once they are done.
_WORK: _RescoreWork | None = None
# An opening's rows from the pool alone, and those of its applicants the pool lacks.
_Computed = list[tuple[dict[int, dict[str, object]], list[int]]]


def _compute_batch(work: _RescoreWork, start: int) -> _Computed:
    """One batch's rows from the pool (no database): its top k per opening and the applicants
    in the pool, plus the applicants the pool lacks, for the parent to read."""
    at = utcnow()
    out: _Computed = []
    for spec in work.batch(start):
        by_candidate = top_rows(work.engine, spec, work.pool, STORED_MATCHES_PER_OPENING, at)
        missing = [c for c in work.applicants.get(spec.id, []) if c not in by_candidate]
        if missing:
            by_candidate.update(_pool_applicant_rows(work.engine, spec, work.pool, missing))
        out.append((by_candidate, [c for c in missing if c not in work.pool]))
    return out


def _forked_batch(start: int) -> _Computed:
    assert _WORK is not None, "set before the workers were forked"
    return _compute_batch(_WORK, start)


def _forget_connections(database: DatabaseEngine) -> None:
    """In a forked worker: drop the inherited connections without closing the parent's
    sockets (the worker never queries; multiprocessing ends it with os._exit)."""
    database.dispose(close=False)


def _workers(work: _RescoreWork, candidates: int) -> int:
    """How many processes to fork for rescore_all; 0 means compute here, one batch at a time."""
    if len(work.specs) <= RESCORE_BATCH or candidates * len(work.specs) < PARALLEL_MIN_PAIRS:
        return 0
    if _daemonic():
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(RESCORE_PROCESSES or os.cpu_count() or 1, len(work.batches()))


def _daemonic() -> bool:
    """A daemonic process may not have children. A Celery prefork child is a billiard
    process, which the standard library does not see as one: ask billiard too when loaded."""
    if multiprocessing.current_process().daemon:
        return True
    billiard = sys.modules.get("billiard.process")
    return bool(billiard is not None and billiard.current_process().daemon)


def _computed_batches(work: _RescoreWork) -> Generator[_Computed]:
    """Each batch's computed rows, in batch order: from forked workers when the work is big,
    so the parent writes one batch while they compute the next ones.

    Each batch is computed inside a lease on the pool and handed over outside it: the caller
    writes the rows and forgets deleted candidates, which a lease held across would block."""
    with work.engine.pool() as pool:
        workers = _workers(work, len(pool))
    if workers == 0:
        for start in work.batches():
            with work.engine.pool() as pool:
                computed = _compute_batch(replace(work, pool=pool), start)
            yield computed
        return
    global _WORK
    try:
        context = multiprocessing.get_context("fork")
        with work.engine.pool() as pool:
            # Forked inside the lease: each worker's copy of the arrays is a whole one.
            _WORK = replace(work, pool=pool)
            processes = context.Pool(workers, _forget_connections, (db.engine,))
        with processes:
            # A worker's exception is raised here, by the iterator, before that batch is written.
            yield from processes.imap(_forked_batch, work.batches())
    finally:
        _WORK = None


def rescore_all(engine: Engine) -> int:
    """Rescore every open opening (demo seed, CLI, a nightly job). Commits once per batch.

    One pool build, then per opening its top k scored as `rank` scores them (`top_rows`:
    constraints first, the matrix product over the eligible rows only, no words) and its
    applicants explained (in forked workers when the work is big, `_computed_batches`); each
    batch's rows checked against deletions in one query, written (PostgreSQL: the old rows
    deleted, the new COPied; SQLite: compared with the stored rows, an unchanged pair only
    gets its new computed_at, `_write_changes`) and committed.
    """
    # Hundreds of thousands of row dicts and no cycles: full collections only walked them.
    with collector_paused():
        return _rescore_all(engine)


def _rescore_all(engine: Engine) -> int:
    engine.reset()
    with engine.pool() as pool:  # built here, before the openings are read
        space = pool.text_space
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
    work = _RescoreWork(engine, pool, specs, applicants)
    stored = 0
    # Closed on the way out, so a failed write stops the workers at once.
    with closing(_computed_batches(work)) as computed_batches:
        for start, computed in zip(work.batches(), computed_batches, strict=True):
            batch = work.batch(start)
            rows: list[dict[str, object]] = []
            for spec, (by_candidate, outside) in zip(batch, computed, strict=True):
                if outside:
                    by_candidate.update(_outside_rows(engine, spec, space, outside))
                rows.extend(by_candidate.values())
            # Candidates deleted outright since the pool was built: one query per batch.
            gone = _deleted(engine, {cast(int, row["candidate_id"]) for row in rows})
            if gone:
                rows = [row for row in rows if row["candidate_id"] not in gone]
            _write_batch([s.id for s in batch], rows, read_at)
            stored += len(rows)
    return stored


def _write_batch(opening_ids: list[int], rows: list[dict[str, object]], read_at: datetime) -> None:
    """Make these openings' Match rows exactly `rows` and stamp them scored; commits."""
    _mark_scored(opening_ids, read_at)
    if db.session.connection().dialect.name == "postgresql":
        # An UPDATE of computed_at alone writes a new row version and index entries there,
        # as dear as COPY's insert (measured): delete and COPY everything.
        db.session.execute(delete(Match).where(Match.opening_id.in_(opening_ids)))
        bulk.insert_rows(Match, rows)
    else:
        _write_changes(opening_ids, rows)
    db.session.commit()


def _write_changes(opening_ids: list[int], rows: list[dict[str, object]]) -> None:
    """Turn these openings' stored rows into `rows` (SQLite), in place where the pair scores
    as before: such a row keeps its id and gets only the new computed_at, which touches the
    table alone, where deleting and inserting it rewrites the table and each of its four
    indexes. A changed pair is deleted and inserted again, a pair no longer in `rows` deleted,
    a new pair inserted: the same rows and values as deleting the openings' rows and
    inserting `rows`. The caller's write (the scored stamp) holds the database's write lock,
    so no other writer changes the rows between this read and the writes.
    """
    stored = _stored_rows(opening_ids)
    touched: list[tuple[int, object]] = []
    fresh: list[dict[str, object]] = []
    changed: list[int] = []
    for row in rows:
        old = stored.pop((cast(int, row["candidate_id"]), cast(int, row["opening_id"])), None)
        if old is None:
            fresh.append(row)
        elif old[1:] == _values(row):
            touched.append((old[0], row["computed_at"]))
        else:
            changed.append(old[0])
            fresh.append(row)
    # What is left in `stored` are the pairs no longer among the openings' rows.
    bulk.delete_ids(Match, sorted(changed + [old[0] for old in stored.values()]))
    bulk.set_column(Match, "computed_at", touched)
    bulk.insert_rows(Match, fresh)


_StoredRow = tuple[int, float, bool, str, str, str]


def _values(row: dict[str, object]) -> tuple[object, ...]:
    """A row's values as `_stored_rows` reads them back (JSON as the text the insert writes)."""
    return (
        row["score"],
        row["eligible"],
        json.dumps(row["components"]),
        json.dumps(row["failed_constraints"]),
        row["model_version"],
    )


def _stored_rows(opening_ids: list[int]) -> dict[tuple[int, int], _StoredRow]:
    """These openings' Match rows by (candidate, opening): id, then the values `_values` gives."""
    found = db.session.execute(
        select(
            Match.candidate_id,
            Match.opening_id,
            Match.id,
            Match.score,
            Match.eligible,
            cast_(Match.components, Text),
            cast_(Match.failed_constraints, Text),
            Match.model_version,
        ).where(Match.opening_id.in_(opening_ids))
    )
    return {(c, o): (i, s, e, comp, failed, v) for c, o, i, s, e, comp, failed, v in found}
