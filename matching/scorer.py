"""Explainable 0-100 match score: weighted components in [0, 1], a scikit-learn-style estimator."""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator

from matching import __version__
from matching.constraints import eligible, failed_constraints
from matching.features import (
    ASSUMED_PAY_SPAN,
    COMPONENTS,
    DISTANCE_HALF_MILES,
    MAX_LEVEL,
    SKILL_GATE_FLOOR,
    SKILL_GATE_FULL,
    TEXT_FULL_COSINE,
    CandidateProfile,
    EncodedRows,
    Layout,
    OpeningQuery,
    OpeningSpec,
    compile_cached,
    encode_profiles,
    popcount,
)
from matching.geo import haversine_miles
from matching.similarity import SparseVector, TextSpace, cosine

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "SCORE_BANDS",
    "STRONG_FIT",
    "MatchExplanation",
    "MatchScorer",
]

# Points each component is worth when all apply; skills dominate because the opening states them.
DEFAULT_WEIGHTS: dict[str, float] = {
    "skills": 30.0,
    "role": 10.0,
    "experience": 8.0,
    "typing": 6.0,
    "ehr": 6.0,
    "distance": 10.0,
    "pay": 8.0,
    "availability": 6.0,
    "text": 8.0,
    "reliability": 8.0,
}
LABELS = {
    "skills": "skills",
    "role": "role fit",
    "experience": "experience",
    "typing": "typing speed",
    "ehr": "EHR systems",
    "distance": "distance",
    "pay": "pay",
    "availability": "availability",
    "text": "resume match",
    "reliability": "track record",
}
F64 = npt.NDArray[np.float64]
# A track record worth naming as a strength: clearly above the population's mean, which is what
# a newcomer is given (about 0.85-0.9), so having no record never reads as a strong one.
STRONG_RECORD = 0.95


@dataclass
class MatchExplanation:
    score: float
    eligible: bool
    failed_constraints: list[str]
    components: dict[str, float]
    contributions: dict[str, float]
    strengths: list[str]
    gaps: list[str]
    summary: str
    model_version: str
    extras: dict[str, Any] = field(default_factory=dict)


_COLUMN = {c: i for i, c in enumerate(COMPONENTS)}


def component_values(
    enc: EncodedRows,
    rows: npt.NDArray[np.intp],
    q: OpeningQuery,
    text_cosine: F64,
    layout: Layout,
    X: F64 | None = None,
    miles: F64 | None = None,
) -> F64:
    """(len(rows), len(COMPONENTS)) component values in [0, 1]; NaN where one does not apply.

    `X` is enc.X[rows] as float64 and `miles` the rows' distances to the opening (NaN: no
    location) when the caller has them."""
    m = len(rows)
    if X is None:
        X = enc.X[rows].astype(np.float64)
    s = len(layout.skills)
    out = np.full((m, len(COMPONENTS)), np.nan)
    col = _COLUMN
    if q.applicable["skills"]:
        # (float32 caps are whole levels, exact in float64: the minimum is the same numbers.)
        out[:, col["skills"]] = np.minimum(X[:, :s], q.caps[:s]) @ q.skill_weights
    out[:, col["role"]] = X[:, layout.role[q.opening.role]]
    out[:, col["experience"]] = X[:, layout.experience]
    if q.typing_target is not None:
        out[:, col["typing"]] = np.minimum(X[:, layout.wpm], q.typing_target) / q.typing_target
    if q.ehr:
        out[:, col["ehr"]] = popcount(enc.ehr[rows] & q.ehr) / q.ehr.bit_count()
    out[:, col["distance"]] = _distance_component(enc, rows, q, miles)
    out[:, col["pay"]] = _pay_component(enc.min_pay[rows].astype(np.float64), q)
    if q.shift:
        out[:, col["availability"]] = (
            popcount(enc.availability[rows] & q.shift) / q.shift.bit_count()
        )
    if q.applicable["text"]:
        # No resume is missing data, not a mismatch: the component drops out for that person.
        has_text = enc.has_text[rows] > 0
        text = np.minimum(np.maximum(text_cosine, 0.0) / TEXT_FULL_COSINE, 1.0)
        out[has_text, col["text"]] = text[has_text]
    has_rel = X[:, layout.has_reliability] > 0
    out[has_rel, col["reliability"]] = X[has_rel, layout.reliability]
    # In place, and not np.clip (see encode_columns): fixed costs count for one pair.
    np.maximum(out, 0.0, out=out)
    np.minimum(out, 1.0, out=out)
    return out


