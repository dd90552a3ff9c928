"""Candidate pool held as arrays; vectorised top-k ranking for an opening; openings for a person."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.constraints import eligible, eligible_rows
from matching.features import (
    COMPONENTS,
    DISTANCE_HALF_MILES,
    MAX_LEVEL,
    NOT_HELD,
    TEXT_FULL_COSINE,
    CandidateColumns,
    CandidateProfile,
    EncodedRows,
    Layout,
    OpeningQuery,
    OpeningSpec,
    compile_cached,
    compile_opening,
    encode_columns,
    encode_profiles,
    popcount,
)
from matching.geo import LatitudeIndex, haversine_miles
from matching.scorer import (
    MatchExplanation,
    MatchScorer,
    _pay_component,
    component_values,
    gate_from_skills,
    opening_text_vector,
    scores_from_components,
)
from matching.similarity import SparseVector, TextSpace, cosine

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Idx = npt.NDArray[np.intp]
# Rows whose text changed since the sparse matrix was built; rebuilt once there are this many.
MAX_TEXT_OVERRIDES = 4096
BULK_ROWS = 1024
RERANK_SHORTLIST = 10  # the re-ranker re-orders this many times k of the rules' best
# Added to an eligible row's score when ordering: every eligible candidate comes before every
# ineligible one, whatever the scores (a score is at most 100).
ELIGIBLE_FIRST = 1000.0


@dataclass
class RankedMatch:
    candidate_id: int
    score: float
    eligible: bool
    explanation: MatchExplanation
    learned_score: float | None = None  # the re-ranker's 0-100 score when it ordered the list


@dataclass
class OpeningMatch:
    opening_id: int
    score: float
    eligible: bool
    explanation: MatchExplanation


class CandidatePool:
    """One row per candidate in float32/int arrays, updated in place; TF-IDF text as CSR."""

    def __init__(
        self, text_space: TextSpace, layout: Layout | None = None, capacity: int = 1024
    ) -> None:
        self.layout = layout or Layout()
        self.text_space = text_space
        self.store = encode_profiles([], self.layout)
        self.ids = np.zeros(0, dtype=np.int64)
        self.active = np.zeros(0, dtype=bool)
        self.n_rows = 0
        self.row_of: dict[int, int] = {}
        self.text_matrix: sp.csr_matrix = sp.csr_matrix(
            (0, len(text_space.vocabulary_)), dtype=np.float32
        )
        self.text_overrides: dict[int, SparseVector] = {}
        # Bumped by every change to the rows: what was computed from the pool at one version
        # still holds while the version is the same (callers key caches on it).
        self.version = 0
        # Sorted on the first ranking that needs it; rows rewritten later are noted in it.
        self._lat_index: LatitudeIndex | None = None
        self._reserve(capacity)

    @classmethod
    def from_profiles(
        cls,
        profiles: Sequence[CandidateProfile],
        opening_texts: Iterable[str] = (),
        text_space: TextSpace | None = None,
        layout: Layout | None = None,
    ) -> CandidatePool:
        """Build a pool; the TF-IDF space is fitted on the resumes and opening texts together."""
        if text_space is None:
            corpus = [p.text for p in profiles] + list(opening_texts)
            text_space = TextSpace(min_df=1).fit(corpus)
        pool = cls(text_space, layout, capacity=max(len(profiles), 16))
        pool._append(profiles, bulk=True)
        return pool

    def __len__(self) -> int:
        return len(self.row_of)

    def __contains__(self, candidate_id: object) -> bool:
        return candidate_id in self.row_of

    def add(self, profile: CandidateProfile) -> None:
        if profile.id in self.row_of:
            raise KeyError(f"candidate {profile.id} is already in the pool; use update()")
        self._append([profile])

    def update(self, profile: CandidateProfile) -> None:
        row = self.row_of.get(profile.id)
        if row is None:
            self._append([profile])
            return
        self._write(slice(row, row + 1), encode_profiles([profile], self.layout))
        self._set_text(row, profile.text)

    def remove(self, candidate_id: int) -> None:
        row = self.row_of.pop(candidate_id)
        self.active[row] = False
        self.version += 1

    def rows_for(self, candidate_ids: Iterable[int]) -> Idx:
        return np.array([self.row_of[i] for i in candidate_ids], dtype=np.intp)

    # -- storage -------------------------------------------------------------------------
    def _reserve(self, capacity: int) -> None:
        old = self.store.X.shape[0]
        if capacity <= old:
            return
        capacity = max(capacity, 2 * old)
        grown = {}
        for f in fields(EncodedRows):
            if f.name in ("credentials", "levels_t"):
                continue
            arr = getattr(self.store, f.name)
            new = np.zeros((capacity, *arr.shape[1:]), dtype=arr.dtype)
            new[:old] = arr
            grown[f.name] = new
        for name, arr in grown.items():
            setattr(self.store, name, arr)
        levels_t = np.zeros((self.store.levels_t.shape[0], capacity), dtype=np.uint8)
        levels_t[:, :old] = self.store.levels_t
        self.store.levels_t = levels_t
        for code_row, cells in list(self.store.credentials.items()):
            new_cells = np.full(capacity, NOT_HELD, dtype=np.int16)
            new_cells[:old] = cells
            self.store.credentials[code_row] = new_cells
        ids = np.zeros(capacity, dtype=np.int64)
        ids[:old] = self.ids
        active = np.zeros(capacity, dtype=bool)
        active[:old] = self.active
        self.ids, self.active = ids, active

    @classmethod
    def from_columns(
        cls,
        columns: CandidateColumns,
        texts: Sequence[str],
        text_space: TextSpace,
        layout: Layout | None = None,
        text_matrix: sp.csr_matrix | None = None,
    ) -> CandidatePool:
        """Build a pool from columns (a database's rows) and each candidate's text;
        `text_matrix` is text_space.transform(texts) when the caller has it (fit_transform)."""
        pool = cls(text_space, layout, capacity=max(len(columns), 16))
        pool._append_columns(columns, texts, text_matrix)
        return pool

    def _append(self, profiles: Sequence[CandidateProfile], bulk: bool = False) -> None:
        self._append_columns(CandidateColumns.of(profiles), [p.text for p in profiles])

    def _append_columns(
        self,
        columns: CandidateColumns,
        texts: Sequence[str],
        text_matrix: sp.csr_matrix | None = None,
    ) -> None:
        count = len(columns)
        if not count:
            return
        start = self.n_rows
        self._reserve(start + count)
        rows = slice(start, start + count)
        self._write(rows, encode_columns(columns, self.layout))
        for offset, cid in enumerate(columns.ids):
            if cid in self.row_of:
                raise KeyError(f"candidate {cid} appears twice")
            self.row_of[cid] = start + offset
        self.ids[rows] = columns.ids
        self.n_rows = start + count
        # Large batches extend the CSR matrix; single additions go to the overrides so that an
        # add does not copy the whole matrix.
        if count >= BULK_ROWS and start == self.text_matrix.shape[0] and not self.text_overrides:
            block = self.text_space.transform(texts) if text_matrix is None else text_matrix
            self.text_matrix = sp.vstack([self.text_matrix, block], format="csr")
        else:
            for offset, text in enumerate(texts):
                self._set_text(start + offset, text)

    def _write(self, rows: slice, enc: EncodedRows) -> None:
        self.version += 1
        if self._lat_index is not None:
            self._lat_index.note_changed(rows)
        s = self.store
        for f in fields(EncodedRows):
            if f.name not in ("credentials", "levels_t"):
                getattr(s, f.name)[rows] = getattr(enc, f.name)
        s.levels_t[:, rows] = enc.levels_t
        for cells in s.credentials.values():
            cells[rows] = NOT_HELD
        for code_row, cells in enc.credentials.items():
            if code_row not in s.credentials:
                s.credentials[code_row] = np.full(s.X.shape[0], NOT_HELD, dtype=np.int16)
            s.credentials[code_row][rows] = cells
        self.active[rows] = True

    def _set_text(self, row: int, text: str) -> None:
        self.text_overrides[row] = self.text_space.vector(text)
        if len(self.text_overrides) > MAX_TEXT_OVERRIDES:
            self._compact_text()

    def _compact_text(self) -> None:
        n = self.n_rows
        if not self.text_overrides:
            return
        base = self.text_matrix
        if base.shape[0] < n:
            base = sp.vstack(
                [base, sp.csr_matrix((n - base.shape[0], base.shape[1]), dtype=np.float32)]
            )
        rows = sorted(self.text_overrides)
        patch = sp.lil_matrix((n, base.shape[1]), dtype=np.float32)
        keep = np.ones(n, dtype=np.float32)
        for r in rows:
            keep[r] = 0.0
            for i, v in self.text_overrides[r].items():
                patch[r, i] = v
        self.text_matrix = (sp.diags(keep) @ base + patch.tocsr()).tocsr().astype(np.float32)
        self.text_overrides = {}

    def text_cosine(self, rows: Idx, query: SparseVector) -> F64:
        """Cosine of each row's resume with one opening's text (both already l2-normalised)."""
        out = np.zeros(len(rows), dtype=np.float64)
        if not query or len(rows) == 0:
            return out
        q = np.zeros(self.text_matrix.shape[1], dtype=np.float32)
        for i, v in query.items():
            q[i] = v
        in_matrix = rows < self.text_matrix.shape[0]
        if in_matrix.any():
            out[in_matrix] = self.text_matrix[rows[in_matrix]] @ q
        if self.text_overrides:
            # Edited resumes not yet folded into the matrix: few, so look only at those.
            edited = np.flatnonzero(np.isin(rows, np.fromiter(self.text_overrides, np.intp)))
            for j in edited:
                out[j] = cosine(self.text_overrides[int(rows[j])], query)
        return out

    def near_rows(self, q: OpeningQuery) -> Idx | None:
        """The rows, ascending, that pass the commute pre-filter of `eligible_rows` and may be
        within their commute of the opening (every row that is), read through the latitude
        index; None when the opening has no location."""
        if not q.has_location or q.opening.lat is None:
            return None
        if self._lat_index is None or self._lat_index.is_stale(self.n_rows):
            self._lat_index = LatitudeIndex(self.store, self.n_rows)
        return self._lat_index.prefiltered(self.store, self.n_rows, q.opening.lat, q.u0)

    # -- scoring -------------------------------------------------------------------------
    def compile(self, opening: OpeningSpec, scorer: MatchScorer) -> OpeningQuery:
        return compile_cached(opening, self.layout, scorer.resolved_weights())

    def linear_pass_many(self, queries: Sequence[OpeningQuery]) -> list[tuple[F32, F32]]:
        """Score numerator (without the per-row extras) and clinic dot product, for every row.

        Skills enter through the precomputed default-fit columns, so this is a plain matrix
        product over X (one per batch of openings) plus the few skills an opening changes.
        """
        n = self.n_rows
        X, xyz = self.store.X[:n], self.store.xyz[:n]
        if len(queries) == 1:
            nums, dots = [X @ queries[0].W], [xyz @ queries[0].u0]
        else:
            # One product for the batch; rows of the transposed copies are contiguous vectors.
            num_t = np.ascontiguousarray((X @ np.stack([q.W for q in queries], axis=1)).T)
            dot_t = np.ascontiguousarray((xyz @ np.stack([q.u0 for q in queries], axis=1)).T)
            nums, dots = list(num_t), list(dot_t)
        for q, num in zip(queries, nums, strict=True):
            for skill, table in q.skill_corrections:
                num += table[self.store.levels_t[skill, :n]]
            if q.typing_target is not None:
                wpm = np.minimum(self.store.wpm[:n], np.float32(q.typing_target))
                num += wpm * np.float32(q.typing_coef)
        return list(zip(nums, dots, strict=True))

    def linear_pass(self, q: OpeningQuery) -> tuple[F32, F32]:
        return self.linear_pass_many([q])[0]

    def linear_rows(self, q: OpeningQuery, rows: Idx, x_rows: F32 | None = None) -> F32:
        """The linear pass's numerator for `rows` only (the same float32 arithmetic per row);
        `x_rows` is X[rows] when the caller has gathered it.

        Ranking computes constraints first and this for the eligible rows alone: at 100,000
        candidates a typical opening keeps one or two thousand, so the product over the whole
        matrix was most of a ranking's time.
        """
        num: F32 = (self.store.X[rows] if x_rows is None else x_rows) @ q.W
        for skill, table in q.skill_corrections:
            num += table[self.store.levels_t[skill, rows]]
        if q.typing_target is not None:
            wpm = np.minimum(self.store.wpm[rows], np.float32(q.typing_target))
            num += wpm * np.float32(q.typing_coef)
        return num


def _extra_numerator(
    pool: CandidatePool, rows: Idx, q: OpeningQuery, miles: F64 | None
) -> tuple[F64, F64]:
    """Weighted EHR, pay, availability and distance components for `rows` (not text), and the
    weight that drops out of each row's denominator because the candidate left it blank."""
    s = pool.store
    w = q.weights
    extra = np.zeros(len(rows), dtype=np.float64)
    dropped = np.zeros(len(rows), dtype=np.float64)
    if q.ehr:
        extra += w["ehr"] * popcount(s.ehr[rows] & q.ehr) / q.ehr.bit_count()
    if q.applicable["pay"]:
        pay = _pay_component(s.min_pay[rows].astype(np.float64), q)
        unknown = np.isnan(pay)
        extra += w["pay"] * np.where(unknown, 0.0, pay)
        dropped += w["pay"] * unknown
    if q.shift:
        extra += w["availability"] * popcount(s.availability[rows] & q.shift) / q.shift.bit_count()
    if miles is not None:
        unknown = np.isnan(miles)
        extra += w["distance"] * np.where(unknown, 0.0, 1.0 / (1.0 + miles / DISTANCE_HALF_MILES))
        dropped += w["distance"] * unknown
    return extra, dropped


def _skill_component(pool: CandidatePool, x_rows: F32, q: OpeningQuery) -> F64:
    """The skills component of the rows whose features are `x_rows` (the same formula as the
    explanation), which gates the rest."""
    if q.fit_column is None:
        return np.full(len(x_rows), np.nan)
    s = len(pool.layout.skills)
    # The same levels as the uint8 columns, read row by row (a gather of whole rows of X is
    # several times cheaper than one per skill column).
    levels = x_rows[:, :s].astype(np.float64)
    caps = np.minimum(q.caps[:s].astype(np.float64), MAX_LEVEL)
    # In place: a full rescore passes tens of thousands of eligible rows per opening, and a
    # second (rows x skills) float64 array cost a fifth of this function there.
    return np.asarray(np.minimum(levels, caps, out=levels) @ q.skill_weights, dtype=np.float64)


def _miles(pool: CandidatePool, rows: Idx, q: OpeningQuery) -> F64 | None:
    if not q.has_location:
        return None
    lat, lon = q.opening.lat, q.opening.lon
    assert lat is not None and lon is not None
    return haversine_miles(pool.store.lat[rows], pool.store.lon[rows], lat, lon)


@dataclass
class ScoredRows:
    """Fast scores (no explanations) of the rows that could reach an opening's top k."""

    query: OpeningQuery
    rows: Idx
    scores: F64
    text_cosine: F64
    eligible: npt.NDArray[np.bool_]
    # The rows' distances in miles (NaN: no location), when the opening has a location and
    # the constraints computed them; the explanations reuse them.
    miles: F64 | None = None

    def order_keys(self) -> F64:
        """Scores lifted by ELIGIBLE_FIRST where eligible: the largest keys are the eligible
        candidates best first, then the ineligible ones best first."""
        return self.scores + ELIGIBLE_FIRST * self.eligible


def score_rows(
    opening: OpeningSpec,
    pool: CandidatePool,
    k: int | None = 50,
    scorer: MatchScorer | None = None,
    include_ineligible: bool = False,
    linear: tuple[F32, F32] | None = None,
) -> ScoredRows:
    """Constraints and scores for every row, vectorised; k=None keeps every eligible row.

    `linear` is the opening's share of a batched linear pass (see OpeningIndex.rank).
    """
    return score_compiled(
        pool.compile(opening, scorer or MatchScorer()), pool, k, include_ineligible, linear
    )


def score_compiled(
    q: OpeningQuery,
    pool: CandidatePool,
    k: int | None = 50,
    include_ineligible: bool = False,
    linear: tuple[F32, F32] | None = None,
    text: SparseVector | None = None,
) -> ScoredRows:
    """score_rows for an opening compiled against this pool's layout; `text` is the opening's
    text vector when the caller keeps it (else it is computed, only if a row needs it)."""
    n = pool.n_rows
    if n == 0 or (k is not None and k <= 0):
        return _no_rows(q)
    miles: F64 | None
    if linear is None and not include_ineligible:
        # Constraints first (the commute pre-filter over every row, the rest on its survivors),
        # then the matrix product for the rows that pass only.
        rows, miles = eligible_rows(pool.store, n, q, pool.active, pool.near_rows(q))
        if rows.size == 0:
            return _no_rows(q)
        # One gather of the rows' features serves the product, the skills and the track record
        # (np.take: a fifth cheaper than indexing for tens of thousands of rows).
        x_rows = np.take(pool.store.X, rows, axis=0)
        num_rows = pool.linear_rows(q, rows, x_rows)
        row_ok = np.ones(rows.size, dtype=bool)
    else:
        num, dot = linear if linear is not None else pool.linear_pass(q)
        ok = eligible(pool.store, slice(0, n), q, dot) & pool.active[:n]
        rows = np.flatnonzero(pool.active[:n] if include_ineligible else ok)
        if rows.size == 0:
            return _no_rows(q)
        num_rows, row_ok = num[rows], ok[rows]
        x_rows = pool.store.X[rows]
        miles = _miles(pool, rows, q)
    # A track record counts only for candidates who have one; a blank resume, pay ask or
    # location drops out of the candidate's denominator (see scorer.contributions_from_components).
    w = q.weights
    has_record = x_rows[:, pool.layout.has_reliability].astype(np.float64)
    extra, dropped = _extra_numerator(pool, rows, q, miles)
    has_text = pool.store.has_text[rows].astype(np.float64)
    if not q.applicable["text"]:
        has_text = np.zeros(len(rows))
    den = q.den0 + w["reliability"] * has_record - dropped
    if q.applicable["text"]:
        den -= w["text"] * (1.0 - has_text)
    den = np.where(den > 0, den, 1.0)
    skills = _skill_component(pool, x_rows, q)
    if q.fit_column is None or w["skills"] <= 0:
        gate, skill_points = np.ones(len(rows)), np.zeros(len(rows))
    else:
        gate = gate_from_skills(skills)
        skill_points = w["skills"] * skills
    rest = num_rows.astype(np.float64) - skill_points + extra
    base = 100.0 * (skill_points + gate * rest) / den
    text_w = 100.0 * w["text"] * gate * has_text / den
    # Text similarity is the costliest part: compute it only where it could still reach the top k
    # (eligible rows first, as the ranking orders them).
    if k is not None and rows.size > k:
        key = base + ELIGIBLE_FIRST * row_ok if include_ineligible else base
        floor = np.partition(key, rows.size - k)[rows.size - k]
        reach = key + text_w >= floor
        rows, base, text_w, row_ok = rows[reach], base[reach], text_w[reach], row_ok[reach]
        miles = None if miles is None else miles[reach]
    vector = text if text is not None else opening_text_vector(pool.text_space, q)
    text_cos = pool.text_cosine(rows, vector)
    total = base + text_w * np.minimum(np.maximum(text_cos, 0.0) / TEXT_FULL_COSINE, 1.0)
    return ScoredRows(q, rows, total, text_cos, row_ok, miles)


def _no_rows(q: OpeningQuery) -> ScoredRows:
    return ScoredRows(
        q, np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
    )


def top_k(scores: F64, k: int) -> Idx:
    """Indices of the k largest scores, best first."""
    if scores.size > k:
        part = np.argpartition(-scores, k - 1)[:k]
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")


class Rescorer(Protocol):
    better_than_rules_: bool

    def rescore(self, X: F64) -> F64: ...


def rank(
    opening: OpeningSpec,
    pool: CandidatePool,
    k: int = 50,
    scorer: MatchScorer | None = None,
    include_ineligible: bool = False,
    reranker: Rescorer | None = None,
    linear: tuple[F32, F32] | None = None,
) -> list[RankedMatch]:
    """Top-k candidates for an opening, best first, with explanations for those k only.

    With a re-ranker that beat the rules on held-out decisions, the rules' best
    RERANK_SHORTLIST x k candidates are re-ordered by it (explanations stay rule-based).
    """
    scorer = scorer or MatchScorer()
    learned = reranker is not None and reranker.better_than_rules_
    wide = k * RERANK_SHORTLIST if learned else k
    scored = score_rows(opening, pool, wide, scorer, include_ineligible, linear)
    best = top_k(scored.order_keys(), wide)
    learned_scores: F64 | None = None
    if reranker is not None and learned:
        comps = component_values(
            pool.store, scored.rows[best], scored.query, scored.text_cosine[best], pool.layout
        )
        learned_scores = reranker.rescore(comps)
        order = top_k(learned_scores + ELIGIBLE_FIRST * scored.eligible[best], k)
        best, learned_scores = best[order], learned_scores[order]
    rows = scored.rows[best]
    explanations = scorer.explain_rows(
        pool.store,
        rows,
        scored.query,
        scored.text_cosine[best],
        pool.layout,
        scored.eligible[best],
        None if scored.miles is None else scored.miles[best],
    )
    results = [
        RankedMatch(cid, e.score, e.eligible, e)
        for cid, e in zip(pool.ids[rows].tolist(), explanations, strict=True)
    ]
    if learned_scores is not None:
        for match, value in zip(results, learned_scores, strict=True):
            match.learned_score = float(value)
        return results
    results.sort(key=lambda m: (not m.eligible, -m.score, m.candidate_id))
    return results


def pool_components(
    opening: OpeningSpec,
    pool: CandidatePool,
    scorer: MatchScorer | None = None,
    eligible_only: bool = True,
) -> tuple[npt.NDArray[np.int64], F64, F64, npt.NDArray[np.bool_]]:
    """(candidate ids, component matrix (COMPONENTS columns, NaN = n/a), scores, eligible flags).

    For storing one Match row per candidate and as the re-ranker's features.
    """
    scorer = scorer or MatchScorer()
    q = pool.compile(opening, scorer)
    n = pool.n_rows
    ok = eligible(pool.store, slice(0, n), q) & pool.active[:n]
    rows = np.flatnonzero(ok if eligible_only else pool.active[:n])
    text_cos = pool.text_cosine(rows, pool.text_space.vector(opening.text))
    comps = component_values(pool.store, rows, q, text_cos, pool.layout)
    weights = np.array([q.weights[c] for c in COMPONENTS])
    return pool.ids[rows].copy(), comps, scores_from_components(comps, weights), ok[rows]


def rank_openings(
    candidate: CandidateProfile,
    openings: Sequence[OpeningSpec],
    k: int = 20,
    scorer: MatchScorer | None = None,
    text_space: TextSpace | None = None,
    include_ineligible: bool = False,
) -> list[OpeningMatch]:
    """The best openings for one candidate (the other direction), best first."""
    space = text_space
    if space is None:
        space = TextSpace(min_df=1).fit([candidate.text, *(o.text for o in openings)])
    index = OpeningIndex(space, scorer)
    for opening in openings:
        index.put(opening)
    return index.rank(candidate, k=k, include_ineligible=include_ineligible)


# Openings per matrix product when one candidate is scored against many.
BATCH = 64


class OpeningIndex:
    """Openings compiled and vectorised once, kept between calls: the openings that fit one
    candidate, without compiling every opening and transforming its text on every call (at
    2,000 openings that was most of the two seconds a candidate's dashboard took).

    `put` replaces an opening (after a change), `remove` drops it; `rank` scores the candidate
    against each opening kept, with the same explanation `MatchScorer.explain` gives the pair.
    """

    def __init__(self, text_space: TextSpace, scorer: MatchScorer | None = None) -> None:
        self.text_space = text_space
        self.scorer = scorer or MatchScorer()
        self.layout = Layout()
        self._weights = self.scorer.resolved_weights()
        self._kept: dict[int, tuple[OpeningQuery, SparseVector]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, opening_id: object) -> bool:
        return opening_id in self._kept

    def put(self, opening: OpeningSpec) -> None:
        query = compile_opening(opening, self.layout, self._weights)
        self._kept[opening.id] = (query, self.text_space.vector(opening.text))

    def remove(self, opening_id: int) -> None:
        self._kept.pop(opening_id, None)

    def rank(
        self, candidate: CandidateProfile, k: int = 20, include_ineligible: bool = False
    ) -> list[OpeningMatch]:
        # The candidate as a pool of one row: every opening is scored by the vectorised path
        # rank() uses (batches share one matrix product), and only the best k are explained,
        # which is where the time went when every opening was explained.
        one = CandidatePool(self.text_space, self.layout, capacity=16)
        one.add(candidate)
        kept = list(self._kept.items())
        scored: list[tuple[float, int, OpeningQuery, float]] = []
        for start in range(0, len(kept), BATCH):
            part = kept[start : start + BATCH]
            passes = one.linear_pass_many([q for _, (q, _) in part])
            for (opening_id, (q, text)), linear in zip(part, passes, strict=True):
                got = score_compiled(q, one, None, include_ineligible, linear, text)
                if got.rows.size:
                    key = float(got.order_keys()[0])
                    scored.append((key, opening_id, q, float(got.text_cosine[0])))
        scored.sort(key=lambda t: (-t[0], t[1]))
        out = []
        for _, opening_id, q, cos in scored[:k]:
            expl = self.scorer.explain_row(one.store, 0, q, cos, self.layout)
            out.append(OpeningMatch(opening_id, expl.score, expl.eligible, expl))
        out.sort(key=lambda m: (not m.eligible, -m.score, m.opening_id))
        return out
