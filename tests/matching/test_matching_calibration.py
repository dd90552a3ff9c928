"""The score bands of docs/scores.md, held on labelled cases built from the taxonomy."""

from __future__ import annotations

import numpy as np
import pytest
from calibration_cases import BAND_ORDER, BANDS, Case, cases, coder_opening, opening, person
from engine_factories import make_candidate_plain, make_opening_plain

from matching.features import MAX_LEVEL, CandidateProfile
from matching.ranking import CandidatePool, rank
from matching.scorer import MatchScorer
from matching.taxonomy import load_taxonomy
from matching.week import FULL_MASK

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_labelled_case_lands_in_its_band(case: Case) -> None:
    expl = MatchScorer().explain(case.candidate, case.opening)
    lo, hi = BANDS[case.band]
    assert lo <= expl.score < hi or (hi == 100.0 and expl.score == 100.0), expl.score
    assert sum(expl.contributions.values()) == pytest.approx(expl.score)
    # The summary speaks the band's words (eligibility aside).
    if expl.eligible:
        assert expl.summary.startswith({"fit": "strong fit", "good": "good fit"}.get(case.band, ""))


def test_the_fixed_points_of_the_scale() -> None:
    scorer = MatchScorer()
    full = {s.code: MAX_LEVEL for s in load_taxonomy().skills}
    perfect = person("secretary", full, ehr={"epic"}, typing_wpm=75, years_experience=10.0)
    assert scorer.explain(perfect, coder_opening()).score >= 95
    front_only = {s.code: 4 for s in load_taxonomy().skills if s.side == "front"}
    receptionist = person("receptionist", front_only)
    assert scorer.explain(receptionist, coder_opening()).score < 40
    empty = CandidateProfile(id=1, availability=FULL_MASK)
    for role in ("receptionist", "secretary", "hybrid"):
        assert scorer.explain(empty, opening(role)).score < 20


def test_bands_keep_their_order_within_each_opening_kind() -> None:
    """A better band always scores above a worse one on the same opening (clear cases' order)."""
    scored: dict[str, list[tuple[int, float]]] = {}
    for case in CASES:
        score = MatchScorer().explain(case.candidate, case.opening).score
        kind = case.opening.role + ("-coder" if case.opening.required_credentials else "")
        scored.setdefault(kind, []).append((BAND_ORDER.index(case.band), score))
    for rows in scored.values():
        for band_a, score_a in rows:
            for band_b, score_b in rows:
                if band_a < band_b:
                    assert score_a > score_b


def test_the_ranking_puts_the_labelled_candidates_in_band_order() -> None:
    """The fast ranking path agrees with the explanations on the same cases."""
    front = opening("receptionist")
    pool_cases = [c for c in CASES if c.opening.role == "receptionist"]
    profiles = []
    for i, case in enumerate(pool_cases):
        case.candidate.id = i + 1
        profiles.append(case.candidate)
    pool = CandidatePool.from_profiles(profiles, [front.text])
    ranked = rank(front, pool, k=len(profiles), include_ineligible=True)
    bands = [BAND_ORDER.index(pool_cases[m.candidate_id - 1].band) for m in ranked]
    assert bands == sorted(bands)
    for m in ranked:
        expl = MatchScorer().explain(
            pool_cases[m.candidate_id - 1].candidate, front, pool.text_space
        )
        assert m.score == pytest.approx(expl.score, abs=1e-3)


def test_a_missing_resume_drops_out_instead_of_counting_zero(make_candidate, make_opening) -> None:
    opening_ = make_opening()
    with_resume = make_candidate()
    without = make_candidate(text="")
    expl = MatchScorer().explain(without, opening_)
    assert "text" not in expl.components
    # The best resume only adds; no resume costs nothing of the rest.
    assert (
        expl.score > MatchScorer().explain(make_candidate(text="unrelated words"), opening_).score
    )
    assert MatchScorer().explain(with_resume, opening_).components["text"] > 0


def test_no_pay_ask_and_no_location_drop_out(make_candidate, make_opening) -> None:
    opening_ = make_opening()
    expl = MatchScorer().explain(make_candidate(min_pay=None, lat=None, lon=None), opening_)
    assert "pay" not in expl.components and "distance" not in expl.components
    assert sum(expl.contributions.values()) == pytest.approx(expl.score)


def test_an_opening_with_only_a_maximum_still_tells_asks_apart(make_candidate) -> None:
    capped = make_opening_plain(pay_min=None, pay_max=25.0)
    asks = [MatchScorer().explain(make_candidate(min_pay=a), capped) for a in (15.0, 20.0, 24.0)]
    pay = [e.components["pay"] for e in asks]
    assert pay[0] > pay[1] > pay[2] > 0
    assert asks[0].score > asks[1].score > asks[2].score


def test_role_fit_without_a_wish_follows_the_skills(make_candidate, make_opening) -> None:
    opening_ = make_opening()
    strong = make_candidate(desired_roles=set())
    weak = make_candidate(desired_roles=set(), skills={"customer_service": 2})
    role = [MatchScorer().explain(c, opening_).components["role"] for c in (strong, weak)]
    assert role[0] > role[1]
    assert role[0] != pytest.approx(0.25) and role[1] != pytest.approx(0.25)
    # Stating the wish for the role only helps.
    wished = MatchScorer().explain(make_candidate(desired_roles={"receptionist"}), opening_)
    assert wished.components["role"] >= role[0] * 0.5 + 0.5 - 1e-6


def test_skill_gate_scales_the_rest_and_is_reported() -> None:
    front_only = {s.code: 4 for s in load_taxonomy().skills if s.side == "front"}
    expl = MatchScorer().explain(person("receptionist", front_only), coder_opening())
    gate = expl.extras["skill_gate"]
    assert 0 < gate < 1
    expected = 100 * expl.components["distance"] * MatchScorer().resolved_weights()["distance"]
    den = sum(MatchScorer().resolved_weights()[c] for c in expl.components)
    assert expl.contributions["distance"] == pytest.approx(gate * expected / den, rel=1e-3)


def test_fast_scores_equal_explanations_with_missing_data() -> None:
    rng = np.random.default_rng(7)
    codes = load_taxonomy().skill_codes
    profiles = []
    for i in range(60):
        profiles.append(
            make_candidate_plain(
                id=i + 1,
                skills={c: int(rng.integers(0, 5)) for c in codes if rng.random() < 0.6},
                text="" if i % 3 == 0 else "front desk phones scheduling billing",
                min_pay=None if i % 4 == 0 else float(rng.uniform(15, 30)),
                lat=None if i % 5 == 0 else 40.75,
                lon=None if i % 5 == 0 else -73.98,
                desired_roles=set() if i % 2 else {"secretary"},
                reliability=None if i % 2 else 0.7,
            )
        )
    for spec in (
        make_opening_plain(),
        make_opening_plain(role="secretary", pay_min=None, pay_max=30.0, text=""),
        make_opening_plain(role="hybrid", lat=None, lon=None, shift_mask=0, pay_min=None,
                           pay_max=None),
    ):  # fmt: skip
        pool = CandidatePool.from_profiles(profiles, [spec.text])
        for m in rank(spec, pool, k=60, include_ineligible=True):
            one = profiles[m.candidate_id - 1]
            assert m.score == pytest.approx(
                MatchScorer().explain(one, spec, pool.text_space).score, abs=1e-3
            )