def _distance_component(
    enc: EncodedRows, rows: npt.NDArray[np.intp], q: OpeningQuery, miles: F64 | None = None
) -> F64:
    """Closeness in [0, 1]; NaN (drops out) where either location is unknown."""
    if not q.has_location:
        return np.full(len(rows), np.nan)
    if miles is not None:
        return 1.0 / (1.0 + miles / DISTANCE_HALF_MILES)  # (NaN miles stay NaN)
    out = np.full(len(rows), np.nan)
    known = ~np.isnan(enc.lat[rows])
    lat, lon = q.opening.lat, q.opening.lon
    assert lat is not None and lon is not None
    miles = haversine_miles(enc.lat[rows][known], enc.lon[rows][known], lat, lon)
    out[known] = 1.0 / (1.0 + miles / DISTANCE_HALF_MILES)
    return out


def _pay_component(ask: F64, q: OpeningQuery) -> F64:
    """How much room the ask leaves in the opening's pay; NaN (drops out) when either is unknown."""
    lo, hi = q.opening.pay_min, q.opening.pay_max
    if hi is None and lo is None:
        return np.full(ask.shape, np.nan)
    # One end stated: read it as a range of the usual width, so that asks still differ
    # (with only a maximum, every ask below it used to score the same).
    floor = lo if lo is not None else hi * (1.0 - ASSUMED_PAY_SPAN)  # type: ignore[operator]
    ceil = hi if hi is not None else lo * (1.0 + ASSUMED_PAY_SPAN)  # type: ignore[operator]
    span = max(ceil - floor, 1e-9)
    # Asking at or under the floor leaves the clinic room; asking near the ceiling less so. (A
    # NaN ask compares False both ways and stays NaN through the arithmetic.)
    return np.where(ask <= floor, 1.0, np.where(ask > ceil, 0.0, 1.0 - 0.5 * (ask - floor) / span))


