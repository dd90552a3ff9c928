"""Fill many openings at once: optimal assignment of candidates to positions (one opening each)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching.features import OpeningSpec
from matching.ranking import CandidatePool, score_rows
from matching.scorer import MatchScorer

FORBIDDEN = -1e9


@dataclass(frozen=True)
class Assignment:
    opening_id: int
    candidate_id: int
    score: float


@dataclass(frozen=True)
class Unfilled:
    opening_id: int
    positions_unfilled: int
    reason: str


@dataclass
class AssignmentResult:
    assignments: list[Assignment] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)

    @property
    def total_score(self) -> float:
        return float(sum(a.score for a in self.assignments))


def assign(
    openings: Sequence[OpeningSpec],
    pool: CandidatePool,
    min_score: float = 50.0,
    scorer: MatchScorer | None = None,
    shortlist: int | None = None,
) -> AssignmentResult:
    """Maximise the total score over all positions; each candidate fills at most one position.

    Every position of an opening is its own column (capacities by repetition), and an opening
    only needs its best `total positions` candidates: any further one could always be swapped
    for an unused better one, so the shortlist keeps the result optimal. Pass `shortlist` to
    cap it on very large problems (then the result is optimal over the shortlists).
    """
    scorer = scorer or MatchScorer()
    openings = [o for o in openings if o.positions > 0]
    total_positions = sum(o.positions for o in openings)
    k = min(shortlist or total_positions, total_positions)
    per_opening: list[dict[int, float]] = []
    eligible_counts: list[int] = []
    for opening in openings:
        scored = score_rows(opening, pool, None, scorer)
        eligible_counts.append(int(scored.rows.size))
        keep = scored.scores >= min_score
        rows, scores = scored.rows[keep], scored.scores[keep]
        if rows.size > k:
            best = np.argpartition(-scores, k - 1)[:k]
            rows, scores = rows[best], scores[best]
        per_opening.append({int(pool.ids[r]): float(v) for r, v in zip(rows, scores, strict=True)})
    candidates = sorted({cid for scores in per_opening for cid in scores})
    result = AssignmentResult()
    filled = [0] * len(openings)
    if candidates:
        col_opening = np.repeat(np.arange(len(openings)), [o.positions for o in openings])
        cand_index = {cid: i for i, cid in enumerate(candidates)}
        value = np.full((len(candidates), len(col_opening)), FORBIDDEN)
        for j, shortlist_scores in enumerate(per_opening):
            cols = np.flatnonzero(col_opening == j)
            for cid, v in shortlist_scores.items():
                value[cand_index[cid], cols] = v
        rows, cols = linear_sum_assignment(value, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            if value[r, c] > FORBIDDEN / 2:
                j = int(col_opening[c])
                filled[j] += 1
                result.assignments.append(
                    Assignment(openings[j].id, candidates[r], float(value[r, c]))
                )
    result.assignments.sort(key=lambda a: (a.opening_id, -a.score, a.candidate_id))
    for j, opening in enumerate(openings):
        missing = opening.positions - filled[j]
        if missing > 0:
            result.unfilled.append(
                Unfilled(
                    opening.id, missing, _reason(eligible_counts[j], len(per_opening[j]), min_score)
                )
            )
    return result


def _reason(n_eligible: int, n_good: int, min_score: float) -> str:
    if n_eligible == 0:
        return "no candidate meets the hard constraints"
    if n_good == 0:
        return f"{n_eligible} eligible candidate(s), none scoring at least {min_score:g}"
    return (
        f"{n_good} eligible candidate(s) scoring at least {min_score:g}; "
        "the others were needed by openings where they fit better"
    )
