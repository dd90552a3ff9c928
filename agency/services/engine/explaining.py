"""Explanations of pool rows (a score with its reasons) and their memo.

Invalidation rule of the memo: none by hand. An entry is keyed by everything its result is a
function of (the pool's generation and version, the opening's spec, the candidate ids), so a
changed profile or opening simply misses; the least recently used entries go first once the
memo holds `limit` explanations.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import replace

from matching.features import OpeningSpec
from matching.ranking import CandidatePool
from matching.scorer import MatchExplanation, MatchScorer

# A few kilobytes each: 6,000 (a busy morning's reviews of 100-odd openings) stay near 30 MB.
EXPLAINED_CACHED = 6000

Explained = dict[int, MatchExplanation]


def explain_rows(
    spec: OpeningSpec, pool: CandidatePool, candidate_ids: Sequence[int], scorer: MatchScorer
) -> Explained:
    """Explanations from the pool's own rows (no reload, no re-encoding): the numbers `rank`
    gives the same rows. Candidates not in the pool are left out."""
    present = [cid for cid in candidate_ids if cid in pool]
    if not present:
        return {}
    query = pool.compile(spec, scorer)
    rows = pool.rows_for(present)
    cosines = pool.text_cosine(rows, pool.text_space.vector(spec.text))
    explained = scorer.explain_rows(pool.store, rows, query, cosines, pool.layout)
    return dict(zip(present, explained, strict=True))


class ExplanationCache:
    """A bounded LRU of explained rows, shared by the threads of one process."""

    def __init__(self, limit: int = EXPLAINED_CACHED) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Explained] = OrderedDict()

    def get(self, key: Hashable) -> Explained | None:
        """A copy of the entry, so what a caller adds to `extras` never reaches the memo."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
        return _copied(found)

    def put(self, key: Hashable, explained: Explained) -> Explained:
        with self._lock:
            self._entries[key] = explained
            # Bounded by explanations, not entries: an entry holds 1 to 200 of them.
            while sum(len(e) for e in self._entries.values()) > self.limit and self._entries:
                self._entries.popitem(last=False)
        return _copied(explained)

    def cached_keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _copied(explained: Explained) -> Explained:
    return {cid: replace(e, extras=dict(e.extras)) for cid, e in explained.items()}
