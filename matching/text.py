"""Free text: role classifier (shipped as JSON coefficients) and a taxonomy skill extractor."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.similarity import TextSpace, tokens
from matching.taxonomy import Taxonomy, data_path, load_taxonomy

MODEL_FILE = "role_classifier.json"
ROLE_LABELS = ("receptionist", "secretary", "other")
# Words within this many characters before a skill mention that signal a strong level.
STRONG_CUES = re.compile(
    r"(expert|advanced|extensive|proficien\w*|fluent|strong|excellent|\d+\+? years?)[^.;\n]{0,40}$",
    re.IGNORECASE,
)
WPM = re.compile(r"\b(\d{2,3})\s*(?:wpm|w\.p\.m\.?|words per minute)", re.IGNORECASE)


def analyze(text: str, ngram_max: int = 2) -> list[str]:
    """scikit-learn's word analyzer: lowercase, \\w\\w+ tokens, English stop words, then n-grams."""
    toks = tokens(text)
    out = list(toks)
    for n in range(2, ngram_max + 1):
        out.extend(" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
    return out


WHITESPACE = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """scikit-learn's char_wb analyzer: n-grams inside space-padded words."""
    out: list[str] = []
    for word in WHITESPACE.sub(" ", text.lower()).split():
        w = f" {word} "
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset : offset + n])
            while offset + n < len(w):
                offset += 1
                out.append(w[offset : offset + n])
            if offset == 0:  # a word shorter than n is counted once
                break
    return out


SIDES = ("front", "back", "both")


def taxonomy_features(text: str) -> npt.NDArray[np.float64]:
    """Share of the taxonomy's front-desk, back-office and shared skills the text mentions.

    A domain prior that does not depend on UK or US wording of the training postings.
    """
    tax = load_taxonomy()
    hits = np.zeros(len(SIDES))
    totals = np.zeros(len(SIDES))
    for skill in tax.skills:
        k = SIDES.index(skill.side)
        totals[k] += 1
        if tax.patterns["skills"][skill.code].search(text):
            hits[k] += 1
    return np.asarray(hits / np.maximum(totals, 1))


def taxonomy_feature_matrix(texts: Any) -> npt.NDArray[np.float64]:
    return np.array([taxonomy_features(t) for t in texts]).reshape(-1, len(SIDES))


@dataclass(frozen=True)
class FeatureBlock:
    """One TF-IDF vectoriser of the union (sublinear tf, l2-normalised on its own)."""

    analyzer: str
    ngram: tuple[int, int]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    offset: int

    def terms(self, text: str) -> list[str]:
        if self.analyzer == "word":
            return analyze(text, self.ngram[1])
        return char_wb_ngrams(text, *self.ngram)

    def features(self, text: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        if self.analyzer == "taxonomy":
            return np.arange(len(SIDES)) + self.offset, taxonomy_features(text)
        counts = Counter(i for t in self.terms(text) if (i := self.vocabulary.get(t)) is not None)
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        idx = np.fromiter(counts.keys(), dtype=np.intp)
        vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[idx]
        return idx + self.offset, vals / math.sqrt(float(vals @ vals))


@dataclass(frozen=True)
class RoleModel:
    """A linear TF-IDF role classifier held as plain arrays (loaded from JSON, no pickle)."""

    classes: tuple[str, ...]
    blocks: tuple[FeatureBlock, ...]
    coef: npt.NDArray[np.float64]
    intercept: npt.NDArray[np.float64]
    meta: dict[str, Any]

    def proba(self, text: str) -> npt.NDArray[np.float64]:
        logits = self.intercept.copy()
        for block in self.blocks:
            idx, vals = block.features(text)
            if idx.size:
                logits += self.coef[:, idx] @ vals
        if len(self.classes) == 2:  # binary logistic regression keeps one row of coefficients
            logits = np.array([0.0, logits[0]])
        logits -= logits.max()
        p = np.exp(logits)
        return np.asarray(p / p.sum())

    def classify(self, text: str) -> tuple[str, float]:
        p = self.proba(text)
        k = int(np.argmax(p))
        return self.classes[k], float(p[k])

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoleModel:
        clf = data["classifier"]
        blocks = []
        offset = 0
        for b in clf["blocks"]:
            vocab = {t: i for i, t in enumerate(b.get("vocabulary", []))}
            ngram = b.get("ngram", [0, 0])
            blocks.append(
                FeatureBlock(
                    b["analyzer"], (ngram[0], ngram[1]), vocab, np.asarray(b.get("idf", [])), offset
                )
            )
            offset += len(vocab) if b["analyzer"] != "taxonomy" else len(SIDES)
        return cls(
            classes=tuple(clf["classes"]),
            blocks=tuple(blocks),
            coef=np.asarray(clf["coef"], dtype=np.float64),
            intercept=np.asarray(clf["intercept"], dtype=np.float64),
            meta=dict(data.get("meta", {})),
        )


@cache
def _shipped() -> dict[str, Any]:
    with Path(data_path(MODEL_FILE)).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def load_role_model() -> RoleModel:
    return RoleModel.from_json(_shipped())


@cache
def shipped_text_space() -> TextSpace:
    return TextSpace.from_dict(_shipped()["text_space"])


def classify_role(text: str) -> tuple[str, float]:
    """("receptionist" | "secretary" | "other", probability) for a job description or resume."""
    return load_role_model().classify(text)


@dataclass
class Extracted:
    skills: dict[str, int] = field(default_factory=dict)
    credentials: set[str] = field(default_factory=set)
    ehr: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    typing_wpm: int | None = None
    role: str = "other"
    confidence: float = 0.0

    def as_requirements(self, role: str) -> dict[str, tuple[int, float]]:
        """Skill requirements for an opening form: mentioned skills over the role's defaults."""
        reqs = load_taxonomy().default_requirements(role)
        for code, level in self.skills.items():
            need, weight = reqs.get(code, (0, 0.5))
            reqs[code] = (max(need, min(level, 3)), max(weight, 0.5))
        return reqs


def extract_skills(text: str, taxonomy: Taxonomy | None = None) -> Extracted:
    """Skills (with a level 2, or 3 when stated strongly), credentials, EHRs, languages, role;
    read with `taxonomy` (a regional one finds only its own credentials and systems)."""
    tax = taxonomy or load_taxonomy()
    out = Extracted()
    for code, pattern in tax.patterns["skills"].items():
        level = 0
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 60) : m.start()]
            level = max(level, 3 if STRONG_CUES.search(before) else 2)
            if level == 3:
                break
        if level:
            out.skills[code] = level
    for kind, target in (
        ("credentials", out.credentials),
        ("ehr", out.ehr),
        ("languages", out.languages),
    ):
        for code, pattern in tax.patterns[kind].items():
            if pattern.search(text):
                target.add(code)
    # "HIPAA" alone is a skill mention; only HIPAA training or certification is a credential.
    wpm = [int(m.group(1)) for m in WPM.finditer(text) if 15 <= int(m.group(1)) <= 200]
    out.typing_wpm = max(wpm) if wpm else None
    if out.typing_wpm and "typing" not in out.skills:
        out.skills["typing"] = 2
    out.role, out.confidence = classify_role(text)
    return out
