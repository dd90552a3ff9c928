from datetime import date

import pytest
from engine_factories import BACK, FRONT, make_candidate_plain, make_opening_plain
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_set_params,
)

from matching.features import COMPONENTS, CredentialHeld
from matching.scorer import MatchScorer
from matching.taxonomy import load_taxonomy

SECRETARY_TEXT = "Medical secretary: records, audio typing, clinic letters, ICD-10 and CPT coding."


def test_strong_receptionist_beats_strong_secretary_at_the_front_desk(make_candidate, make_opening):
    scorer = MatchScorer()
    front = make_opening(role="receptionist")
    receptionist = make_candidate(id=1, skills=dict(FRONT), desired_roles={"receptionist"})
    secretary = make_candidate(
        id=2, skills=dict(BACK), desired_roles={"secretary"}, text=SECRETARY_TEXT
    )
    assert scorer.explain(receptionist, front).score > scorer.explain(secretary, front).score + 10


def test_strong_secretary_beats_strong_receptionist_in_the_back_office(
    make_candidate, make_opening
):
    scorer = MatchScorer()
    back = make_opening(role="secretary", text=SECRETARY_TEXT)
    receptionist = make_candidate(
        id=1, skills=dict(FRONT), desired_roles={"receptionist"}, typing_wpm=40
    )
    secretary = make_candidate(
        id=2, skills=dict(BACK), desired_roles={"secretary"}, text=SECRETARY_TEXT, typing_wpm=75
    )
    expl = scorer.explain(secretary, back)
    assert expl.score > scorer.explain(receptionist, back).score + 10
    assert any("wpm" in s for s in expl.strengths)


def test_expired_cpc_makes_a_coder_ineligible_in_words(make_candidate, make_opening):
    opening = make_opening(
        role="secretary",
        required_credentials={"CPC"},
        start_date=date(2026, 12, 7),
        today=date(2026, 11, 20),
    )
    coder = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("CPC", verified=True, expires=date(2026, 10, 1))],
    )
    expl = MatchScorer().explain(coder, opening)
    assert not expl.eligible
    assert expl.failed_constraints == ["CPC expired 2026-10-01"]
    assert expl.summary.startswith("not eligible")
    renewed = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("CPC", verified=True, expires=date(2028, 1, 1))],
    )
    assert MatchScorer().explain(renewed, opening).eligible


def test_a_credential_counts_only_while_valid_today_and_at_the_start(make_candidate, make_opening):
    opening = make_opening(
        role="secretary",
        required_credentials={"CPC"},
        start_date=date(2026, 12, 23),
        today=date(2026, 12, 2),
    )
    lapsing = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("CPC", verified=True, expires=date(2026, 12, 12))],
    )
    expl = MatchScorer().explain(lapsing, opening)
    assert not expl.eligible
    assert expl.failed_constraints == ["CPC expires 2026-12-12, before the 2026-12-23 start"]
    expired = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("CPC", verified=True, expires=date(2026, 11, 2))],
    )
    assert MatchScorer().explain(expired, opening).failed_constraints == ["CPC expired 2026-11-02"]
    # Valid through the start day itself counts.
    on_the_day = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("CPC", verified=True, expires=date(2026, 12, 23))],
    )
    assert MatchScorer().explain(on_the_day, opening).eligible


def test_once_the_start_has_passed_an_expired_credential_does_not_count_again(
    make_candidate, make_opening
):
    # A HIPAA certificate that expired last week, for an opening that started last month.
    opening = make_opening(
        role="secretary",
        required_credentials={"HIPAA"},
        start_date=date(2026, 11, 1),
        today=date(2026, 12, 2),
    )
    lapsed = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("HIPAA", verified=True, expires=date(2026, 11, 25))],
    )
    expl = MatchScorer().explain(lapsed, opening)
    assert not expl.eligible
    assert expl.failed_constraints == ["HIPAA expired 2026-11-25"]
    current = make_candidate(
        skills=dict(BACK),
        credentials=[CredentialHeld("HIPAA", verified=True, expires=date(2027, 11, 25))],
    )
    assert MatchScorer().explain(current, opening).eligible


def test_unverified_or_missing_credentials_do_not_count(make_candidate, make_opening):
    opening = make_opening(required_credentials={"CMAA"})
    unverified = make_candidate(credentials=[CredentialHeld("CMAA", verified=False)])
    assert MatchScorer().explain(unverified, opening).failed_constraints == [
        "CMAA not verified yet"
    ]
    missing = MatchScorer().explain(make_candidate(), opening).failed_constraints
    assert missing == ["no CMAA on file (Certified Medical Administrative Assistant)"]


def test_distance_lowers_the_score_and_the_commute_radius_is_hard(make_candidate, make_opening):
    scorer = MatchScorer()
    opening = make_opening()
    near = scorer.explain(make_candidate(lat=opening.lat + 0.01), opening)
    farther = scorer.explain(make_candidate(lat=opening.lat + 0.2), opening)
    too_far = scorer.explain(make_candidate(lat=opening.lat + 0.5, commute_miles=20), opening)
    assert near.components["distance"] > farther.components["distance"]
    assert near.score > farther.score
    assert not too_far.eligible
    assert too_far.failed_constraints[0].startswith("clinic is 34.5 miles away, beyond the 20-mile")


