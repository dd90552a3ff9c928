"""Explainable 0-100 match score: weighted components in [0, 1], a scikit-learn-style estimator."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
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
    SKILL_GATE_FLOOR,
    SKILL_GATE_FULL,
    TEXT_FULL_COSINE,
    CandidateProfile,
    EncodedRows,
    Layout,
    OpeningQuery,
    OpeningSpec,
    compile_opening,
    encode_profiles,
    popcount,
)
from matching.geo import haversine_miles
from matching.similarity import TextSpace, cosine

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


def component_values(
    enc: EncodedRows, rows: npt.NDArray[np.intp], q: OpeningQuery, text_cosine: F64, layout: Layout
) -> F64:
    """(len(rows), len(COMPONENTS)) component values in [0, 1]; NaN where one does not apply."""
    m = len(rows)
    X = enc.X[rows].astype(np.float64)
    s = len(layout.skills)
    out = np.full((m, len(COMPONENTS)), np.nan)
    col = {c: i for i, c in enumerate(COMPONENTS)}
    caps = q.caps.astype(np.float64)
    if q.applicable["skills"]:
        out[:, col["skills"]] = np.minimum(X[:, :s], caps[:s]) @ q.skill_weights
    out[:, col["role"]] = X[:, layout.role[q.opening.role]]
    out[:, col["experience"]] = X[:, layout.experience]
    if q.typing_target is not None:
        out[:, col["typing"]] = np.minimum(X[:, layout.wpm], q.typing_target) / q.typing_target
    if q.ehr:
        out[:, col["ehr"]] = popcount(enc.ehr[rows] & q.ehr) / q.ehr.bit_count()
    out[:, col["distance"]] = _distance_component(enc, rows, q)
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
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


def _distance_component(enc: EncodedRows, rows: npt.NDArray[np.intp], q: OpeningQuery) -> F64:
    """Closeness in [0, 1]; NaN (drops out) where either location is unknown."""
    out = np.full(len(rows), np.nan)
    if not q.has_location:
        return out
    known = ~np.isnan(enc.lat[rows])
    lat, lon = q.opening.lat, q.opening.lon
    assert lat is not None and lon is not None
    miles = haversine_miles(enc.lat[rows][known], enc.lon[rows][known], lat, lon)
    out[known] = 1.0 / (1.0 + miles / DISTANCE_HALF_MILES)
    return out


def _pay_component(ask: F64, q: OpeningQuery) -> F64:
    """How much room the ask leaves in the opening's pay; NaN (drops out) when either is unknown."""
    lo, hi = q.opening.pay_min, q.opening.pay_max
    out = np.full(ask.shape, np.nan)
    known = ~np.isnan(ask)
    if hi is None and lo is None:
        return out
    # One end stated: read it as a range of the usual width, so that asks still differ
    # (with only a maximum, every ask below it used to score the same).
    floor = lo if lo is not None else hi * (1.0 - ASSUMED_PAY_SPAN)  # type: ignore[operator]
    ceil = hi if hi is not None else lo * (1.0 + ASSUMED_PAY_SPAN)  # type: ignore[operator]
    span = max(ceil - floor, 1e-9)
    # Asking at or under the floor leaves the clinic room; asking near the ceiling less so.
    val = np.where(ask <= floor, 1.0, np.where(ask <= ceil, 1.0 - 0.5 * (ask - floor) / span, 0.0))
    out[known] = val[known]
    return out


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
        q = compile_opening(opening, layout, self.resolved_weights())
        text = cosine(space.vector(candidate.text), space.vector(opening.text))
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
    ) -> list[MatchExplanation]:
        """Explanations for several rows at once (the top k of a ranking); `ok` is the rows'
        eligibility when the caller has already checked it (ranking has)."""
        values = component_values(enc, rows, q, text_cosine, layout)
        weights = np.array([q.weights[c] for c in COMPONENTS])
        applies = ~np.isnan(values)
        contrib = contributions_from_components(values, weights)
        gates = skill_gate(values, weights).tolist()
        eligible_rows = (eligible(enc, rows, q) if ok is None else ok).tolist()
        skill_notes = _skill_notes(enc, rows, q, layout)
        notes = _NoteContext(enc, rows, q, layout)
        version = self.model_version
        # Plain Python lists: iterating numpy scalars costs more than the arithmetic here.
        value_rows, contrib_rows = values.tolist(), contrib.tolist()
        # Which components apply, as one small int per row: most rows share a few patterns,
        # and each pattern's (column, name) pairs are worked out once.
        patterns = (applies @ (1 << np.arange(len(COMPONENTS)))).tolist()
        columns: dict[int, list[tuple[int, str]]] = {}
        out = []
        for i, row in enumerate(rows.tolist()):
            failed = [] if eligible_rows[i] else failed_constraints(enc, row, q, layout)
            on = columns.get(patterns[i])
            if on is None:
                on = columns[patterns[i]] = [
                    (j, c) for j, c in enumerate(COMPONENTS) if patterns[i] >> j & 1
                ]
            value_row, contrib_row = value_rows[i], contrib_rows[i]
            components = {c: value_row[j] for j, c in on}
            contributions = {c: contrib_row[j] for j, c in on}
            score = sum(contributions.values())
            strengths, gaps = notes.other(i, components, *skill_notes[i])
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


