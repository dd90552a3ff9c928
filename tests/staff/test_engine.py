"""Engine page, the retrain button (through the outbox) and the ranker service."""

from __future__ import annotations

import numpy as np
import pytest

from agency.extensions import db
from agency.models import Decision, OutboxMessage, RankerModel
from agency.services import ranker
from matching.features import COMPONENTS


def _decisions(n_openings: int, hidden: str, make_opening) -> None:
    """Staff who always pick the candidates nearest the clinic."""
    rng = np.random.default_rng(1)
    for _ in range(n_openings):
        opening = make_opening()
        values = rng.beta(4, 2, size=(10, len(COMPONENTS)))
        chosen = set(np.argsort(-values[:, COMPONENTS.index(hidden)])[:3])
        for i, row in enumerate(values):
            db.session.add(
                Decision(
                    opening_id=opening.id,
                    stage="shortlisted" if i in chosen else "rejected",
                    positive=i in chosen,
                    components=dict(zip(COMPONENTS, map(float, row), strict=False)),
                    score=50.0,
                )
            )
    db.session.commit()


def test_engine_page_shows_the_rules_model_when_nothing_is_trained(client, staff) -> None:
    html = client.get("/staff/engine").get_data(as_text=True)
    assert "Model in use" in html and "rules-" in html
    assert "No re-ranker trained yet" in html


def test_retrain_button_enqueues_one_job_a_minute(client, staff) -> None:
    assert client.post("/staff/engine/retrain").status_code == 302
    second = client.post("/staff/engine/retrain", follow_redirects=True)
    rows = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert [r.kind for r in rows] == ["retrain_ranker"]
    assert rows[0].dedupe_key.startswith("retrain:")
    assert "already requested" in second.get_data(as_text=True)


def test_retrain_needs_enough_decisions(app) -> None:
    with pytest.raises(ranker.RankerError, match="Need at least"):
        ranker.retrain()


def test_retrain_learns_a_distance_preference_and_activates(
    app, make_opening, client, staff
) -> None:
    _decisions(24, "distance", make_opening)
    model = ranker.retrain()
    db.session.commit()
    assert model.n_decisions == 240
    assert model.ndcg_model is not None and model.ndcg_rules is not None
    assert model.active == (model.ndcg_model > model.ndcg_rules)
    assert model.active  # distance-only staff: the rules cannot match that
    assert model.params["kind"] == "matching.reranker.ReRanker"
    html = client.get("/staff/engine").get_data(as_text=True)
    assert model.version in html and "learned re-ranker" in html
    assert ranker.active_model() is not None
    # Retraining on the same data keeps one row for the same version.
    ranker.retrain()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(RankerModel.id))) == 1


def test_retrain_job_runs_through_the_outbox(app, make_opening, client, staff) -> None:
    from agency.services import delivery

    _decisions(24, "distance", make_opening)
    client.post("/staff/engine/retrain")
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    delivery.deliver(message.id)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "sent"
    assert db.session.scalar(db.select(db.func.count(RankerModel.id))) == 1
