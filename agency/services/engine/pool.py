"""The process's candidate pool (arrays), kept current with the database, and its text space.

Invalidation, one rule each:
- the pool is built on first use; every later use applies the candidates whose `updated_at`
  moved since the last use (with a short look-back), so a profile edit shows without a reload;
  `reset()` drops it (a bulk load, tests);
- the TF-IDF text space is fitted once per pool (on the corpus the pool is built from) and is
  dropped with it. It can be fitted before the pool, from the texts alone, so that one pair is
  explained without building the pool; the pool built later reuses it.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from agency.extensions import db
from agency.models import Candidate, CandidateStatus, utcnow
from agency.services.engine import loading
from matching.ranking import CandidatePool
from matching.similarity import TextSpace

# How far each sync looks back before the last one: a transaction that stamped updated_at
# before our last check but committed after it would otherwise be missed.
SYNC_OVERLAP = timedelta(seconds=10)


class PoolCache:
    """The pool and its text space, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: CandidatePool | None = None
        self._space: TextSpace | None = None
        # Bumped by every build: with the pool's own version it names one state of the rows.
        self.generation = 0
        self._synced_at: datetime | None = None
        # The change each candidate was last applied at, within the look-back window: without
        # it every request in the window re-applied the same rows and bumped the version.
        self._applied: dict[int, datetime] = {}

    def reset(self) -> None:
        with self._lock:
            self._pool, self._space, self._synced_at, self._applied = None, None, None, {}

    @property
    def built(self) -> bool:
        return self._pool is not None

    def get(self) -> CandidatePool:
        """The pool, current with the database."""
        with self._lock:
            now = utcnow()
            if self._pool is None:
                self._pool = self._build()
                self._applied = {}
            elif self._synced_at is not None:
                self._sync(self._synced_at - SYNC_OVERLAP)
            self._synced_at = now
            return self._pool

    def text_space(self) -> TextSpace:
        """The pool's text space; fitted from the texts alone when the pool is not built yet."""
        with self._lock:
            if self._space is None:
                self._space = TextSpace(min_df=1).fit(loading.corpus())
            return self._space

    def refresh(self, candidate_id: int) -> None:
        """Apply one candidate's change now (the next use would also pick it up)."""
        with self._lock:
            if self._pool is None:
                return
            status = db.session.execute(
                select(Candidate.status).where(Candidate.id == candidate_id)
            ).scalar_one_or_none()
            if status == CandidateStatus.ACTIVE.value:
                self._apply([candidate_id], [])
            else:
                self._apply([], [candidate_id])

    def forget(self, candidate_ids: list[int]) -> None:
        """Drop candidates whose rows were deleted outright (a sync only sees updates)."""
        with self._lock:
            if self._pool is None:
                return
            for cid in candidate_ids:
                if cid in self._pool:
                    self._pool.remove(cid)

    def _build(self) -> CandidatePool:
        self.generation += 1
        profiles = loading.load_profiles(loading.active())
        if self._space is not None:
            return CandidatePool.from_profiles(profiles, text_space=self._space)
        texts = [spec.text for spec in loading.load_opening_specs()]
        pool = CandidatePool.from_profiles(profiles, opening_texts=texts)
        self._space = pool.text_space
        return pool

    def _sync(self, since: datetime) -> None:
        """Apply the candidates changed since `since` that this pool has not applied yet."""
        stamps = db.session.execute(
            select(Candidate.id, Candidate.updated_at, Candidate.status).where(
                Candidate.updated_at > since
            )
        ).all()
        for cid in [cid for cid, at in self._applied.items() if at <= since]:
            del self._applied[cid]
        fresh = [(cid, at, status) for cid, at, status in stamps if self._applied.get(cid) != at]
        if not fresh:
            return
        for cid, at, _status in fresh:
            self._applied[cid] = at
        active = [cid for cid, _at, status in fresh if status == CandidateStatus.ACTIVE.value]
        gone = [cid for cid, _at, status in fresh if status != CandidateStatus.ACTIVE.value]
        self._apply(active, gone)

    def _apply(self, active: list[int], gone: list[int]) -> None:
        """Make the pool's rows for these candidates match the database."""
        assert self._pool is not None
        for cid in gone:
            if cid in self._pool:
                self._pool.remove(cid)
        if active:
            for profile in loading.load_profiles(Candidate.id.in_(active)):
                if profile.id in self._pool:
                    self._pool.update(profile)
                else:
                    self._pool.add(profile)