@lru_cache(maxsize=64)
def _version_of(weights: tuple[tuple[str, float], ...]) -> str:
    blob = json.dumps(weights).encode()
    return f"rules-{__version__}-{hashlib.sha256(blob).hexdigest()[:8]}"


SKILLS = COMPONENTS.index("skills")


def skill_gate(X: F64, weights: F64) -> F64:
    """Per row: the share (0-1) of every other component that counts, from the skill fit
    (1 when the opening asks for no skills or the weights ignore them)."""
    if weights[SKILLS] <= 0:
        return np.ones(X.shape[0])
    skills = np.nan_to_num(X[:, SKILLS], nan=SKILL_GATE_FULL)
    return gate_from_skills(skills)


def gate_from_skills(skills: F64) -> F64:
    covered = np.minimum(np.maximum(skills, 0.0) / SKILL_GATE_FULL, 1.0)
    return np.asarray(SKILL_GATE_FLOOR + (1.0 - SKILL_GATE_FLOOR) * covered, dtype=np.float64)


def contributions_from_components(X: F64, weights: F64) -> F64:
    """Points each component adds (rows add up to the 0-100 score); 0 where one does not apply.

    score = 100 * (w_skills * skills + gate * sum of the other w_i * c_i) / sum of the w_i that
    apply: the weights of what is missing drop out, and convenience counts as far as skills do.
    """
    applies = ~np.isnan(X)
    den = applies @ weights
    factor = np.repeat(skill_gate(X, weights)[:, None], X.shape[1], axis=1)
    factor[:, SKILLS] = 1.0
    points = np.where(applies, X, 0.0) * weights * factor
    return np.asarray(100.0 * points / np.where(den > 0, den, 1.0)[:, None], dtype=np.float64)


def scores_from_components(X: F64, weights: F64) -> F64:
    return np.asarray(contributions_from_components(X, weights).sum(axis=1), dtype=np.float64)


def _skill_notes(
    enc: EncodedRows, rows: npt.NDArray[np.intp], q: OpeningQuery, layout: Layout
) -> list[tuple[list[str], list[str]]]:
    """Per row: the three most important requirements met, and the three worst shortfalls."""
    s = len(layout.skills)
    need = np.array([q.requirements.get(c, (0, 0.0))[0] for c in layout.skills], dtype=np.float64)
    weight = np.array([q.requirements.get(c, (0, 0.0))[1] for c in layout.skills], dtype=np.float64)
    names = layout.skill_names
    levels = enc.X[rows, :s].astype(np.float64)
    required = (need > 0) & (weight > 0)
    short = np.where(required & (levels < need), weight * (need - levels), 0.0)
    met = np.where(required & (levels >= need) & (weight >= 0.5), weight * levels, 0.0)
    met_order = np.argsort(-met, axis=1, kind="stable")[:, :3].tolist()
    short_order = np.argsort(-short, axis=1, kind="stable")[:, :3].tolist()
    met_ok, short_ok = (met > 0).tolist(), (short > 0).tolist()
    lv, nd = levels.astype(int).tolist(), need.astype(int).tolist()
    out = []
    for i in range(len(rows)):
        out.append(
            (
                [
                    f"{names[j]}: level {lv[i][j]} (needs {nd[j]})"
                    for j in met_order[i]
                    if met_ok[i][j]
                ],
                [
                    f"{names[j]}: level {lv[i][j]}, needs {nd[j]}"
                    for j in short_order[i]
                    if short_ok[i][j]
                ],
            )
        )
    return out


class _NoteContext:
    """What the strengths and gaps of one explain_rows call read, taken out of the arrays once
    (reading numpy scalars cell by cell cost more than writing the notes)."""

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

    def other(
        self, i: int, components: dict[str, float], strengths: list[str], gaps: list[str]
    ) -> tuple[list[str], list[str]]:
        q = self.q
        if q.ehr:
            known = self._ehr_names(self.ehr[i] & q.ehr)
            missing = self._ehr_names(q.ehr & ~self.ehr[i])
            if known:
                strengths.append("knows " + known)
            if missing:
                gaps.append("no experience with " + missing)
        wpm = self.wpm[i]
        if q.typing_target is not None:
            if wpm >= q.typing_target:
                strengths.append(f"types {wpm} wpm (needs {q.typing_target})")
            else:
                gaps.append(f"types {wpm or 'untested'} wpm, needs {q.typing_target}")
        closeness = components.get("distance", 0.0)
        if closeness >= 0.5 and q.has_location and self.located[i]:
            # The component is 1 / (1 + miles / DISTANCE_HALF_MILES): invert it, not recompute.
            strengths.append(f"{DISTANCE_HALF_MILES * (1.0 / closeness - 1.0):.1f} miles away")
        if components.get("reliability", 0.0) >= STRONG_RECORD:
            strengths.append("strong track record on past placements")
        if components.get("experience", 0.0) >= 0.8:
            strengths.append("experienced")
        return strengths, gaps


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
    return next(name for floor, name in SCORE_BANDS if score >= floor)


_LAYOUT: list[Layout] = []


def _default_layout() -> Layout:
    if not _LAYOUT:
        _LAYOUT.append(Layout())
    return _LAYOUT[0]


def default_text_space() -> TextSpace:
    """The TF-IDF space shipped with the role classifier (fitted on its whole training corpus)."""
    from matching.text import shipped_text_space

    return shipped_text_space()
