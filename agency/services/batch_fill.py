"""Batch fill: the engine's optimal assignment of candidates to many openings, then acceptance.

A proposal is computed, never stored; accepting a row submits that candidate to that opening
through the pipeline (sourcing them first when they did not apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from agency.extensions import db
from agency.models import Candidate, Opening, OpeningStatus, Stage, User
from agency.services import pipeline
from agency.services.engine import engine
from matching.assignment import assign
from matching.ranking import rank

MAX_OPENINGS = 60
ALTERNATIVES = 6
MIN_SCORE = 50.0


@dataclass
class Choice:
    candidate_id: int
    score: float
    label: str


@dataclass
class ProposalRow:
    opening: Opening
    position: int
    proposed: Choice | None
    alternatives: list[Choice]
    reason: str = ""


@dataclass
class Proposal:
    rows: list[ProposalRow] = field(default_factory=list)
    total_score: float = 0.0
    filled: int = 0
    positions: int = 0


def _label(candidate: Candidate | None, candidate_id: int, score: float) -> str:
    name = candidate.full_name if candidate else f"Candidate #{candidate_id}"
    return f"{name} ({score:.0f})"


def propose(openings: Sequence[Opening], min_score: float = MIN_SCORE) -> Proposal:
    """The best total-score assignment over the openings' positions, with a few alternatives
    per opening so staff can change a row."""
    openings = [o for o in openings if o.status == OpeningStatus.OPEN][:MAX_OPENINGS]
    if not openings:
        return Proposal()
    bridge = engine()
    specs = {s.id: s for s in bridge.opening_specs([o.id for o in openings])}
    scorer = bridge.scorer
    with bridge.pool() as pool:
        result = assign(list(specs.values()), pool, min_score=min_score, scorer=scorer)
        alternatives = {
            oid: [
                (m.candidate_id, m.score) for m in rank(spec, pool, k=ALTERNATIVES, scorer=scorer)
            ]
            for oid, spec in specs.items()
        }
    ids = {a.candidate_id for a in result.assignments}
    ids |= {cid for alts in alternatives.values() for cid, _ in alts}
    people = (
        {
            c.id: c
            for c in db.session.execute(select(Candidate).where(Candidate.id.in_(ids))).scalars()
        }
        if ids
        else {}
    )

    def choice(cid: int, score: float) -> Choice:
        return Choice(cid, score, _label(people.get(cid), cid, score))

    by_opening: dict[int, list[Choice]] = {}
    for a in result.assignments:
        by_opening.setdefault(a.opening_id, []).append(choice(a.candidate_id, a.score))
    reasons = {u.opening_id: u.reason for u in result.unfilled}
    proposal = Proposal(total_score=result.total_score, filled=len(result.assignments))
    for opening in openings:
        if opening.id not in specs:
            continue
        assigned = by_opening.get(opening.id, [])
        alts = [choice(cid, s) for cid, s in alternatives.get(opening.id, [])]
        for position in range(opening.positions):
            proposed = assigned[position] if position < len(assigned) else None
            options = ([proposed] if proposed else []) + [
                c for c in alts if proposed is None or c.candidate_id != proposed.candidate_id
            ]
            proposal.rows.append(
                ProposalRow(
                    opening=opening,
                    position=position + 1,
                    proposed=proposed,
                    alternatives=options,
                    reason="" if proposed else reasons.get(opening.id, "no candidate proposed"),
                )
            )
        proposal.positions += opening.positions
    return proposal


def accept(rows: Sequence[tuple[int, int]], actor: User, ip: str = "") -> pipeline.BulkResult:
    """Submit each accepted (opening id, candidate id) in the caller's transaction; rows that
    cannot be (closed opening, a move not allowed, a candidate used twice) are skipped."""
    result = pipeline.BulkResult()
    opening_ids = {o for o, _ in rows}
    candidate_ids = {c for _, c in rows}
    openings = {
        o.id: o
        for o in db.session.execute(select(Opening).where(Opening.id.in_(opening_ids))).scalars()
    }
    people = {
        c.id: c
        for c in db.session.execute(
            select(Candidate).where(Candidate.id.in_(candidate_ids))
        ).scalars()
    }
    used: set[int] = set()
    for opening_id, candidate_id in rows:
        opening, candidate = openings.get(opening_id), people.get(candidate_id)
        if opening is None or candidate is None:
            result.skipped.append((candidate_id, "not found"))
            continue
        if opening.status != OpeningStatus.OPEN:
            result.skipped.append((candidate_id, f"{opening.title} is {opening.status}"))
            continue
        if candidate_id in used:
            result.skipped.append((candidate_id, "chosen for more than one row"))
            continue
        used.add(candidate_id)
        try:
            pipeline.advance(candidate, opening, Stage.SUBMITTED, actor, ip=ip)
        except pipeline.PipelineError as exc:
            result.skipped.append((candidate_id, str(exc)))
            continue
        result.done.append(candidate_id)
    return result
