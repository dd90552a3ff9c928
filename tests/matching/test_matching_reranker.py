import json
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import SkipTestWarning
from sklearn.utils.estimator_checks import check_estimator

from matching.features import COMPONENTS
from matching.reranker import ReRanker, ndcg_at_k, simulate_staff_preference


@pytest.fixture(scope="module")
def simulation():
    return simulate_staff_preference(n_decisions=300, seed=0)


def test_learns_a_hidden_staff_preference_from_a_few_hundred_decisions(simulation):
    assert simulation.n_decisions == 300
    assert simulation.ndcg10_model > simulation.ndcg10_rules + 0.15
    assert simulation.auc_model > simulation.auc_rules + 0.1
    assert simulation.model.better_than_rules_
    coef = dict(zip(COMPONENTS, simulation.model.coef_, strict=True))
    # Staff weigh distance and track record; resume wording does not sway them.
    assert coef["distance"] > abs(coef["text"]) and coef["reliability"] > abs(coef["text"])


def test_it_is_not_used_when_it_does_not_beat_the_rules():
    rng = np.random.default_rng(1)
    X = rng.random((300, len(COMPONENTS)))
    y = (rng.random(300) < 0.2).astype(int)  # decisions unrelated to anything
    model = ReRanker(random_state=0).fit(X, y, groups=np.repeat(np.arange(15), 20))
    assert set(model.metrics_) >= {"ndcg10_model", "ndcg10_rules", "auc_model", "auc_rules"}
    assert isinstance(model.better_than_rules_, bool)


def test_deterministic_and_round_trips_through_json(simulation):
    again = simulate_staff_preference(n_decisions=300, seed=0)
    assert np.array_equal(again.model.coef_, simulation.model.coef_)
    data = json.loads(json.dumps(simulation.model.to_json()))
    assert data["sklearn_version"] == sklearn.__version__
    assert data["version"] == simulation.model.version_
    loaded = ReRanker.from_json(data)
    X = np.random.default_rng(2).random((10, len(COMPONENTS)))
    X[0, 3] = np.nan
    assert np.allclose(loaded.predict_proba(X), simulation.model.predict_proba(X))
    assert np.array_equal(loaded.predict(X), simulation.model.predict(X))
    assert np.all((loaded.rescore(X) >= 0) & (loaded.rescore(X) <= 100))


def test_ndcg_at_k():
    labels = np.array([1.0, 0.0, 0.0, 1.0])
    groups = np.zeros(4)
    assert ndcg_at_k(np.array([4.0, 3, 2, 1]), labels, groups) < 1.0
    assert ndcg_at_k(np.array([4.0, 1, 2, 3]), labels, groups) == pytest.approx(1.0)


def test_scikit_learn_estimator_checks():
    assert clone(ReRanker(C=0.5)).get_params()["C"] == 0.5
    # Array-API and pandas checks skip themselves here (they warn); every other check must pass.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)
        results = check_estimator(ReRanker(), on_fail=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []


def test_rank_uses_the_reranker_only_when_it_beats_the_rules(simulation):
    from engine_factories import make_candidate_plain, make_opening_plain

    from matching.ranking import CandidatePool, rank

    opening = make_opening_plain()
    rng = np.random.default_rng(0)
    profiles = [
        make_candidate_plain(
            id=i, reliability=float(rng.random()), lat=opening.lat + rng.normal(0, 0.05)
        )
        for i in range(60)
    ]
    pool = CandidatePool.from_profiles(profiles, [opening.text])
    learned = rank(opening, pool, k=10, reranker=simulation.model)
    assert all(m.learned_score is not None for m in learned)
    values = [m.learned_score for m in learned]
    assert values == sorted(values, reverse=True)
    simulation.model.better_than_rules_ = False
    try:
        plain = rank(opening, pool, k=10, reranker=simulation.model)
    finally:
        simulation.model.better_than_rules_ = True
    assert all(m.learned_score is None for m in plain)
    assert plain == rank(opening, pool, k=10)
