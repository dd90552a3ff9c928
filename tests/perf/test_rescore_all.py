"""The bulk rescore (seed, CLI) stores what rescoring each opening alone would, and survives
candidates deleted outright behind the cached pool's back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from agency.extensions import db
from agency.models import Application, Candidate, Match
from agency.services.engine import engine


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
    engine().pool()  # built before the deletion below
    db.session.commit()
    gone = people[0].id
    db.session.execute(delete(Candidate).where(Candidate.id == gone))
    db.session.commit()
    engine().rescore_opening(opening.id)
    kept = {c for c, _, _ in _stored()}
    assert kept, "the factory candidates should rank for the factory opening"
    assert gone not in kept and gone not in engine().pool()
