import numpy as np
import pytest
from engine_factories import BACK, CLINIC, FRONT, make_candidate_plain, make_opening_plain
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.features import CredentialHeld
from matching.ranking import (
    CandidatePool,
    OpeningIndex,
    pool_components,
    rank,
    rank_openings,
    score_rows,
)
from matching.scorer import MatchScorer
from matching.similarity import TextSpace
from matching.taxonomy import load_taxonomy

CODES = load_taxonomy().skill_codes


def random_pool(n, seed=0, opening=None):
    rng = np.random.default_rng(seed)
    opening = opening or make_opening_plain()
    profiles = [
        make_candidate_plain(
            id=1000 + i,
            skills={c: int(v) for c, v in zip(CODES, rng.integers(0, 5, len(CODES)), strict=True)},
            availability=int(rng.integers(0, 1 << 21)) | int(rng.random() < 0.5) * ((1 << 21) - 1),
            lat=opening.lat + rng.normal(0, 0.3),
            lon=opening.lon + rng.normal(0, 0.3),
            commute_miles=float(rng.choice([5, 10, 20, 40])),
            min_pay=float(rng.uniform(15, 30)),
            years_experience=float(rng.uniform(0, 10)),
            typing_wpm=int(rng.integers(20, 100)),
            reliability=None if rng.random() < 0.4 else float(rng.random()),
            credentials=[CredentialHeld("CMAA", bool(rng.random() < 0.8))]
            if rng.random() < 0.5
            else [],
            text=str(
                rng.choice(
                    ["front desk receptionist phones", "medical secretary audio typing", "cook"]
                )
            ),
        )
        for i in range(n)
    ]
    return CandidatePool.from_profiles(profiles, [opening.text]), profiles


def test_rank_scores_equal_pair_explanations():
    opening = make_opening_plain()
    pool, profiles = random_pool(400)
    top = rank(opening, pool, k=20)
    assert len(top) == 20
    assert [m.score for m in top] == sorted((m.score for m in top), reverse=True)
    by_id = {p.id: p for p in profiles}
    for match in top[:5]:
        pair = MatchScorer().explain(by_id[match.candidate_id], opening, text_space=pool.text_space)
        assert pair.score == pytest.approx(match.score, abs=1e-6)
        assert pair.contributions == pytest.approx(match.explanation.contributions)


@pytest.mark.parametrize(
    "overrides",
    [
        {"ehr": {"epic"}, "languages": {"english"}},
        {"role": "secretary", "min_typing_wpm": 70},
        {
            "role": "hybrid",
            "required_skills": {
                "icd10_coding": (4, 1.0),
                "customer_service": (1, 0.2),
                "typing": (0, 0.0),
            },
        },
    ],
)
def test_vectorised_scores_match_explanations_for_every_row(overrides):
    opening = make_opening_plain(**overrides)
    pool, profiles = random_pool(300, seed=3)
    for p in profiles[::2]:
        p.ehr, p.languages = {"epic"}, {"english"}
        pool.update(p)
    scored = score_rows(opening, pool, k=None, include_ineligible=True)
    scorer = MatchScorer()
    for j in range(0, scored.rows.size, 7):
        row = int(scored.rows[j])
        expl = scorer.explain_row(
            pool.store, row, scored.query, float(scored.text_cosine[j]), pool.layout
        )
        assert expl.score == pytest.approx(scored.scores[j], abs=1e-3)


def test_include_ineligible_shows_reasons():
    opening = make_opening_plain(required_credentials={"CMAA"})
    pool, _ = random_pool(200, seed=1)
    shown = rank(opening, pool, k=200, include_ineligible=True)
    assert any(not m.eligible for m in shown)
    assert all(m.explanation.failed_constraints for m in shown if not m.eligible)
    assert all(m.eligible for m in rank(opening, pool, k=200))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 60),
    creds=st.sets(st.sampled_from(["CMAA", "BLS"]), max_size=1),
    shift=st.integers(0, (1 << 21) - 1),
    pay_max=st.none() | st.floats(16, 30),
)
def test_constraints_never_let_an_ineligible_candidate_into_the_top_k(
    seed, k, creds, shift, pay_max
):
    opening = make_opening_plain(
        required_credentials=creds, shift_mask=shift, pay_max=pay_max, pay_min=None
    )
    pool, _ = random_pool(80, seed=seed, opening=opening)
    for match in rank(opening, pool, k=k):
        assert match.eligible
        assert match.explanation.failed_constraints == []


