"""TF-IDF space fitted on a whole corpus (resumes + openings) for resume/description similarity."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

TOKEN = re.compile(r"(?u)\b\w\w+\b")
SparseVector = dict[int, float]


def tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


class TextSpace:
    """Sublinear-tf, smooth-idf, l2-normalised TF-IDF (the same formulas as scikit-learn's).

    Written out rather than wrapping TfidfVectorizer so that one pair can be vectorised in
    microseconds with exactly the numbers the pool's sparse matrix holds.
    """

    def __init__(self, min_df: int = 1, max_features: int | None = 50_000) -> None:
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, corpus: Iterable[str]) -> TextSpace:
        df: Counter[str] = Counter()
        n = 0
        for text in corpus:
            df.update(set(tokens(text)))
            n += 1
        kept = [(t, c) for t, c in df.items() if c >= self.min_df]
        kept.sort(key=lambda tc: (-tc[1], tc[0]))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        kept.sort()
        self.vocabulary_ = {t: i for i, (t, _) in enumerate(kept)}
        self.idf_ = np.array([math.log((1 + n) / (1 + c)) + 1.0 for _, c in kept], dtype=np.float64)
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextSpace:
        space = cls()
        space.vocabulary_ = {t: i for i, t in enumerate(data["vocabulary"])}
        space.idf_ = np.asarray(data["idf"], dtype=np.float64)
        return space

    def to_dict(self) -> dict[str, Any]:
        vocab = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return {"vocabulary": vocab, "idf": [round(float(v), 5) for v in self.idf_]}

    def vector(self, text: str) -> SparseVector:
        counts = Counter(i for t in tokens(text) if (i := self.vocabulary_.get(t)) is not None)
        vec = {i: (1.0 + math.log(c)) * float(self.idf_[i]) for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {i: v / norm for i, v in vec.items()} if norm > 0 else {}

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for text in texts:
            vec = self.vector(text)
            keys = sorted(vec)
            indices.extend(keys)
            data.extend(vec[k] for k in keys)
            indptr.append(len(indices))
        return sp.csr_matrix(
            (
                np.asarray(data, dtype=np.float32),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(texts), len(self.vocabulary_)),
        )

    def dense_query(self, text: str) -> npt.NDArray[np.float32]:
        q = np.zeros(len(self.vocabulary_), dtype=np.float32)
        for i, v in self.vector(text).items():
            q[i] = v
        return q


def cosine(a: SparseVector, b: SparseVector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[i] for i, v in a.items() if i in b)
