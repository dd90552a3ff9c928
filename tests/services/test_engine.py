"""The engine bridge: profiles read from the database, the per-app pool, Match rows."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from agency.extensions import db
from agency.models import CandidateSkill, Match, RankerModel, Skill
from agency.services.engine import Engine
from agency.services.engine.pool import active, load_profile, load_profiles
from matching.reranker import ReRanker
from matching.scorer import COMPONENTS


def _skill(code: str) -> Skill:
    return db.session.execute(db.select(Skill).where(Skill.code == code)).scalar_one()


def _give(candidate, code: str, level: int) -> None:
    db.session.add(CandidateSkill(candidate_id=candidate.id, skill_id=_skill(code).id, level=level))
    db.session.commit()


def test_a_profile_reads_the_candidates_rows(taxonomy, make_candidate, make_credential) -> None:
    candidate = make_candidate(typing_wpm=72, ehr_systems=["epic", "athenahealth"], min_pay=21.5)
    _give(candidate, "icd10_coding", 3)
    _give(candidate, "phone_handling", 2)
    expires = date.today() + timedelta(days=40)
    make_credential(candidate, "CPC", expires_on=expires)
    make_credential(candidate, "BLS", verification_status="pending")
    db.session.expire_all()
    (pooled,) = load_profiles(active())
    one = load_profile(candidate.id)
    assert pooled == one  # the pool and a single pair start from the same record
    assert one.skills == {"icd10_coding": 3, "phone_handling": 2}
    held = {c.code: (c.verified, c.expires) for c in one.credentials}
    assert held["CPC"] == (True, expires) and held["BLS"][0] is False
    assert one.ehr == {"epic", "athenahealth"} and one.typing_wpm == 72 and one.min_pay == 21.5


def test_a_pair_is_explained_without_building_the_pool(
    bridge, taxonomy, make_candidate, make_opening
) -> None:
    opening = make_opening(role_type="secretary", title="Medical coder")
    coder = make_candidate(desired_roles=["secretary"], typing_wpm=40)
    alone = bridge.explain(coder, opening)
    assert not bridge.pools.built
    # The same numbers the pool gives the same row once it is built.
    pooled = bridge.explain_in_pool(opening, [coder.id])[coder.id]
    assert (alone.score, alone.components) == (pooled.score, pooled.components)


def test_pool_sees_profile_changes_without_a_reload(bridge, taxonomy, make_candidate, make_opening):
    opening = make_opening(role_type="secretary", title="Medical coder")
    coder = make_candidate(desired_roles=["secretary"], typing_wpm=40)
    first = {m.candidate_id: m.score for m in bridge.rank(opening, k=10)}
    with bridge.pool() as built:
        pass
    _give(coder, "icd10_coding", 4)
    _give(coder, "cpt_coding", 4)
    coder.typing_wpm = 80
    db.session.commit()
    after = {m.candidate_id: m.score for m in bridge.rank(opening, k=10)}
    with bridge.pool() as pool:
        assert pool is built  # the same arrays, updated in place
    assert after[coder.id] > first[coder.id]


def test_explanations_follow_the_profile_and_the_opening(
    bridge, taxonomy, make_candidate, make_opening
) -> None:
    opening = make_opening(role_type="secretary", title="Medical coder")
    coder = make_candidate(desired_roles=["secretary"], typing_wpm=40)
    before = bridge.explain_in_pool(opening, [coder.id])[coder.id]
    before.extras["learned_score"] = 99.0  # what a caller adds stays with that caller
    again = bridge.explain_in_pool(opening, [coder.id])[coder.id]
    assert again.score == before.score and "learned_score" not in again.extras
    coder.typing_wpm = 65
    db.session.commit()
    faster = bridge.explain_in_pool(opening, [coder.id])[coder.id]
    assert faster.score > before.score
    opening.min_typing_wpm = 90  # the opening asks for more than the coder types
    db.session.commit()
    stricter = bridge.explain_in_pool(opening, [coder.id])[coder.id]
    assert (stricter.score, stricter.eligible) != (faster.score, faster.eligible)


def test_the_explanation_cache_stays_bounded(app, taxonomy, make_candidate, make_opening) -> None:
    bridge = Engine(explained_cached=3)  # a fresh bridge of its own, with a small memo
    opening = make_opening()
    people = [make_candidate().id for _ in range(4)]
    for person in people:
        assert set(bridge.explain_in_pool(opening, [person])) == {person}
    kept = [key[-1] for key in bridge.explanations.cached_keys()]
    assert kept == [(people[1],), (people[2],), (people[3],)]  # the oldest went first


def test_a_change_is_applied_to_the_pool_once(bridge, taxonomy, make_candidate) -> None:
    candidate = make_candidate()

    def version() -> int:
        with bridge.pool() as pool:
            return pool.version

    built = version()
    candidate.typing_wpm = 95
    db.session.commit()
    applied = version()
    assert applied > built
    # Later uses within the look-back window see the same change and leave the rows alone.
    assert version() == applied and version() == applied


def test_openings_that_fit_follow_the_openings_and_their_clinics(
    bridge, taxonomy, make_candidate, make_opening, make_clinic
) -> None:
    person = make_candidate()
    desk, checkin = make_opening(title="Front desk"), make_opening(title="Check-in desk")

    def fits() -> dict[int, float]:
        return {m.opening_id: m.score for m in bridge.openings_for(person, k=10)}

    first = fits()
    assert set(first) == {desk.id, checkin.id}
    checkin.status = "closed"
    later = make_opening(title="Evening front desk")
    db.session.commit()
    assert set(fits()) == {desk.id, later.id}
    desk.min_typing_wpm = 110  # a requirement the candidate does not meet so well
    db.session.commit()
    assert fits().get(desk.id) != first[desk.id]
    clinic = later.clinic
    clinic.lat, clinic.lon = 34.05, -118.24  # the clinic moves across the country
    db.session.commit()
    assert later.id not in fits()


def test_rescore_opening_writes_matches_for_applicants_too(
    bridge, taxonomy, make_candidate, make_opening
) -> None:
    opening = make_opening()
    near = make_candidate()
    # Far away and too expensive: not eligible, but still scored because they applied.
    far = make_candidate(zip_code="90210", lat=34.09, lon=-118.41, min_pay=90)
    from agency.models import Application

    db.session.add(
        Application(candidate_id=far.id, opening_id=opening.id, source="applied", stage="applied")
    )
    db.session.commit()
    assert bridge.rescore_opening(opening.id) == 2
    rows = {m.candidate_id: m for m in db.session.execute(db.select(Match)).scalars()}
    assert rows[near.id].eligible is True and rows[far.id].eligible is False
    assert any("miles" in reason or "pay" in reason for reason in rows[far.id].failed_constraints)
    # Closing the opening clears its matches.
    opening.status = "closed"
    db.session.commit()
    assert bridge.rescore_opening(opening.id) == 0
    assert db.session.execute(db.select(Match)).first() is None


def test_active_reranker_reorders_the_slate(bridge, taxonomy, make_candidate, make_opening) -> None:
    opening = make_opening()
    slow = make_candidate(typing_wpm=30, years_experience=12)
    fast = make_candidate(typing_wpm=110, years_experience=0)
    rules = [m.candidate_id for m in bridge.rank(opening, k=2)]
    # A model that only cares about experience, the way one staff team might.
    X = np.full((40, len(COMPONENTS)), 0.5)
    y = np.zeros(40)
    exp = list(COMPONENTS).index("experience")
    X[:20, exp], y[:20] = 0.9, 1
    X[20:, exp] = 0.1
    model = ReRanker(random_state=0).fit(X, y, groups=np.repeat(np.arange(8), 5))
    db.session.add(RankerModel(version="test-1", active=True, params=model.to_json()))
    db.session.commit()
    learned = bridge.rank(opening, k=2)
    assert learned[0].candidate_id == slow.id
    assert all("learned_score" in m.explanation.extras for m in learned)
    assert set(rules) == {slow.id, fast.id}


def test_rescore_all_stores_exactly_what_rank_gives(
    bridge, taxonomy, make_candidate, make_opening, monkeypatch
) -> None:
    """The bulk rescore skips the words of an explanation, not its numbers: each stored row is
    the score, eligibility and components `rank` shows on the review page, and the stored set is
    rank's top k."""
    from agency.services.engine import rescoring

    monkeypatch.setattr(rescoring, "STORED_MATCHES_PER_OPENING", 4)
    desk = make_opening()
    coder = make_opening(title="Medical Coder", role_type="secretary", min_typing_wpm=40)
    for i in range(7):
        person = make_candidate(first_name=f"R{i}", typing_wpm=35 + 10 * i, years_experience=i)
        _give(person, "phone_handling", 1 + i % 4)
        if i % 2:
            _give(person, "icd10_coding", 2 + i % 3)
    make_candidate(first_name="NoText", summary="", resume_text="", lat=None, lon=None)
    assert bridge.rescore_all() > 0
    for opening in (desk, coder):
        ranked = bridge.rank(opening, k=4)
        stored = {
            m.candidate_id: m
            for m in db.session.execute(
                db.select(Match).where(Match.opening_id == opening.id)
            ).scalars()
        }
        assert ranked and stored.keys() == {m.candidate_id for m in ranked}
        for m in ranked:
            row, e = stored[m.candidate_id], m.explanation
            assert row.score == round(e.score, 3) and row.eligible == e.eligible
            assert row.components == {c: round(v, 4) for c, v in e.components.items()}
            assert row.failed_constraints == e.failed_constraints
            assert row.model_version == e.model_version
