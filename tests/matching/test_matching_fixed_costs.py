"""The ranking's per-call shortcuts (issue 23) give the answers the plain path gives: the
constraints on row indices, compiled openings kept per spec, the skill notes of many rows from
a table."""

from __future__ import annotations

import numpy as np
import pytest
from engine_factories import make_candidate_plain, make_opening_plain
from test_matching_ranking import random_pool

from matching.constraints import eligible, eligible_rows
from matching.features import compile_opening
from matching.ranking import rank
from matching.scorer import MatchScorer

OPENINGS = [
    {},
    {"required_credentials": {"CMAA"}, "pay_max": 22.0},
    {"lat": None, "lon": None, "languages": {"spanish"}},
    {"role": "secretary", "required_skills": {"typing": (4, 2.0)}, "min_typing_wpm": 70},
    {"required_credentials": {"NO-SUCH-CREDENTIAL"}},
]


def test_eligible_rows_are_the_rows_the_mask_marks():
    pool, profiles = random_pool(500, seed=4)
    for p in profiles[:40:4]:  # some candidates without a location, and some who left
        p.lat = p.lon = None
        pool.update(p)
    for p in profiles[40:60:3]:
        pool.remove(p.id)
    scorer = MatchScorer()
    for overrides in OPENINGS:
        q = pool.compile(make_opening_plain(**overrides), scorer)
        n = pool.n_rows
        mask = eligible(pool.store, slice(0, n), q) & pool.active[:n]
        rows, _ = eligible_rows(pool.store, n, q, pool.active)
        assert rows.tolist() == np.flatnonzero(mask).tolist(), overrides


def test_an_opening_changed_in_place_is_compiled_again():
    pool, _ = random_pool(300, seed=2)
    opening = make_opening_plain(pay_max=30.0)
    before = {m.candidate_id for m in rank(opening, pool, k=300)}
    opening.pay_max = 19.0
    opening.required_credentials.add("CMAA")
    after = rank(opening, pool, k=300)
    assert after and {m.candidate_id for m in after} < before
    assert all(p.candidate_id in before for p in after)
    assert all(not m.explanation.failed_constraints for m in after)
    fresh = compile_opening(opening, pool.layout, MatchScorer().resolved_weights())
    assert pool.compile(opening, MatchScorer()).credential_rows == fresh.credential_rows
    assert pool.compile(opening, MatchScorer()).opening.pay_max == 19.0


def test_a_kept_compiled_opening_does_not_follow_the_callers_later_changes():
    pool, _ = random_pool(50, seed=5)
    opening = make_opening_plain(ehr={"epic"})
    q = pool.compile(opening, MatchScorer())
    opening.ehr.add("cerner")
    assert q.opening.ehr == {"epic"}
    assert pool.compile(opening, MatchScorer()).opening.ehr == {"epic", "cerner"}


def test_different_weights_compile_apart():
    pool, _ = random_pool(50, seed=6)
    opening = make_opening_plain()
    plain = pool.compile(opening, MatchScorer())
    textual = pool.compile(opening, MatchScorer(weights={"text": 30.0}))
    assert plain.weights["text"] != textual.weights["text"]


def test_many_rows_get_the_skill_notes_each_row_gets_alone():
    # Ranking explains its top k together (notes from the opening's table); one pair is
    # explained alone (notes written out): the two must read the same.
    opening = make_opening_plain(
        role="hybrid", required_skills={"icd10_coding": (4, 1.0), "customer_service": (3, 0.6)}
    )
    pool, _ = random_pool(400, seed=8, opening=opening)
    scorer = MatchScorer()
    top = rank(opening, pool, k=60, include_ineligible=True)
    assert any(m.explanation.strengths for m in top) and any(m.explanation.gaps for m in top)
    q = pool.compile(opening, scorer)
    rows = pool.rows_for([m.candidate_id for m in top])
    for match, row in zip(top, rows.tolist(), strict=True):
        cosine = _text_cosine(pool, row, opening)
        alone = scorer.explain_rows(pool.store, np.array([row]), q, cosine, pool.layout)[0]
        # (A matrix product of one row may round its last bit differently from one of many.)
        assert alone.score == pytest.approx(match.explanation.score, abs=1e-9)
        assert (alone.strengths, alone.gaps) == (
            match.explanation.strengths,
            match.explanation.gaps,
        )
        assert alone.failed_constraints == match.explanation.failed_constraints


def _text_cosine(pool, row, opening):
    return pool.text_cosine(np.array([row]), pool.text_space.vector(opening.text))


def _commute_rows(pool, opening):
    q = pool.compile(opening, MatchScorer())
    n = pool.n_rows
    mask = eligible(pool.store, slice(0, n), q) & pool.active[:n]
    rows, _ = eligible_rows(pool.store, n, q, pool.active, pool.near_rows(q))
    assert rows.tolist() == np.flatnonzero(mask).tolist()
    return set(pool.ids[rows].tolist())


def test_the_latitude_index_finds_every_candidate_within_reach_as_they_change():
    opening = make_opening_plain()
    pool, profiles = random_pool(400, seed=11)
    rng = np.random.default_rng(11)
    for p in profiles[::2]:  # half the pool spread over the country, some far-reaching
        p.lat, p.lon = float(rng.uniform(25, 48)), float(rng.uniform(-124, -67))
        p.commute_miles = float(rng.choice([10, 60, 400, 3000]))
        pool.update(p)
    before = _commute_rows(pool, opening)  # (sorts the index)
    # One moves next to the clinic, one far away widens their commute, one drops their
    # location (a candidate without one passes), one is new, one leaves.
    lat, lon = opening.lat, opening.lon
    moved = [
        make_candidate_plain(id=profiles[0].id, lat=lat, lon=lon, commute_miles=5.0),
        make_candidate_plain(id=profiles[2].id, lat=lat + 30.0, lon=lon, commute_miles=2500.0),
        make_candidate_plain(id=profiles[4].id, lat=None, lon=None),
    ]
    for p in moved:
        pool.update(p)
    leaver = min(before - {p.id for p in moved})
    pool.remove(leaver)
    pool.add(make_candidate_plain(id=9999, lat=lat, lon=lon, commute_miles=5.0))
    after = _commute_rows(pool, opening)
    changed = {p.id for p in moved} | {9999}
    assert changed <= after
    assert leaver not in after
    assert after - changed <= before