class MatchScorer(BaseEstimator):  # type: ignore[misc]
    """Rule-based scorer: score = 100 * sum(w_i * c_i) / sum(w_i) over the components that apply.

    A scikit-learn estimator for its hyperparameters (`weights`: get_params, clone); it learns
    nothing, so it has no fit/predict: `explain` scores a pair, `ranking` scores a pool.
    """

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = weights

    def resolved_weights(self) -> dict[str, float]:
        merged = dict(DEFAULT_WEIGHTS)
        for name, value in (self.weights or {}).items():
            if name not in merged:
                raise ValueError(f"unknown component {name!r}; expected one of {COMPONENTS}")
            if value < 0:
                raise ValueError(f"weight of {name} must be >= 0")
            merged[name] = float(value)
        return merged

    @property
    def model_version(self) -> str:
        return _version_of(tuple(sorted(self.resolved_weights().items())))

    def explain(
        self,
        candidate: CandidateProfile,
        opening: OpeningSpec,
        text_space: TextSpace | None = None,
        layout: Layout | None = None,
    ) -> MatchExplanation:
        """Score one pair with its reasons (the same arithmetic as ranking a pool)."""
        layout = layout or _default_layout()
        space = text_space or default_text_space()
        enc = encode_profiles([candidate], layout)
        q = compile_cached(opening, layout, self.resolved_weights())
        text = cosine(space.vector(candidate.text), opening_text_vector(space, q))
        return self.explain_row(enc, 0, q, text, layout)

    def explain_row(
        self, enc: EncodedRows, row: int, q: OpeningQuery, text_cosine: float, layout: Layout
    ) -> MatchExplanation:
        return self.explain_rows(
            enc, np.array([row], dtype=np.intp), q, np.array([text_cosine]), layout
        )[0]

    def explain_rows(
        self,
        enc: EncodedRows,
        rows: npt.NDArray[np.intp],
        q: OpeningQuery,
        text_cosine: F64,
        layout: Layout,
        ok: npt.NDArray[np.bool_] | None = None,
        miles: F64 | None = None,
    ) -> list[MatchExplanation]:
        """Explanations for several rows at once (the top k of a ranking); `ok` is the rows'
        eligibility and `miles` their distances when the caller has them (ranking has)."""
        X = enc.X[rows].astype(np.float64)  # one gather for the components and the notes
        if miles is None and ok is None and q.has_location:
            # Once for both the commute check and the distance component.
            lat, lon = q.opening.lat, q.opening.lon
            assert lat is not None and lon is not None
            miles = haversine_miles(enc.lat[rows], enc.lon[rows], lat, lon)
        values = component_values(enc, rows, q, text_cosine, layout, X, miles)
        weights = np.array([q.weights[c] for c in COMPONENTS])
        applies = ~np.isnan(values)
        gate = skill_gate(values, weights)
        contrib = contributions_from_components(values, weights, gate)
        gates = gate.tolist()
        eligible_rows = (eligible(enc, rows, q, miles=miles) if ok is None else ok).tolist()
        skill_notes = _skill_notes(X, q, layout)
        notes = _NoteContext(enc, rows, q, layout)
        version = self.model_version
        # Plain Python lists: iterating numpy scalars costs more than the arithmetic here.
        value_rows, contrib_rows = values.tolist(), contrib.tolist()
        row_notes = notes.all_rows(value_rows, skill_notes)
        parts = applicable_parts(applies, value_rows, contrib_rows)
        distances = None if miles is None else miles.tolist()
        out = []
        for i, row in enumerate(rows.tolist()):
            failed = (
                []
                if eligible_rows[i]
                else failed_constraints(
                    enc, row, q, layout, None if distances is None else distances[i]
                )
            )
            components, contributions = parts[i]
            score = sum(contributions.values())
            strengths, gaps = row_notes[i]
            out.append(
                MatchExplanation(
                    score=score,
                    eligible=not failed,
                    failed_constraints=failed,
                    components=components,
                    contributions=contributions,
                    strengths=strengths,
                    gaps=gaps,
                    summary=_summary(score, failed, gaps),
                    model_version=version,
                    extras={"skill_gate": round(gates[i], 4)},
                )
            )
        return out


def opening_text_vector(space: TextSpace, q: OpeningQuery) -> SparseVector:
    """The opening's text in the pool's TF-IDF space, kept with the compiled opening (the
    space is held weakly: a pool rebuilt with a new space must not keep the old one alive)."""
    kept = q.memo.get("text")
    if isinstance(kept, tuple) and kept[0]() is space:
        return kept[1]  # type: ignore[no-any-return]
    vector = space.vector(q.opening.text)
    q.memo["text"] = (weakref.ref(space), vector)
    return vector


def applicable_parts(
    applies: npt.NDArray[np.bool_], value_rows: list[list[float]], point_rows: list[list[float]]
) -> list[tuple[dict[str, float], dict[str, float]]]:
    """Per row, the components that apply: their values and the points they add, by name in
    COMPONENTS order (a row's score is the sum of its points, added in that order)."""
    # Which components apply, as one small int per row: most rows share a few patterns, and
    # each pattern's names and a getter of its columns are worked out once.
    patterns = (applies @ (1 << np.arange(len(COMPONENTS)))).tolist()
    shapes: dict[int, tuple[tuple[str, ...], Callable[[list[float]], tuple[float, ...]]]] = {}
    out = []
    for pattern, values, points in zip(patterns, value_rows, point_rows, strict=True):
        shape = shapes.get(pattern)
        if shape is None:
            shape = shapes[pattern] = _pattern_shape(pattern)
        names, pick = shape
        out.append(
            (
                dict(zip(names, pick(values), strict=True)),
                dict(zip(names, pick(points), strict=True)),
            )
        )
    return out


