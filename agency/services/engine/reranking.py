"""The learned re-ranker in ranking: the active model (trained by `services.ranker` on staff
decisions) re-orders a rule-ranked slate.

Invalidation rule: every use reads which version is active (one narrow query) and loads the
model only when that version changed.
"""

from __future__ import annotations

import threading

import numpy as np
from sqlalchemy import select

from agency.extensions import db
from agency.models import RankerModel
from matching.ranking import RankedMatch
from matching.reranker import ReRanker
from matching.scorer import COMPONENTS


class ReRankerCache:
    """The active re-ranker of this process, loaded once per version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: ReRanker | None = None
        self._version: str | None = None

    def active(self) -> ReRanker | None:
        """The re-ranker staff decisions trained, when one beat the rules offline (else None)."""
        row = db.session.execute(
            select(RankerModel.version, RankerModel.params)
            .where(RankerModel.active.is_(True))
            .limit(1)
        ).first()
        if row is None:
            return None
        version, params = row
        with self._lock:
            if self._version != version:
                self._model, self._version = ReRanker.from_json(params), version
            return self._model

    def clear(self) -> None:
        with self._lock:
            self._model, self._version = None, None


def slate_size(k: int, model: ReRanker | None, limit: int | None = None) -> int:
    """How many to rank by the rules: a wider slate than shown when a model re-orders it, so
    the learned order can lift someone into the top k."""
    if model is None:
        return k
    return 2 * k if limit is None else min(2 * k, limit)


def learned_order(results: list[RankedMatch], model: ReRanker | None, k: int) -> list[RankedMatch]:
    """The top k of `results` in the model's order (eligible first); the rule-based explanation,
    whose contributions add up to the score, is kept and the learned probability added as
    `extras["learned_score"]`."""
    if model is None or not results:
        return results[:k]
    X = np.array(
        [[m.explanation.components.get(c, np.nan) for c in COMPONENTS] for m in results],
        dtype=np.float64,
    )
    learned = model.rescore(X)
    for match, value in zip(results, learned, strict=True):
        match.explanation.extras["learned_score"] = round(float(value), 1)
        match.explanation.extras["ranker_version"] = model.version_
    order = sorted(
        range(len(results)), key=lambda i: (not results[i].eligible, -learned[i], -results[i].score)
    )
    return [results[i] for i in order[:k]]
