"""The open openings compiled for "which openings fit this candidate" (`OpeningIndex`).

Invalidation rule: every use reads each open opening's and its clinic's last change (a narrow
query) and recompiles only the openings whose stamps moved; the whole index starts afresh when
the text space is a new one or a new day begins (an opening is judged on the day it was
compiled). Loading and compiling all 2,000 on every candidate dashboard took about two seconds.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from sqlalchemy import select

from agency.models import Clinic, Opening, OpeningStatus
from agency.services.engine.pool import load_opening_specs, plain_rows
from matching.ranking import OpeningIndex
from matching.scorer import MatchScorer
from matching.similarity import TextSpace


class OpeningIndexCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: OpeningIndex | None = None
        self._stamps: dict[int, tuple[Any, Any]] = {}
        self._today: date | None = None

    def clear(self) -> None:
        with self._lock:
            self._index, self._stamps, self._today = None, {}, None

    def current(self, space: TextSpace, scorer: MatchScorer) -> OpeningIndex:
        # Plain tuples: the stamps are only compared with the last call's, and converting
        # 2,000 pairs of timestamps took most of this function's time.
        stamps = {
            oid: (changed, clinic_changed)
            for oid, changed, clinic_changed in plain_rows(
                select(Opening.id, Opening.updated_at, Clinic.updated_at)
                .outerjoin(Opening.clinic)
                .where(Opening.status == OpeningStatus.OPEN)
            )
        }
        today = date.today()
        with self._lock:
            if self._index is None or self._index.text_space is not space or self._today != today:
                self._index, self._stamps, self._today = OpeningIndex(space, scorer), {}, today
            index = self._index
            for oid in [oid for oid in self._stamps if oid not in stamps]:
                index.remove(oid)
                del self._stamps[oid]
            stale = [oid for oid, stamp in stamps.items() if self._stamps.get(oid) != stamp]
        # Outside the lock: loading runs queries.
        specs = load_opening_specs(stale) if stale else []
        with self._lock:
            for spec in specs:
                index.put(spec)
                self._stamps[spec.id] = stamps[spec.id]
        return index