def test_pay_asks_within_range_score_lower_as_they_rise_and_above_max_fail(
    make_candidate, make_opening
):
    scorer = MatchScorer()
    opening = make_opening(pay_min=19.0, pay_max=25.0)
    cheap, mid, dear = (
        scorer.explain(make_candidate(min_pay=p), opening) for p in (18.0, 22.0, 26.0)
    )
    assert cheap.components["pay"] == 1.0 > mid.components["pay"] > dear.components["pay"]
    assert cheap.eligible and mid.eligible and not dear.eligible
    assert "asks $26.00/h, above the $25.00/h maximum" in dear.failed_constraints


def test_availability_and_languages_are_hard_constraints(make_candidate, make_opening):
    opening = make_opening(shift_mask=0b111, languages={"spanish"})
    expl = MatchScorer().explain(make_candidate(availability=0b001, languages={"english"}), opening)
    assert "not available Monday afternoon, Monday evening" in expl.failed_constraints
    assert "does not speak Spanish" in expl.failed_constraints
    # No hours given at all (a record staff entered or imported) says so, not "not available".
    unknown = MatchScorer().explain(make_candidate(availability=0), opening)
    assert not unknown.eligible
    assert "no availability given (needs Monday morning, Monday afternoon, Monday evening)" in (
        unknown.failed_constraints
    )


def test_explanation_is_consistent(make_candidate, make_opening):
    expl = MatchScorer().explain(make_candidate(reliability=0.9), make_opening(ehr={"epic"}))
    assert set(expl.components) == set(COMPONENTS) - {
        "typing"
    }  # receptionists are not typing-tested
    assert all(0.0 <= v <= 1.0 for v in expl.components.values())
    assert sum(expl.contributions.values()) == pytest.approx(expl.score)
    assert 0 <= expl.score <= 100
    assert expl.model_version.startswith("rules-")
    assert "no experience with Epic" in expl.gaps


def test_skills_above_the_requirement_do_not_push_past_100(make_candidate, make_opening):
    opening = make_opening(required_skills={"customer_service": (2, 1.0)})
    expl = MatchScorer().explain(
        make_candidate(skills={c: 4 for c in load_taxonomy().skill_codes}), opening
    )
    assert expl.components["skills"] == pytest.approx(1.0)
    assert expl.score <= 100.0


def test_missing_reliability_does_not_count_against_a_newcomer(make_candidate, make_opening):
    expl = MatchScorer().explain(make_candidate(reliability=None), make_opening())
    assert "reliability" not in expl.components
    assert sum(expl.contributions.values()) == pytest.approx(expl.score)


def test_weights_are_parameters(make_candidate, make_opening):
    pair = make_candidate(), make_opening()
    only_distance = MatchScorer(weights={c: 0.0 for c in COMPONENTS} | {"distance": 1.0})
    expl = only_distance.explain(*pair)
    assert expl.score == pytest.approx(100 * expl.components["distance"])
    with pytest.raises(ValueError, match="unknown component"):
        MatchScorer(weights={"charm": 1.0}).resolved_weights()


skill_levels = st.dictionaries(st.sampled_from(load_taxonomy().skill_codes), st.integers(0, 4))


@settings(max_examples=60, deadline=None)
@given(
    skills=skill_levels,
    code=st.sampled_from(load_taxonomy().skill_codes),
    role=st.sampled_from(["receptionist", "secretary", "hybrid"]),
)
def test_more_skill_never_lowers_the_score(skills, code, role):
    opening = make_opening_plain(role=role)
    before = MatchScorer().explain(make_candidate_plain(skills=skills), opening).score
    better = dict(skills)
    better[code] = min(better.get(code, 0) + 1, 4)
    after = MatchScorer().explain(make_candidate_plain(skills=better), opening).score
    assert after >= before - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    skills=skill_levels,
    years=st.floats(0, 40),
    wpm=st.none() | st.integers(0, 150),
    pay=st.none() | st.floats(10, 40),
    reliability=st.none() | st.floats(0, 1),
    role=st.sampled_from(["receptionist", "secretary", "hybrid"]),
)
def test_contributions_sum_to_the_score(skills, years, wpm, pay, reliability, role):
    cand = make_candidate_plain(
        skills=skills, years_experience=years, typing_wpm=wpm, min_pay=pay, reliability=reliability
    )
    expl = MatchScorer().explain(cand, make_opening_plain(role=role))
    assert sum(expl.contributions.values()) == pytest.approx(expl.score, abs=1e-9)
    assert 0.0 <= expl.score <= 100.0


def test_estimator_conventions():
    # Hyperparameters in __init__, nothing else set there: clone and get/set_params work.
    assert clone(MatchScorer(weights={"skills": 5.0})).get_params()["weights"] == {"skills": 5.0}
    for check in (check_no_attributes_set_in_init, check_get_params_invariance, check_set_params):
        check("MatchScorer", MatchScorer())