@lru_cache(maxsize=1024)
def _pattern_shape(
    pattern: int,
) -> tuple[tuple[str, ...], Callable[[list[float]], tuple[float, ...]]]:
    """The names of the components a pattern's bits mark, and a getter of their columns from a
    row of values (in COMPONENTS order)."""
    cols = [j for j in range(len(COMPONENTS)) if pattern >> j & 1]
    names = tuple(COMPONENTS[j] for j in cols)
    if len(cols) == 1:  # itemgetter of one index answers the item, not a tuple
        return names, lambda values: (values[cols[0]],)
    return names, itemgetter(*cols)


@lru_cache(maxsize=64)
def _version_of(weights: tuple[tuple[str, float], ...]) -> str:
    blob = json.dumps(weights).encode()
    return f"rules-{__version__}-{hashlib.sha256(blob).hexdigest()[:8]}"


SKILLS = COMPONENTS.index("skills")
# Up to this many rows, explain_rows writes each skill note itself rather than building the
# opening's table of notes (one pair's explanation would pay for the whole table).
FEW_ROWS = 4


def skill_gate(X: F64, weights: F64) -> F64:
    """Per row: the share (0-1) of every other component that counts, from the skill fit
    (1 when the opening asks for no skills or the weights ignore them)."""
    if weights[SKILLS] <= 0:
        return np.ones(X.shape[0])
    skills = X[:, SKILLS]
    # (np.where, not np.nan_to_num: the same numbers without its wrapper's fixed cost.)
    skills = np.where(np.isnan(skills), SKILL_GATE_FULL, skills)
    return gate_from_skills(skills)


def gate_from_skills(skills: F64) -> F64:
    covered = np.minimum(np.maximum(skills, 0.0) / SKILL_GATE_FULL, 1.0)
    return np.asarray(SKILL_GATE_FLOOR + (1.0 - SKILL_GATE_FLOOR) * covered, dtype=np.float64)


def contributions_from_components(X: F64, weights: F64, gate: F64 | None = None) -> F64:
    """Points each component adds (rows add up to the 0-100 score); 0 where one does not apply.

    score = 100 * (w_skills * skills + gate * sum of the other w_i * c_i) / sum of the w_i that
    apply: the weights of what is missing drop out, and convenience counts as far as skills do.
    `gate` is skill_gate(X, weights) when the caller has it.
    """
    applies = ~np.isnan(X)
    den = applies @ weights
    if gate is None:
        gate = skill_gate(X, weights)
    factor = np.repeat(gate[:, None], X.shape[1], axis=1)
    factor[:, SKILLS] = 1.0
    points = np.where(applies, X, 0.0) * weights * factor
    return np.asarray(100.0 * points / np.where(den > 0, den, 1.0)[:, None], dtype=np.float64)


def scores_from_components(X: F64, weights: F64) -> F64:
    return np.asarray(contributions_from_components(X, weights).sum(axis=1), dtype=np.float64)


def _skill_notes(X: F64, q: OpeningQuery, layout: Layout) -> list[tuple[list[str], list[str]]]:
    """Per row of features X: the three most important requirements met, and the three worst
    shortfalls."""
    notes = _skill_note_table(q, layout)
    if len(X) <= FEW_ROWS:
        return _skill_notes_written(X, notes, layout)
    every = np.arange(len(X))[:, None]
    # Only the skills the opening requires can be met or short; ordering those columns alone
    # (in column order, stable) picks the same three as ordering every skill.
    met_levels = X[:, notes.met_cols]
    met = np.where(met_levels >= notes.met_need, notes.met_weight * met_levels, 0.0)
    met_order = np.argsort(-met, axis=1, kind="stable")[:, :3]
    short_levels = X[:, notes.short_cols]
    short = np.where(
        short_levels < notes.short_need, notes.short_weight * (notes.short_need - short_levels), 0.0
    )
    short_order = np.argsort(-short, axis=1, kind="stable")[:, :3]
    # Best first, so the notes that count (value > 0) are a prefix of each row's three; each is
    # the table's text for (skill, level).
    met_at = met_order * (MAX_LEVEL + 1) + met_levels[every, met_order].astype(np.intp)
    met_table, short_table = notes.texts()
    met_text = met_table[met_at].tolist()
    met_count = (met[every, met_order] > 0).sum(axis=1).tolist()
    short_at = short_order * (MAX_LEVEL + 1) + short_levels[every, short_order].astype(np.intp)
    short_text = short_table[short_at].tolist()
    short_count = (short[every, short_order] > 0).sum(axis=1).tolist()
    return [
        (m[:mc], s[:sc])
        for m, mc, s, sc in zip(met_text, met_count, short_text, short_count, strict=True)
    ]


