"""Learned re-ranker on staff decisions (component vectors), used only when it beats the rules."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from matching.features import COMPONENTS
from matching.scorer import DEFAULT_WEIGHTS, scores_from_components

F64 = npt.NDArray[np.float64]
RULE_WEIGHTS = np.array([DEFAULT_WEIGHTS[c] for c in COMPONENTS])


def ndcg_at_k(scores: F64, labels: F64, groups: npt.NDArray[Any], k: int = 10) -> float:
    """Mean NDCG@k over groups (openings) that have at least one positive decision."""
    values = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        rel = labels[idx]
        if rel.max() <= 0:
            continue
        # Ties are broken against the ranker (positives last) so constant scores earn nothing.
        order = np.lexsort((rel, -scores[idx]))[:k]
        discounts = 1.0 / np.log2(np.arange(2, len(order) + 2))
        dcg = float((rel[order] * discounts).sum())
        ideal = float((np.sort(rel)[::-1][: len(order)] * discounts).sum())
        values.append(dcg / ideal)
    return float(np.mean(values)) if values else 0.0


class ReRanker(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression on component vectors (NaN = not applicable, filled with the mean).

    `fit` holds out a share of the openings (groups) to compare NDCG@10 and AUC with the
    rule-based score, then refits on everything; `better_than_rules_` says whether to use it.
    """

    def __init__(self, C: float = 1.0, test_size: float = 0.25, random_state: int = 0) -> None:
        self.C = C
        self.test_size = test_size
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags

    def _features(self, X: F64) -> F64:
        return np.where(np.isnan(X), self.fill_, X)

    def fit(self, X: Any, y: Any, groups: Any = None) -> ReRanker:
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64)
        self.classes_ = unique_labels(y)
        if len(self.classes_) > 2:
            raise ValueError("Only binary classification is supported (chosen vs rejected).")
        if len(self.classes_) < 2:
            raise ValueError("ReRanker needs decisions of both kinds; got 1 class")
        target = (y == self.classes_[1]).astype(np.float64)
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        self.metrics_ = self._holdout_metrics(X, target, groups)
        self.better_than_rules_ = bool(
            self.metrics_["ndcg10_model"] > self.metrics_["ndcg10_rules"]
            and self.metrics_["auc_model"] >= self.metrics_["auc_rules"]
        )
        self._fit_core(X, target)
        blob = json.dumps([self.coef_.tolist(), self.intercept_.tolist()]).encode()
        self.version_ = f"reranker-{hashlib.sha256(blob).hexdigest()[:10]}"
        self.sklearn_version_ = sklearn.__version__
        return self

    def _fit_core(self, X: F64, target: F64) -> None:
        fill = np.nanmean(np.where(np.isnan(X).all(axis=0), 0.0, X), axis=0) if len(X) else None
        self.fill_ = np.nan_to_num(np.asarray(fill, dtype=np.float64), nan=0.0)
        model = LogisticRegression(C=self.C, max_iter=1000, random_state=self.random_state)
        model.fit(self._features(X), target)
        self.coef_ = model.coef_[0].astype(np.float64)
        self.intercept_ = np.asarray(model.intercept_, dtype=np.float64)

    def _holdout_metrics(self, X: F64, target: F64, groups: npt.NDArray[Any]) -> dict[str, float]:
        split = GroupShuffleSplit(
            n_splits=1, test_size=self.test_size, random_state=self.random_state
        )
        train, test = next(split.split(X, target, groups))
        nan = float("nan")
        metrics = {"n_train": float(len(train)), "n_test": float(len(test))}
        if len(np.unique(target[train])) < 2 or len(np.unique(target[test])) < 2:
            return {
                **metrics,
                "auc_model": nan,
                "auc_rules": nan,
                "ndcg10_model": 0.0,
                "ndcg10_rules": 0.0,
            }
        self._fit_core(X[train], target[train])
        model_scores = self.decision_function(X[test])
        rule_scores = rule_score(X[test]) if X.shape[1] == len(COMPONENTS) else np.zeros(len(test))
        return {
            **metrics,
            "auc_model": float(roc_auc_score(target[test], model_scores)),
            "auc_rules": float(roc_auc_score(target[test], rule_scores)),
            "ndcg10_model": ndcg_at_k(model_scores, target[test], groups[test]),
            "ndcg10_rules": ndcg_at_k(rule_scores, target[test], groups[test]),
        }

    def decision_function(self, X: Any) -> F64:
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        return np.asarray(self._features(X) @ self.coef_ + self.intercept_[0])

    def predict_proba(self, X: Any) -> F64:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> npt.NDArray[Any]:
        check_is_fitted(self, "coef_")
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])

    def rescore(self, X: Any) -> F64:
        """0-100 scores for ranking (probability that staff would choose the candidate)."""
        return np.asarray(100.0 * self.predict_proba(X)[:, 1])

    def to_json(self) -> dict[str, Any]:
        check_is_fitted(self, "coef_")
        return {
            "kind": "matching.reranker.ReRanker",
            "version": self.version_,
            "sklearn_version": self.sklearn_version_,
            "params": self.get_params(),
            "features": list(COMPONENTS) if self.n_features_in_ == len(COMPONENTS) else None,
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
            "fill": self.fill_.tolist(),
            "metrics": self.metrics_,
            "better_than_rules": self.better_than_rules_,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReRanker:
        model = cls(**data["params"])
        model.classes_ = np.asarray(data["classes"])
        model.coef_ = np.asarray(data["coef"], dtype=np.float64)
        model.intercept_ = np.asarray(data["intercept"], dtype=np.float64)
        model.fill_ = np.asarray(data["fill"], dtype=np.float64)
        model.n_features_in_ = len(model.coef_)
        model.metrics_ = dict(data["metrics"])
        model.better_than_rules_ = bool(data["better_than_rules"])
        model.version_ = data["version"]
        model.sklearn_version_ = data["sklearn_version"]
        return model


def rule_score(X: F64) -> F64:
    return scores_from_components(X, RULE_WEIGHTS)


@dataclass
class SimulationResult:
    model: ReRanker
    hidden_weights: dict[str, float]
    n_decisions: int
    ndcg10_model: float
    ndcg10_rules: float
    auc_model: float
    auc_rules: float


def simulated_decisions(
    n_openings: int, per_opening: int, hidden: F64, rng: np.random.Generator
) -> tuple[F64, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Component vectors of shortlists and the staff's choices under a hidden preference."""
    n = n_openings * per_opening
    X = rng.beta(4.0, 2.0, size=(n, len(COMPONENTS)))
    X[:, COMPONENTS.index("typing")] = np.nan  # a front-desk shortlist: typing does not apply
    no_history = rng.random(n) < 0.3
    X[no_history, COMPONENTS.index("reliability")] = np.nan
    utility = np.nan_to_num(X, nan=0.5) @ hidden + rng.normal(0.0, 0.05, n)
    groups = np.repeat(np.arange(n_openings), per_opening)
    y = np.zeros(n, dtype=np.int64)
    for g in range(n_openings):
        idx = np.flatnonzero(groups == g)
        y[idx[np.argsort(-utility[idx])[:3]]] = 1  # staff shortlist their three favourites
    return X, y, groups


def simulate_staff_preference(
    n_decisions: int = 400,
    per_opening: int = 20,
    seed: int = 0,
    hidden: dict[str, float] | None = None,
) -> SimulationResult:
    """Staff who weigh distance and track record (not resume wording) decide: is it learned?"""
    rng = np.random.default_rng(seed)
    hidden = hidden or {"distance": 3.0, "reliability": 3.0, "skills": 1.0, "availability": 0.5}
    w = np.array([hidden.get(c, 0.0) for c in COMPONENTS])
    X, y, groups = simulated_decisions(max(n_decisions // per_opening, 2), per_opening, w, rng)
    model = ReRanker(random_state=seed).fit(X, y, groups=groups)
    Xt, yt, gt = simulated_decisions(200, per_opening, w, rng)
    model_scores, rule_scores = model.decision_function(Xt), rule_score(Xt)
    return SimulationResult(
        model=model,
        hidden_weights=hidden,
        n_decisions=len(y),
        ndcg10_model=ndcg_at_k(model_scores, yt.astype(np.float64), gt),
        ndcg10_rules=ndcg_at_k(rule_scores, yt.astype(np.float64), gt),
        auc_model=float(roc_auc_score(yt, model_scores)),
        auc_rules=float(roc_auc_score(yt, rule_scores)),
    )
