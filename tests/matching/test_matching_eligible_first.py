"""Ineligible candidates (and openings) always come after the eligible ones, whatever the scores."""

from __future__ import annotations

from datetime import date

from engine_factories import BACK

from matching.features import CredentialHeld
from matching.ranking import CandidatePool, rank, rank_openings

VALID_CPC = CredentialHeld("CPC", True, date(2030, 1, 1))


def _coders(make_candidate):
    # Three strong coders without a CPC on file, and one weaker coder with a valid CPC.
    strong = [make_candidate(id=i, skills=dict(BACK), typing_wpm=80) for i in (1, 2, 3)]
    weak = make_candidate(
        id=4,
        skills={k: 2 for k in BACK},
        credentials=[VALID_CPC],
        typing_wpm=50,
        years_experience=1.0,
    )
    return [*strong, weak]


def test_the_eligible_coder_comes_first_with_near_misses_shown(make_candidate, make_opening):
    opening = make_opening(role="secretary", required_credentials={"CPC"})
    pool = CandidatePool.from_profiles(_coders(make_candidate), [opening.text])
    ranked = rank(opening, pool, k=10, include_ineligible=True)
    assert [m.eligible for m in ranked] == [True, False, False, False]
    assert ranked[0].candidate_id == 4
    # The scores alone would have put the valid coder last.
    assert ranked[0].score < min(m.score for m in ranked[1:])


def test_a_short_list_keeps_the_eligible_even_when_the_ineligible_score_higher(
    make_candidate, make_opening
):
    opening = make_opening(role="secretary", required_credentials={"CPC"})
    pool = CandidatePool.from_profiles(_coders(make_candidate), [opening.text])
    ranked = rank(opening, pool, k=1, include_ineligible=True)
    assert [(m.candidate_id, m.eligible) for m in ranked] == [(4, True)]


def test_openings_for_a_person_list_the_eligible_first(make_candidate, make_opening):
    person = make_candidate(skills=dict(BACK), typing_wpm=80)
    needs_cpc = make_opening(id=1, role="secretary", required_credentials={"CPC"})
    plain = make_opening(id=2, role="receptionist", required_credentials=set())
    found = rank_openings(person, [needs_cpc, plain], include_ineligible=True)
    assert [(m.opening_id, m.eligible) for m in found] == [(2, True), (1, False)]
    assert found[0].score < found[1].score
