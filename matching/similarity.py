"""TF-IDF space fitted on a whole corpus (resumes + openings) for resume/description similarity."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice, repeat
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
        self._fit(corpus, ())
        del self._seen
        return self

    def fit_transform(self, texts: Sequence[str], more: Iterable[str] = ()) -> sp.csr_matrix:
        """fit(texts + more), then transform(texts), tokenizing each text once (tokenizing is
        most of the time of both): the pool's build."""
        kept = self._fit(texts, more)
        # Each term's number while counting -> its column in the vocabulary (-1: left out).
        column = np.full(len(self._seen), -1, dtype=np.int64)
        for term, j in self.vocabulary_.items():
            column[self._seen[term]] = j
        del self._seen
        blocks = [self._matrix(lengths, column[ids]) for ids, lengths in kept]
        if not blocks:
            return sp.csr_matrix((0, len(self.vocabulary_)), dtype=np.float32)
        return blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")

    def _fit(
        self, corpus: Iterable[str], more: Iterable[str]
    ) -> list[tuple[npt.NDArray[np.int64], list[int]]]:
        """Fit on corpus then more; returns the corpus's token numbers (in `self._seen`) with
        each text's token count, chunk by chunk, for fit_transform."""
        # Document frequencies counted with numpy, CHUNK_TEXTS documents at a time: a
        # 100,000-resume pool is fitted in seconds instead of a Counter update per document,
        # and only one chunk's tokens (tens of bytes each) exist at once.
        n = 0
        seen: dict[str, int] = {}
        df = np.zeros(0, dtype=np.int64)
        kept_ids: list[tuple[npt.NDArray[np.int64], list[int]]] = []
        for keep, texts in ((True, corpus), (False, more)):
            for chunk in _chunks(texts):
                flat = _tokenize(chunk)
                ids = _term_ids(flat, seen)
                del flat
                lengths = _lengths(ids == seen[SEPARATOR])
                n += len(lengths)
                counted = np.bincount(
                    _term_counts(lengths, ids, len(seen)).indices, minlength=len(seen)
                )
                counted[: df.size] += df
                df = counted
                if keep:
                    kept_ids.append((ids, lengths))
        terms = list(seen)
        kept = [
            (t, int(c))
            for t, c in zip(terms, df, strict=True)
            # (Single characters, the separator among them, are split's and never tokens.)
            if c >= self.min_df and len(t) > 1 and t not in ENGLISH_STOP_WORDS
        ]
        kept.sort(key=lambda tc: (-tc[1], tc[0]))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        kept.sort()
        self.vocabulary_ = {t: i for i, (t, _) in enumerate(kept)}
        self.idf_ = np.array([math.log((1 + n) / (1 + c)) + 1.0 for _, c in kept], dtype=np.float64)
        self._seen = seen
        return kept_ids

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
        """The same numbers as vector() for each text, computed CHUNK_TEXTS rows at a time."""
        if len(texts) <= CHUNK_TEXTS:
            return self._transform(texts)
        blocks = [self._transform(chunk) for chunk in _chunks(texts)]
        return sp.vstack(blocks, format="csr")

    def _transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        flat = _tokenize(texts)
        # Stop words and single characters never enter the vocabulary, so a plain lookup
        # filters them too; the separator is looked up as SEPARATOR_ID.
        lookup = dict(self.vocabulary_)
        lookup[SEPARATOR] = SEPARATOR_ID
        ids = np.fromiter(map(lookup.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        return self._matrix(_lengths(ids == SEPARATOR_ID), ids)

    def _matrix(self, lengths: list[int], ids: npt.NDArray[np.int64]) -> sp.csr_matrix:
        """Rows of sublinear tf-idf, l2-normalised, from each text's vocabulary columns."""
        n, width = len(lengths), len(self.vocabulary_)
        counts = _term_counts(lengths, ids, width)
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(counts.indptr))
        data = (1.0 + np.log(counts.data)) * self.idf_[counts.indices]
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
        data = data / norms[rows]
        cols, indptr = counts.indices, counts.indptr
        return sp.csr_matrix(
            (data.astype(np.float32), cols.astype(np.int32), indptr), shape=(n, width)
        )


# Texts tokenized at a time by fit and transform: a chunk's tokens are Python strings (about
# 50 bytes each), so 100,000 resumes at once held most of a gigabyte.
CHUNK_TEXTS = 10_000


def _chunks(texts: Iterable[str]) -> Iterator[list[str]]:
    it = iter(texts)
    while chunk := list(islice(it, CHUNK_TEXTS)):
        yield chunk


def _term_ids(flat: list[str], seen: dict[str, int]) -> npt.NDArray[np.int64]:
    """Each token's number in `seen`, numbering new terms in order of first appearance.

    Looked up with map() first (C speed: after the first few thousand documents almost every
    term is known), then the new terms are numbered in one Python pass over those tokens only.
    """
    ids = np.fromiter(map(seen.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    new = np.flatnonzero(ids < 0)
    for i in new.tolist():
        ids[i] = seen.setdefault(flat[i], len(seen))
    return ids


# What splits the texts of a chunk apart: neither a word character nor white space, and in no
# text _tokenize hands on (those are ASCII, or word characters and spaces only); one
# character, so never a term of the vocabulary (transform numbers it SEPARATOR_ID).
SEPARATOR = "\x80"
SEPARATOR_ID = -2
# Byte -> itself for ASCII word characters and every non-ASCII byte, space for the rest.
_SPACE_OUT = bytes(c if c >= 128 or TOKEN.fullmatch(chr(c) * 2) else ord(" ") for c in range(256))


def _tokenize(texts: Sequence[str]) -> list[str]:
    """Every text's tokens in one flat list, each text's followed by SEPARATOR; single
    characters are among them (callers drop them by number: no term has one character).

    The tokens of a text are TOKEN's matches in it lower-cased: on ASCII (nearly every text) a
    run of two or more word characters between non-word ones, which is what splitting the text
    with every non-word byte made a space gives, for a whole chunk of texts in four C calls
    (three times faster than TOKEN.findall per text). Other texts are reduced to their TOKEN
    matches first, which the split gives back unchanged.
    """
    plain = [t if t.isascii() else " ".join(TOKEN.findall(t.lower())) for t in texts]
    between = f" {SEPARATOR} "
    joined = (between.join(plain) + between).encode().lower().translate(_SPACE_OUT)
    return joined.decode().split()


def _lengths(separators: npt.NDArray[np.bool_]) -> list[int]:
    """How many tokens each text has, its separator included (no term: dropped when counted)."""
    ends = np.flatnonzero(separators)
    return np.diff(ends, prepend=-1).tolist()  # type: ignore[no-any-return]


def _term_counts(lengths: list[int], ids: npt.NDArray[np.int64], width: int) -> sp.csr_matrix:
    """Document x term counts, columns sorted within each row; ids < 0 (unknown) are dropped."""
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    known = ids >= 0
    counts = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float64), (doc[known], ids[known])),
        shape=(len(lengths), width),
    )
    counts.sum_duplicates()  # also sorts the column indices of each row
    return counts


def cosine(a: SparseVector, b: SparseVector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[i] for i, v in a.items() if i in b)
