import itertools

import numpy as np
import pytest
from engine_factories import make_candidate_plain, make_opening_plain

from matching.assignment import assign
from matching.ranking import CandidatePool
from matching.scorer import MatchScorer
from matching.taxonomy import load_taxonomy

CODES = load_taxonomy().skill_codes


def small_case(seed):
    rng = np.random.default_rng(seed)
    profiles = [
        make_candidate_plain(
            id=i,
            skills={c: int(v) for c, v in zip(CODES, rng.integers(0, 5, len(CODES)), strict=True)},
            years_experience=float(rng.uniform(0, 8)),
            min_pay=float(rng.uniform(16, 27)),
        )
        for i in range(6)
    ]
    openings = [
        make_opening_plain(id=10, role="receptionist", positions=2),
        make_opening_plain(
            id=11, role="secretary", positions=1, pay_max=float(rng.uniform(20, 30))
        ),
        make_opening_plain(id=12, role="hybrid", positions=1),
    ]
    return profiles, openings


def brute_force(profiles, openings, min_score, text_space):
    scorer = MatchScorer()
    value = {}
    for o in openings:
        for p in profiles:
            e = scorer.explain(p, o, text_space=text_space)
            if e.eligible and e.score >= min_score:
                value[o.id, p.id] = e.score
    slots = [o.id for o in openings for _ in range(o.positions)]
    best = 0.0
    for perm in itertools.permutations([p.id for p in profiles] + [None] * len(slots), len(slots)):
        total = 0.0
        for slot, cid in zip(slots, perm, strict=True):
            if cid is not None:
                if (slot, cid) not in value:
                    break
                total += value[slot, cid]
        else:
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("min_score", [0.0, 55.0])
def test_assignment_is_optimal_against_brute_force(seed, min_score):
    profiles, openings = small_case(seed)
    pool = CandidatePool.from_profiles(profiles, [o.text for o in openings])
    result = assign(openings, pool, min_score=min_score)
    assigned = [a.candidate_id for a in result.assignments]
    assert len(assigned) == len(set(assigned))  # nobody fills two positions
    assert all(a.score >= min_score for a in result.assignments)
    assert result.total_score == pytest.approx(
        brute_force(profiles, openings, min_score, pool.text_space), abs=1e-3
    )
    for o in openings:
        n = sum(a.opening_id == o.id for a in result.assignments)
        unfilled = [u for u in result.unfilled if u.opening_id == o.id]
        assert n + sum(u.positions_unfilled for u in unfilled) == o.positions


def test_unfilled_positions_say_why():
    profiles, _ = small_case(0)
    pool = CandidatePool.from_profiles(profiles, ["x"])
    openings = [
        make_opening_plain(id=1, positions=3, required_credentials={"RHIA"}),
        make_opening_plain(id=2, positions=2),
    ]
    result = assign(openings, pool, min_score=99.0)
    reasons = {u.opening_id: u for u in result.unfilled}
    assert reasons[1].positions_unfilled == 3
    assert reasons[1].reason == "no candidate meets the hard constraints"
    assert reasons[2].reason.endswith("none scoring at least 99")