def _skill_notes_written(
    X: F64, notes: _SkillNoteTable, layout: Layout
) -> list[tuple[list[str], list[str]]]:
    """_skill_notes for a few rows (one pair): the same notes, written out rather than taken
    from the opening's table (which costs more than a few rows' worth to build)."""
    names = layout.skill_names
    out = []
    for levels in X.tolist():
        met = [(-w * levels[j], j, n) for j, n, w in notes.met if levels[j] >= n]
        short = [(-w * (n - levels[j]), j, n) for j, n, w in notes.short if levels[j] < n]
        out.append(
            (
                [
                    f"{names[j]}: level {int(levels[j])} (needs {int(n)})"
                    for v, j, n in sorted(met)[:3]
                    if v < 0
                ],
                [
                    f"{names[j]}: level {int(levels[j])}, needs {int(n)}"
                    for v, j, n in sorted(short)[:3]
                    if v < 0
                ],
            )
        )
    return out


@dataclass
class _SkillNoteTable:
    """An opening's required skills for the notes: the columns that can be met (weight >= 0.5)
    or short, their levels needed and weights; and, once many rows are explained, each one's
    note at every level (index: position * (MAX_LEVEL + 1) + level)."""

    met_cols: npt.NDArray[np.intp]
    met_need: F64
    met_weight: F64
    short_cols: npt.NDArray[np.intp]
    short_need: F64
    short_weight: F64
    names: list[str]
    _texts: tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]] | None = None

    @property
    def met(self) -> list[tuple[int, float, float]]:
        return _triples(self.met_cols, self.met_need, self.met_weight)

    @property
    def short(self) -> list[tuple[int, float, float]]:
        return _triples(self.short_cols, self.short_need, self.short_weight)

    def texts(self) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
        if self._texts is None:
            names, levels = self.names, range(MAX_LEVEL + 1)
            met = [
                f"{names[j]}: level {lv} (needs {int(n)})"
                for j, n in zip(self.met_cols.tolist(), self.met_need.tolist(), strict=True)
                for lv in levels
            ]
            short = [
                f"{names[j]}: level {lv}, needs {int(n)}"
                for j, n in zip(self.short_cols.tolist(), self.short_need.tolist(), strict=True)
                for lv in levels
            ]
            # (A table of no skills still gets an entry, so that indexing it works.)
            self._texts = (np.array([*met, ""], dtype=object), np.array([*short, ""], dtype=object))
        return self._texts


def _triples(cols: npt.NDArray[np.intp], need: F64, weight: F64) -> list[tuple[int, float, float]]:
    return list(zip(cols.tolist(), need.tolist(), weight.tolist(), strict=True))


def _skill_note_table(q: OpeningQuery, layout: Layout) -> _SkillNoteTable:
    """Per compiled opening (kept on it: a compiled opening is reused while its spec is)."""
    found = q.memo.get("skill_notes")
    if isinstance(found, _SkillNoteTable):
        return found
    need = np.array([q.requirements.get(c, (0, 0.0))[0] for c in layout.skills], dtype=np.float64)
    weight = np.array([q.requirements.get(c, (0, 0.0))[1] for c in layout.skills], dtype=np.float64)
    required = (need > 0) & (weight > 0)
    met_cols = np.flatnonzero(required & (weight >= 0.5))
    short_cols = np.flatnonzero(required)
    table = _SkillNoteTable(
        met_cols,
        need[met_cols],
        weight[met_cols],
        short_cols,
        need[short_cols],
        weight[short_cols],
        layout.skill_names,
    )
    q.memo["skill_notes"] = table
    return table


