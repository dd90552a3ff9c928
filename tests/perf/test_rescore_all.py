"""The bulk rescore (seed, CLI) stores what rescoring each opening alone would, and survives
candidates deleted outright behind the cached pool's back."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from agency.extensions import db
from agency.models import Application, Candidate, CandidateStatus, Match, Opening, utcnow
from agency.services.engine import engine, rescoring


def _stored() -> set[tuple[int, int, float]]:
    return {
        (c, o, round(s, 2))
        for c, o, s in db.session.execute(select(Match.candidate_id, Match.opening_id, Match.score))
    }


def test_rescore_all_matches_rescoring_each_opening(
    app: Any, taxonomy: Any, make_candidate: Any, make_opening: Any
) -> None:
    openings = [make_opening(title=f"Medical Receptionist {i}") for i in range(3)]
    people = [make_candidate(first_name=f"P{i}") for i in range(6)]
    db.session.add(
        Application(
            candidate_id=people[0].id, opening_id=openings[1].id, source="applied", stage="applied"
        )
    )
    db.session.commit()
    stored = engine().rescore_all()
    bulk = _stored()
    assert stored == len(bulk) and bulk
    assert any(c == people[0].id and o == openings[1].id for c, o, _ in bulk)
    for opening in openings:
        engine().rescore_opening(opening.id)
    assert _stored() == bulk


def test_rescore_skips_candidates_deleted_outright(
    app: Any, taxonomy: Any, make_candidate: Any, make_opening: Any
) -> None:
    opening = make_opening()
    people = [make_candidate(first_name=f"D{i}") for i in range(3)]
    with engine().pool():  # built before the deletion below
        pass
    db.session.commit()
    gone = people[0].id
    db.session.execute(delete(Candidate).where(Candidate.id == gone))
    db.session.commit()
    engine().rescore_opening(opening.id)
    kept = {c for c, _, _ in _stored()}
    assert kept, "the factory candidates should rank for the factory opening"
    assert gone not in kept
    with engine().pool() as pool:
        assert gone not in pool


def _rows() -> set[tuple[Any, ...]]:
    """Every stored Match row but its timestamp (the parallel and one-process runs differ)."""
    return {
        (
            m.candidate_id,
            m.opening_id,
            m.score,
            m.eligible,
            json.dumps(m.components, sort_keys=True),
            tuple(m.failed_constraints),
            m.model_version,
        )
        for m in db.session.execute(select(Match)).scalars()
    }


def _small_batches(monkeypatch: Any, parallel: bool) -> None:
    """Batches of two openings, a top 2 (so applicants fall outside it), forked or not."""
    monkeypatch.setattr(rescoring, "RESCORE_BATCH", 2)
    monkeypatch.setattr(rescoring, "STORED_MATCHES_PER_OPENING", 2)
    monkeypatch.setattr(rescoring, "PARALLEL_MIN_PAIRS", 0 if parallel else sys.maxsize)


@pytest.fixture
def openings(
    app: Any, taxonomy: Any, make_candidate: Any, make_opening: Any, make_application: Any
) -> list[Any]:
    """Five openings (three batches of two) with applicants outside the top 2 and the pool."""
    found = [make_opening(title=f"Medical Receptionist {i}") for i in range(5)]
    people = [make_candidate(first_name=f"P{i}", typing_wpm=40 + 5 * i) for i in range(6)]
    # An applicant the pool lacks (inactive since applying) and one outside every top 2.
    inactive = make_candidate(first_name="Gone", status=CandidateStatus.INACTIVE)
    make_application(inactive, found[3])
    make_application(people[0], found[4])
    return found


@pytest.fixture
def computed_in(monkeypatch: Any, tmp_path: Path) -> Path:
    """A file each batch appends the id of the process that computed it to."""
    log = tmp_path / "pids"
    compute = rescoring._compute_batch

    def logged(work: Any, start: int) -> Any:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return compute(work, start)

    monkeypatch.setattr(rescoring, "_compute_batch", logged)
    return log


def test_forked_workers_store_exactly_the_rows_of_one_process(
    openings: list[Any], computed_in: Path, monkeypatch: Any
) -> None:
    _small_batches(monkeypatch, parallel=True)
    stored = engine().rescore_all()
    forked = _rows()
    pids = computed_in.read_text().split()
    assert len(pids) == 3 and str(os.getpid()) not in pids
    _small_batches(monkeypatch, parallel=False)
    assert engine().rescore_all() == stored == len(forked)
    assert _rows() == forked
    assert computed_in.read_text().split()[3:] == [str(os.getpid())] * 3


def test_a_workers_error_reaches_the_caller_after_the_earlier_batches(
    openings: list[Any], monkeypatch: Any
) -> None:
    _small_batches(monkeypatch, parallel=True)
    parent = os.getpid()
    compute = rescoring._compute_batch

    def failing(work: Any, start: int) -> Any:
        if start > 0 and os.getpid() != parent:
            raise ValueError(f"batch {start} failed in a worker")
        return compute(work, start)

    monkeypatch.setattr(rescoring, "_compute_batch", failing)
    with pytest.raises(ValueError, match="batch 2 failed in a worker"):
        engine().rescore_all()
    db.session.rollback()
    written = {o for _, o, _ in _stored()}
    assert written == {openings[0].id, openings[1].id}  # the first batch, committed before
    scored = db.session.execute(select(Opening.id).where(Opening.scored_at.is_not(None)))
    assert set(scored.scalars()) == written


def test_a_daemonic_process_rescores_without_forking(
    openings: list[Any], computed_in: Path, monkeypatch: Any
) -> None:
    _small_batches(monkeypatch, parallel=True)
    # As in a Celery prefork child, which may not have children of its own.
    monkeypatch.setitem(multiprocessing.current_process()._config, "daemon", True)
    assert engine().rescore_all() > 0
    assert computed_in.read_text().split() == [str(os.getpid())] * 3


def test_a_celery_prefork_child_rescores_without_forking(
    openings: list[Any], computed_in: Path, monkeypatch: Any
) -> None:
    # A Celery prefork child is a billiard process: the standard library's current_process
    # does not say it is daemonic, billiard's does.
    import billiard.process

    _small_batches(monkeypatch, parallel=True)
    monkeypatch.setitem(billiard.process.current_process()._config, "daemon", True)
    assert engine().rescore_all() > 0
    assert computed_in.read_text().split() == [str(os.getpid())] * 3


def _computed_at() -> dict[tuple[int, int], Any]:
    return {
        (c, o): at
        for c, o, at in db.session.execute(
            select(Match.candidate_id, Match.opening_id, Match.computed_at)
        )
    }


def test_a_rescore_over_old_rows_stores_what_a_rescore_from_none_stores(
    openings: list[Any], make_candidate: Any, monkeypatch: Any
) -> None:
    """rescore_all keeps (on SQLite) the row of a pair that scores as before, rewrites the rest: the
    table ends exactly as deleting every row and rescoring would leave it, every row stamped
    by this rescore."""
    _small_batches(monkeypatch, parallel=False)
    assert engine().rescore_all() > 0
    first = _rows()
    # Between the two rescores: a candidate's numbers change, a newcomer outranks the rest,
    # a stored value goes stale behind the engine's back, and a pair the engine would never
    # store appears.
    mover = db.session.execute(select(Candidate).where(Candidate.first_name == "P1")).scalar_one()
    mover.typing_wpm = 20
    make_candidate(first_name="Newcomer", typing_wpm=120, years_experience=9)
    tampered = db.session.execute(select(Match.id).order_by(Match.id).limit(1)).scalar_one()
    db.session.execute(
        Match.__table__.update().where(Match.id == tampered).values(score=1.5, components={})
    )
    stray = db.session.execute(
        select(Candidate.id).where(Candidate.first_name == "Gone")
    ).scalar_one()
    db.session.add(
        Match(
            candidate_id=stray,
            opening_id=openings[0].id,
            score=99.0,
            model_version="old",
            components={"skills": 1.0},
        )
    )
    db.session.commit()
    started = utcnow()
    stored = engine().rescore_all()
    kept = _rows()
    assert kept != first and len(kept) == stored
    assert all(at >= started for at in _computed_at().values())
    assert (stray, openings[0].id) not in {(c, o) for c, o, *_ in kept}
    db.session.execute(delete(Match))
    db.session.commit()
    assert engine().rescore_all() == stored
    assert _rows() == kept
