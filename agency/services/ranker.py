"""Train the learned re-ranker on staff decisions and keep it only when it beats the rules.

`retrain()` is a background job (the outbox kind "retrain_ranker"): it flushes, and the job that
runs it commits. Every trained model is saved with its evaluation; the best one is active.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select, update

from agency.extensions import db
from agency.models import Decision, RankerModel, utcnow
from matching.features import COMPONENTS
from matching.reranker import ReRanker
from matching.scorer import MatchScorer

# Below this many decisions (of both kinds) a held-out evaluation means nothing.
MIN_DECISIONS = 30
MIN_PER_CLASS = 5
RETRAIN_KIND = "retrain_ranker"


class RankerError(ValueError):
    """Not enough decisions to train on, in words staff can act on."""


@dataclass
class EngineStatus:
    active: RankerModel | None
    latest: RankerModel | None
    rules_version: str
    n_decisions: int
    n_positive: int
    history: list[RankerModel]

    @property
    def model_in_use(self) -> str:
        return self.active.version if self.active else self.rules_version


def _clean(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def training_set() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(component matrix with NaN where a component did not apply, labels, opening groups)."""
    rows = db.session.execute(
        select(Decision.components, Decision.positive, Decision.opening_id, Decision.id).order_by(
            Decision.id
        )
    ).all()
    X = np.full((len(rows), len(COMPONENTS)), np.nan)
    y = np.zeros(len(rows), dtype=np.int64)
    groups = np.zeros(len(rows), dtype=np.int64)
    for i, (components, positive, opening_id, decision_id) in enumerate(rows):
        for j, name in enumerate(COMPONENTS):
            value = (components or {}).get(name)
            if value is not None:
                X[i, j] = float(value)
        y[i] = 1 if positive else 0
        # A decision whose opening was deleted is its own group.
        groups[i] = opening_id if opening_id is not None else -decision_id
    return X, y, groups


def retrain(random_state: int = 0) -> RankerModel:
    """Fit on every decision, save the model with its held-out NDCG@10 and AUC versus the rules,
    and make it the active one only when it wins. Raises RankerError with too little data."""
    X, y, groups = training_set()
    positives = int(y.sum())
    if len(y) < MIN_DECISIONS or min(positives, len(y) - positives) < MIN_PER_CLASS:
        raise RankerError(
            f"Need at least {MIN_DECISIONS} decisions with {MIN_PER_CLASS} of each kind "
            f"(chosen and rejected); there are {len(y)} ({positives} chosen)."
        )
    model = ReRanker(random_state=random_state).fit(X, y, groups=groups)
    metrics = model.metrics_
    row = db.session.execute(
        select(RankerModel).where(RankerModel.version == model.version_)
    ).scalar_one_or_none()
    if row is None:
        row = RankerModel(version=model.version_)
        db.session.add(row)
    row.trained_at = utcnow()
    row.n_decisions = len(y)
    row.ndcg_model = _clean(metrics.get("ndcg10_model"))
    row.ndcg_rules = _clean(metrics.get("ndcg10_rules"))
    row.auc_model = _clean(metrics.get("auc_model"))
    row.auc_rules = _clean(metrics.get("auc_rules"))
    row.sklearn_version = model.sklearn_version_
    row.params = {k: _json_safe(v) for k, v in model.to_json().items()}
    db.session.flush()
    if model.better_than_rules_:
        db.session.execute(update(RankerModel).where(RankerModel.id != row.id).values(active=False))
        row.active = True
    else:
        row.active = False
    db.session.flush()
    return row


def _json_safe(value: object) -> object:
    """NaN is not JSON (PostgreSQL rejects it): store None instead."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def status(history: int = 10) -> EngineStatus:
    active = db.session.execute(
        select(RankerModel).where(RankerModel.active.is_(True)).limit(1)
    ).scalar_one_or_none()
    models = list(
        db.session.execute(
            select(RankerModel).order_by(RankerModel.trained_at.desc()).limit(history)
        ).scalars()
    )
    n_all, n_pos = db.session.execute(
        select(func.count(Decision.id), func.count(Decision.id).filter(Decision.positive))
    ).one()
    return EngineStatus(
        active=active,
        latest=models[0] if models else None,
        rules_version=MatchScorer().model_version,
        n_decisions=int(n_all or 0),
        n_positive=int(n_pos or 0),
        history=models,
    )


def active_model() -> ReRanker | None:
    """The active re-ranker, for ranking code that wants to use it."""
    row = db.session.execute(
        select(RankerModel).where(RankerModel.active.is_(True)).limit(1)
    ).scalar_one_or_none()
    return ReRanker.from_json(row.params) if row else None
