"""The engine bridge: profiles read from the database, the per-process pool, Match rows."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from agency.extensions import db
from agency.models import CandidateSkill, Match, RankerModel, Skill
from agency.services import scoring
from matching.reranker import ReRanker
from matching.scorer import COMPONENTS


@pytest.fixture(autouse=True)
def fresh_pool():
    scoring.reset_pool()
    yield
    scoring.reset_pool()


def _skill(code: str) -> Skill:
    return db.session.execute(db.select(Skill).where(Skill.code == code)).scalar_one()


def _give(candidate, code: str, level: int) -> None:
    db.session.add(CandidateSkill(candidate_id=candidate.id, skill_id=_skill(code).id, level=level))
    db.session.commit()


def test_bulk_profiles_equal_orm_profiles(taxonomy, make_candidate, make_credential) -> None:
    candidate = make_candidate(typing_wpm=72, ehr_systems=["epic", "athenahealth"])
    _give(candidate, "icd10_coding", 3)
    _give(candidate, "phone_handling", 2)
    make_credential(candidate, "CPC", expires_on=date.today() + timedelta(days=40))
    make_credential(candidate, "BLS", verification_status="pending")
    db.session.expire_all()
    (bulk,) = scoring.load_active_profiles()
    orm = scoring.candidate_profile(db.session.get(type(candidate), candidate.id))
    assert bulk.skills == orm.skills == {"icd10_coding": 3, "phone_handling": 2}
    assert sorted(bulk.credentials, key=lambda c: c.code) == sorted(
        orm.credentials, key=lambda c: c.code
    )
    assert bulk.ehr == orm.ehr and bulk.typing_wpm == 72 and bulk.min_pay == orm.min_pay


def test_pool_sees_profile_changes_without_a_reload(taxonomy, make_candidate, make_opening):
    opening = make_opening(role_type="secretary", title="Medical coder")
    coder = make_candidate(desired_roles=["secretary"], typing_wpm=40)
    first = {m.candidate_id: m.score for m in scoring.rank_opening(opening, k=10)}
    built = scoring.pool()
    _give(coder, "icd10_coding", 4)
    _give(coder, "cpt_coding", 4)
    coder.typing_wpm = 80
    db.session.commit()
    after = {m.candidate_id: m.score for m in scoring.rank_opening(opening, k=10)}
    assert scoring.pool() is built  # the same arrays, updated in place
    assert after[coder.id] > first[coder.id]


def test_explanations_follow_the_profile_and_the_opening(
    taxonomy, make_candidate, make_opening
) -> None:
    opening = make_opening(role_type="secretary", title="Medical coder")
    coder = make_candidate(desired_roles=["secretary"], typing_wpm=40)
    before = scoring.explain_in_pool(opening, [coder.id])[coder.id]
    before.extras["learned_score"] = 99.0  # what a caller adds stays with that caller
    again = scoring.explain_in_pool(opening, [coder.id])[coder.id]
    assert again.score == before.score and "learned_score" not in again.extras
    coder.typing_wpm = 65
    db.session.commit()
    faster = scoring.explain_in_pool(opening, [coder.id])[coder.id]
    assert faster.score > before.score
    opening.min_typing_wpm = 90  # the opening asks for more than the coder types
    db.session.commit()
    stricter = scoring.explain_in_pool(opening, [coder.id])[coder.id]
    assert (stricter.score, stricter.eligible) != (faster.score, faster.eligible)


def test_the_explanation_cache_stays_bounded(
    taxonomy, make_candidate, make_opening, monkeypatch
) -> None:
    monkeypatch.setattr(scoring, "EXPLAINED_CACHED", 3)
    opening = make_opening()
    people = [make_candidate().id for _ in range(4)]
    for person in people:
        assert set(scoring.explain_in_pool(opening, [person])) == {person}
    kept = [ids for _version, _spec, ids in scoring._explained]
    assert kept == [(people[1],), (people[2],), (people[3],)]  # the oldest went first


def test_a_change_is_applied_to_the_pool_once(taxonomy, make_candidate) -> None:
    candidate = make_candidate()
    built = scoring.pool().version
    candidate.typing_wpm = 95
    db.session.commit()
    applied = scoring.pool().version
    assert applied > built
    # Later uses within the look-back window see the same change and leave the rows alone.
    assert scoring.pool().version == applied and scoring.pool().version == applied


def test_openings_that_fit_follow_the_openings_and_their_clinics(
    taxonomy, make_candidate, make_opening, make_clinic
) -> None:
    person = make_candidate()
    desk, checkin = make_opening(title="Front desk"), make_opening(title="Check-in desk")

    def fits() -> dict[int, float]:
        return {m.opening_id: m.score for m in scoring.openings_for(person, k=10)}

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
    taxonomy, make_candidate, make_opening
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
    assert scoring.rescore_opening(opening.id) == 2
    rows = {m.candidate_id: m for m in db.session.execute(db.select(Match)).scalars()}
    assert rows[near.id].eligible is True and rows[far.id].eligible is False
    assert any("miles" in reason or "pay" in reason for reason in rows[far.id].failed_constraints)
    # Closing the opening clears its matches.
    opening.status = "closed"
    db.session.commit()
    assert scoring.rescore_opening(opening.id) == 0
    assert db.session.execute(db.select(Match)).first() is None


def test_active_reranker_reorders_the_slate(taxonomy, make_candidate, make_opening) -> None:
    opening = make_opening()
    slow = make_candidate(typing_wpm=30, years_experience=12)
    fast = make_candidate(typing_wpm=110, years_experience=0)
    rules = [m.candidate_id for m in scoring.rank_opening(opening, k=2)]
    # A model that only cares about experience, the way one staff team might.
    X = np.full((40, len(COMPONENTS)), 0.5)
    y = np.zeros(40)
    exp = list(COMPONENTS).index("experience")
    X[:20, exp], y[:20] = 0.9, 1
    X[20:, exp] = 0.1
    model = ReRanker(random_state=0).fit(X, y, groups=np.repeat(np.arange(8), 5))
    db.session.add(RankerModel(version="test-1", active=True, params=model.to_json()))
    db.session.commit()
    learned = scoring.rank_opening(opening, k=2)
    assert learned[0].candidate_id == slow.id
    assert all("learned_score" in m.explanation.extras for m in learned)
    assert set(rules) == {slow.id, fast.id}