def test_pool_updates_in_place():
    opening = make_opening_plain()
    strong = make_candidate_plain(id=1, skills=dict(FRONT), desired_roles={"receptionist"})
    weak = make_candidate_plain(id=2, skills={"customer_service": 1}, text="cook")
    pool = CandidatePool.from_profiles([strong, weak], [opening.text])
    assert [m.candidate_id for m in rank(opening, pool)] == [1, 2]
    weak.skills, weak.text, weak.desired_roles = dict(FRONT), strong.text, {"receptionist"}
    weak.years_experience = 10.0
    pool.update(weak)
    assert [m.candidate_id for m in rank(opening, pool)] == [2, 1]
    pool.remove(2)
    assert [m.candidate_id for m in rank(opening, pool)] == [1]
    assert 2 not in pool and len(pool) == 1
    pool.add(make_candidate_plain(id=3, skills=dict(BACK)))
    assert {m.candidate_id for m in rank(opening, pool)} == {1, 3}
    with pytest.raises(KeyError):
        pool.add(make_candidate_plain(id=3))


def test_pool_version_moves_with_every_change_and_only_then():
    pool = CandidatePool.from_profiles([make_candidate_plain(id=1)], ["front desk"])
    seen = [pool.version]
    rank(make_opening_plain(), pool)  # reading changes nothing
    assert pool.version == seen[-1]
    for change in (
        lambda: pool.add(make_candidate_plain(id=2)),
        lambda: pool.update(make_candidate_plain(id=2, years_experience=9.0)),
        lambda: pool.remove(1),
    ):
        change()
        assert pool.version > seen[-1]
        seen.append(pool.version)


def test_pool_components_for_match_rows():
    opening = make_opening_plain()
    pool, _ = random_pool(150, seed=2)
    ids, comps, scores, ok = pool_components(opening, pool)
    assert comps.shape == (len(ids), 10) and ok.all()
    top = rank(opening, pool, k=1)[0]
    assert scores.max() == pytest.approx(top.score, abs=1e-6)
    assert ids[int(np.argmax(scores))] == top.candidate_id


def test_rank_openings_for_one_candidate():
    receptionist = make_candidate_plain(skills=dict(FRONT), desired_roles={"receptionist"})
    openings = [
        make_opening_plain(id=1, role="secretary", text="medical secretary audio typing coding"),
        make_opening_plain(id=2, role="receptionist"),
        make_opening_plain(id=3, role="receptionist", required_credentials={"CPC"}),
    ]
    best = rank_openings(receptionist, openings, k=5)
    assert [m.opening_id for m in best] == [2, 1]
    with_ineligible = rank_openings(receptionist, openings, k=5, include_ineligible=True)
    assert {m.opening_id for m in with_ineligible} == {1, 2, 3}


def test_opening_index_scores_each_pair_as_explain_does_and_keeps_up():
    openings = [
        make_opening_plain(id=i, role=role, lat=CLINIC[0] + i / 200, pay_max=18.0 + i, text=text)
        for i, (role, text) in enumerate(
            [("receptionist", "front desk phones"), ("secretary", "coding billing letters")] * 20
        )
    ]
    openings.append(make_opening_plain(id=99, required_credentials={"CPC"}))
    people = [
        make_candidate_plain(id=1),
        make_candidate_plain(id=2, skills=dict(BACK), desired_roles={"secretary"}, min_pay=30.0),
    ]
    space = TextSpace(min_df=1).fit([p.text for p in people] + [o.text for o in openings])
    index = OpeningIndex(space)
    for opening in openings:
        index.put(opening)
    scorer = MatchScorer()
    for person in people:
        pairs = {o.id: scorer.explain(person, o, text_space=space) for o in openings}
        expected = sorted(
            ((-e.score, oid) for oid, e in pairs.items() if e.eligible), key=lambda t: t
        )[:7]
        got = index.rank(person, k=7)
        assert len(got) == 7 and [m.opening_id for m in got] == [oid for _, oid in expected]
        for m in got:
            assert m.score == pytest.approx(pairs[m.opening_id].score, abs=1e-6)
            assert m.explanation.summary == pairs[m.opening_id].summary
        everyone = index.rank(person, k=100, include_ineligible=True)
        assert {m.opening_id for m in everyone} == {o.id for o in openings}
    best = index.rank(people[0], k=1)[0].opening_id
    index.remove(best)
    assert best not in {m.opening_id for m in index.rank(people[0], k=100)}
    index.put(make_opening_plain(id=best, role="secretary", text="night shift coding"))
    assert index.rank(people[0], k=1)[0].opening_id != best