class _NoteContext:
    """The strengths and gaps besides the skills of one explain_rows call's rows, written in one
    pass over plain lists taken out of the arrays once (reading numpy scalars cell by cell, or a
    method call per row, cost more than writing the notes)."""

    def __init__(
        self, enc: EncodedRows, rows: npt.NDArray[np.intp], q: OpeningQuery, layout: Layout
    ) -> None:
        self.q, self.layout = q, layout
        self.ehr = enc.ehr[rows].tolist() if q.ehr else []
        self.wpm = enc.X[rows, layout.wpm].astype(int).tolist()
        self.located = (~np.isnan(enc.lat[rows])).tolist()
        self._names: dict[int, str] = {}

    def _ehr_names(self, mask: int) -> str:
        """The EHR systems of a mask, named ("" when none); a handful of masks repeat."""
        found = self._names.get(mask)
        if found is None:
            tax = self.layout.taxonomy
            codes = self.layout.ehr.codes_in(mask)
            found = self._names[mask] = ", ".join(tax.name_of(c) for c in codes)
        return found

    def all_rows(
        self, values: list[list[float]], skill_notes: list[tuple[list[str], list[str]]]
    ) -> list[tuple[list[str], list[str]]]:
        """Each row's strengths and gaps: its skill notes (fresh lists, extended here), then
        EHR systems, typing, distance, track record and experience. `values` are the rows'
        component values (NaN where one does not apply)."""
        q = self.q
        distance, record = COMPONENTS.index("distance"), COMPONENTS.index("reliability")
        experience = COMPONENTS.index("experience")
        target = q.typing_target
        near = q.has_location
        names = self._names
        for i, (strengths, gaps) in enumerate(skill_notes):
            if q.ehr:
                known_mask, missing_mask = self.ehr[i] & q.ehr, q.ehr & ~self.ehr[i]
                known = names.get(known_mask)
                if known is None:
                    known = self._ehr_names(known_mask)
                missing = names.get(missing_mask)
                if missing is None:
                    missing = self._ehr_names(missing_mask)
                if known:
                    strengths.append("knows " + known)
                if missing:
                    gaps.append("no experience with " + missing)
            if target is not None:
                wpm = self.wpm[i]
                if wpm >= target:
                    strengths.append(f"types {wpm} wpm (needs {target})")
                else:
                    gaps.append(f"types {wpm or 'untested'} wpm, needs {target}")
            row = values[i]
            # (NaN, a component that does not apply, compares False like the 0 it stood for.)
            closeness = row[distance]
            if closeness >= 0.5 and near and self.located[i]:
                # The component is 1 / (1 + miles / DISTANCE_HALF_MILES): invert it, not
                # recompute.
                strengths.append(f"{DISTANCE_HALF_MILES * (1.0 / closeness - 1.0):.1f} miles away")
            if row[record] >= STRONG_RECORD:
                strengths.append("strong track record on past placements")
            if row[experience] >= 0.8:
                strengths.append("experienced")
        return skill_notes


def _summary(score: float, failed: list[str], gaps: list[str]) -> str:
    if failed:
        return "not eligible: " + "; ".join(failed)
    band = score_band(score)
    return f"{band}; missing: {', '.join(gaps)}" if gaps else band


# What a score means (docs/scores.md); the labeled cases in tests/matching hold the engine to it.
# STRONG_FIT is the one "strong match" threshold: the band's floor, also used by the new-opening
# alerts and the staff digest.
STRONG_FIT = 90.0
SCORE_BANDS = (
    (STRONG_FIT, "strong fit"),
    (70.0, "good fit"),
    (50.0, "stretch"),
    (0.0, "not a fit"),
)


def score_band(score: float) -> str:
    for floor, name in SCORE_BANDS:
        if score >= floor:
            return name
    return SCORE_BANDS[-1][1]  # (only NaN gets here)


_LAYOUT: list[Layout] = []


def _default_layout() -> Layout:
    if not _LAYOUT:
        _LAYOUT.append(Layout())
    return _LAYOUT[0]


def default_text_space() -> TextSpace:
    """The TF-IDF space shipped with the role classifier (fitted on its whole training corpus)."""
    from matching.text import shipped_text_space

    return shipped_text_space()
