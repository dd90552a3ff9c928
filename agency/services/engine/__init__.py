"""The engine bridge: the one object between the database and the matching engine.

Each app owns one `Engine` (`app.extensions["engine"]`, reached with `engine()`); tests get a
fresh one with every app. Its interface:

- `pool()`: a lease on the candidate pool (arrays), current with the database:
  `with bridge.pool() as pool:` (the arrays hold still until the block ends; keep it short);
- `explain(candidate, opening)`: one pair, read from the candidate's own rows (never builds
  the pool); `explain_in_pool(opening, ids)`: pool rows, memoized;
- `rank(opening, k)`: the top k of the pool (re-ordered by the learned re-ranker when one is
  active); `stored_ranking(opening, k)`: the same read from the Match rows the workers keep;
  `openings_for(candidate)`: the other direction;
- `rescore_opening(id)`, `rescore_candidate(id)`, `rescore_all()`: write Match rows;
- `refresh_candidate(id)`: apply a committed profile change now; `reset()`: forget everything.

The engine's words for pages and forms are module functions here (no state): `taxonomy()`,
`name_of(code)`, `COMPONENT_LABELS`, `availability_in_words(mask)`. Blueprints and forms reach
`matching` only through this module (an import contract).

Its caches are its own attributes, each with one invalidation rule written where it is kept:
`pools` (pool.py), `explanations` (explaining.py), `rerankers` (`ReRankerCache` below: the
learned re-ranker only re-orders what `rank` and `stored_ranking` found, so it lives with them)
and `openings` (openings.py). Modules by job: pool (stored rows -> engine records, and the
pool kept current), explaining, openings, rescoring; ranking and re-ranking here.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager

import numpy as np
from flask import Flask, current_app
from sqlalchemy import select

from agency.extensions import db
from agency.models import Candidate, CandidateStatus, Match, Opening, RankerModel
from agency.services import reliability
from agency.services.engine import rescoring
from agency.services.engine.explaining import ExplanationCache, explain_rows
from agency.services.engine.openings import OpeningIndexCache
from agency.services.engine.pool import PoolCache, load_opening_specs, load_profile, opening_spec
from agency.services.engine.rescoring import STORED_MATCHES_PER_OPENING
from matching.features import OpeningSpec
from matching.ranking import CandidatePool, OpeningIndex, OpeningMatch, RankedMatch, rank
from matching.reranker import ReRanker
from matching.scorer import COMPONENTS, LABELS, MatchExplanation, MatchScorer
from matching.similarity import TextSpace
from matching.taxonomy import Taxonomy, load_taxonomy
from matching.week import describe_blocks

__all__ = [
    "COMPONENT_LABELS",
    "STORED_MATCHES_PER_OPENING",
    "Engine",
    "MatchExplanation",
    "availability_in_words",
    "engine",
    "init_app",
    "name_of",
    "taxonomy",
]


class Engine:
    """The bridge of one app: see the module's docstring for the interface."""

    def __init__(self, explained_cached: int | None = None) -> None:
        self.scorer = MatchScorer()
        self.pools = PoolCache()
        self.explanations = (
            ExplanationCache() if explained_cached is None else ExplanationCache(explained_cached)
        )
        self.rerankers = ReRankerCache()
        self.openings = OpeningIndexCache()

    def reset(self) -> None:
        """Forget every cache (a bulk load, or tests that empty the tables)."""
        self.pools.reset()
        reliability.forget_prior()  # a new pool takes the population's mean afresh
        self.explanations.clear()
        self.rerankers.clear()
        self.openings.clear()

    # -- reading ---------------------------------------------------------------------------
    def pool(self) -> AbstractContextManager[CandidatePool]:
        """`with bridge.pool() as pool:` a lease on the pool (see PoolCache.reading)."""
        return self.pools.reading()

    def text_space(self) -> TextSpace:
        return self.pools.text_space()

    def opening_specs(self, ids: Sequence[int]) -> list[OpeningSpec]:
        """The engine's records of these open openings."""
        return load_opening_specs(ids)

    def refresh_candidate(self, candidate_id: int) -> None:
        self.pools.refresh(candidate_id)

    # -- explaining ------------------------------------------------------------------------
    def explain(self, candidate: Candidate, opening: Opening) -> MatchExplanation:
        """Score one pair at once (microseconds), e.g. right after a candidate applies: the
        candidate's own rows (whatever their status) and the pool's text space, which is fitted
        from the texts alone when the pool is not built yet."""
        profile = load_profile(candidate.id)
        if profile is None:
            raise LookupError(f"no candidate {candidate.id}")
        spec = opening_spec(opening)
        return self.scorer.explain(profile, spec, text_space=self.text_space())

    def explain_in_pool(
        self, opening: Opening, candidate_ids: Sequence[int]
    ) -> dict[int, MatchExplanation]:
        """Explanations for these candidates from the pool's own rows (no reload): the numbers
        `rank` gives, so a breakdown opened from the review list adds up to the score shown
        there. Candidates not in the pool (not active) are left out.

        Memoized (the review page explains the same stored proposals on every view, a fifth of
        its time). Callers get copies: what they add to `extras` never reaches the memo.
        """
        spec = opening_spec(opening)
        with self.pool() as pool:
            # The spec's repr is its full value (its dicts and sets are not hashable).
            key = (self.pools.generation, pool.version, repr(spec), tuple(candidate_ids))
            found = self.explanations.get(key)
            if found is not None:
                return found
            explained = explain_rows(spec, pool, candidate_ids, self.scorer)
        return self.explanations.put(key, explained)

    # -- ranking ---------------------------------------------------------------------------
    def rank(
        self, opening: Opening, k: int = 50, include_ineligible: bool = False
    ) -> list[RankedMatch]:
        """The pool's top k for an opening, ranked live; re-ordered by the learned re-ranker
        when one is active (its probability in `explanation.extras["learned_score"]`)."""
        model = self.rerankers.active()
        spec = opening_spec(opening)
        with self.pool() as pool:
            results = rank(
                spec,
                pool,
                k=slate_size(k, model),
                scorer=self.scorer,
                include_ineligible=include_ineligible,
            )
        return learned_order(results, model, k)

    def stored_ranking(self, opening: Opening, k: int) -> list[RankedMatch] | None:
        """The opening's top k eligible candidates read from its Match rows, which the workers
        keep current; None when no full rescore has read the opening since its last change, or
        k is past the rows kept.

        Reading them instead of ranking the whole pool on every page view keeps the review page
        cheap at 100,000 candidates: only the k shown (plus the re-ranker's slate) are
        explained, from the pool's current rows, so a row is never staler than the pool.
        """
        if k > STORED_MATCHES_PER_OPENING:
            return None
        # Only a full rescore of the opening stands for its proposals: a candidate's own
        # rescore adds one row per opening, which is not a ranking.
        if opening.scored_at is None or opening.scored_at < opening.updated_at:
            return None
        model = self.rerankers.active()
        ids = list(
            db.session.execute(
                select(Match.candidate_id)
                .where(Match.opening_id == opening.id, Match.eligible.is_(True))
                .order_by(Match.score.desc(), Match.candidate_id)
                .limit(slate_size(k, model, STORED_MATCHES_PER_OPENING))
            ).scalars()
        )
        results = [
            RankedMatch(cid, e.score, e.eligible, e)
            for cid, e in self.explain_in_pool(opening, ids).items()
            if e.eligible
        ]
        results.sort(key=lambda m: (-m.score, m.candidate_id))
        return learned_order(results, model, k)

    def openings_for(self, candidate: Candidate, k: int = 10) -> list[OpeningMatch]:
        """The open openings that fit this candidate best, with reasons (none for an erased
        person: they are in no ranking, either way round)."""
        if candidate.status == CandidateStatus.ERASED:
            return []
        profile = load_profile(candidate.id)
        if profile is None:
            return []
        return self.opening_index().rank(profile, k=k)

    def opening_index(self) -> OpeningIndex:
        """The compiled open openings, current with the database."""
        return self.openings.current(self.text_space(), self.scorer)

    # -- writing ---------------------------------------------------------------------------
    def save_match(self, candidate_id: int, opening_id: int, expl: MatchExplanation) -> None:
        rescoring.save_match(candidate_id, opening_id, expl)

    def rescore_opening(self, opening_id: int) -> int:
        return rescoring.rescore_opening(self, opening_id)

    def rescore_candidate(self, candidate_id: int) -> int:
        return rescoring.rescore_candidate(self, candidate_id)

    def rescore_all(self) -> int:
        return rescoring.rescore_all(self)


# -- the learned re-ranker: re-orders a rule-ranked slate ----------------------------------


class ReRankerCache:
    """The active re-ranker of this process (trained by `services.ranker` on staff decisions),
    loaded once per version.

    Invalidation rule: every use reads which version is active (one narrow query) and loads the
    model only when that version changed.
    """

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


def init_app(app: Flask) -> None:
    app.extensions["engine"] = Engine()


def engine() -> Engine:
    """The current app's engine bridge."""
    found: Engine = current_app.extensions["engine"]
    return found


# -- the engine's words ---------------------------------------------------------------------

# What each score component is called on a breakdown.
COMPONENT_LABELS: dict[str, str] = LABELS


def taxonomy() -> Taxonomy:
    """The skills, credentials, EHR systems and languages the engine knows (loaded once)."""
    return load_taxonomy()


def name_of(code: str) -> str:
    """The display name of any skill, credential, EHR or language code."""
    return load_taxonomy().name_of(code)


def availability_in_words(mask: int) -> list[str]:
    """The weekly availability mask as "Mon morning", ... (empty when none)."""
    return describe_blocks(mask)