def test_empty_pool_and_no_eligible():
    pool = CandidatePool.from_profiles([], ["x"])
    assert rank(make_opening_plain(), pool) == []
    pool, _ = random_pool(20)
    assert rank(make_opening_plain(required_credentials={"RHIA"}), pool) == []


def test_text_updates_survive_compaction(monkeypatch):
    import matching.ranking as ranking

    monkeypatch.setattr(ranking, "MAX_TEXT_OVERRIDES", 3)
    opening = make_opening_plain(text="audio typing clinic letters")
    pool, profiles = random_pool(30, seed=4)
    before = {m.candidate_id: m.score for m in rank(opening, pool, k=30, include_ineligible=True)}
    for p in profiles[:5]:
        p.text = "audio typing clinic letters"
        pool.update(p)
    assert len(pool.text_overrides) <= 3
    for p in profiles[5:7]:
        pool.add(make_candidate_plain(id=p.id + 10_000, text="audio typing clinic letters"))
    after = {m.candidate_id: m for m in rank(opening, pool, k=40, include_ineligible=True)}
    for p in profiles[:5]:
        assert after[p.id].explanation.components["text"] == pytest.approx(1.0)
        assert after[p.id].score >= before[p.id]
    assert after[profiles[5].id + 10_000].explanation.components["text"] == pytest.approx(1.0)


def test_ranking_the_eligible_rows_alone_equals_the_pass_over_every_row():
    # rank() checks the constraints first and scores the eligible rows only; the pass over every
    # row (include_ineligible) must agree on who is eligible, in what order, with what score.
    openings = [
        make_opening_plain(id=i, role=r) for i, r in enumerate(["receptionist", "secretary"] * 3)
    ]
    openings[2].required_skills = {"typing": (4, 1.0)}  # a skill correction
    openings[3].min_typing_wpm = 70  # the typing term
    openings[4].shift_mask = 0
    pool, _ = random_pool(200, seed=5)
    for o in openings:
        every = rank(o, pool, k=len(pool), include_ineligible=True)
        expected = [(m.candidate_id, m.score) for m in every if m.eligible][:10]
        assert expected
        assert [(m.candidate_id, m.score) for m in rank(o, pool, k=10)] == expected


def test_ranking_and_openings_that_fit_judge_credentials_on_today_too():
    from datetime import date

    opening = make_opening_plain(
        required_credentials={"CPC"}, start_date=date(2026, 11, 1), today=date(2026, 12, 2)
    )
    lapsed = make_candidate_plain(
        id=1, credentials=[CredentialHeld("CPC", expires=date(2026, 11, 20))]
    )
    current = make_candidate_plain(
        id=2, credentials=[CredentialHeld("CPC", expires=date(2027, 11, 20))]
    )
    pool = CandidatePool.from_profiles([lapsed, current], [opening.text])
    assert [m.candidate_id for m in rank(opening, pool, k=5)] == [2]
    shown = {m.candidate_id: m for m in rank(opening, pool, k=5, include_ineligible=True)}
    assert shown[1].explanation.failed_constraints == ["CPC expired 2026-11-20"]
    assert list(pool_components(opening, pool)[0]) == [2]
    fits = rank_openings(lapsed, [opening], include_ineligible=True)
    assert not fits[0].eligible
    assert rank_openings(lapsed, [opening]) == []
