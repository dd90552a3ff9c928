"""Train and evaluate the role classifier from the postings directory plus O*NET and ESCO text."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import sklearn
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, normalize

from matching.similarity import TextSpace
from matching.taxonomy import data_path
from matching.text import MODEL_FILE, ROLE_LABELS, RoleModel, taxonomy_feature_matrix

SEED = 20240527
NGRAM_MAX = 2
CHAR_NGRAMS = (3, 5)
FAMILY_TO_ROLE = {"receptionist": "receptionist", "secretary": "secretary", "other": "other"}
# US postings carry a finer label; the one medical front-desk posting is a receptionist job.
US_LABEL_TO_ROLE = {"medical_front_desk_admin": "receptionist"}
# The postings' labels come from a regular expression on the title. Its "patient access" rule
# matches "Patient Services" and "Appointment", so it also labels clinical posts (a physiotherapist
# for "Secure Inpatient Services", a locum doctor's "Locum Appointment for Service") as front desk.
# A title naming a clinical profession or a general manager overrides that one rule: such a post
# is "other" (8 of the 84 patient-access postings; checked by reading each title).
CLINICAL_TITLE = re.compile(
    r"nurse|physiotherap|psycholog|pharmacy tech|locum|consultant|general manager", re.IGNORECASE
)
ONET_ROLE = {
    "43-4171.00": "receptionist",
    "43-6013.00": "secretary",
    "29-2072.00": "secretary",  # medical records: back office
    "31-9094.00": "secretary",  # medical transcription: back office
    "43-3021.00": "secretary",  # billing and posting: back office
    "43-6014.00": "other",  # non-medical secretaries
    "31-9092.00": "other",  # medical assistants: clinical
}


@dataclass(frozen=True)
class Doc:
    text: str
    role: str
    source: str
    title: str = ""


def _role(row: dict[str, Any]) -> str | None:
    family = row.get("role_family")
    if family is None:
        return US_LABEL_TO_ROLE.get(row.get("role_label", ""), "other")
    if row.get("role_label") == "patient_access_admin" and CLINICAL_TITLE.search(
        row.get("title") or ""
    ):
        return "other"
    return FAMILY_TO_ROLE.get(family)


def posting_docs(directory: Path) -> list[Doc]:
    """Postings with a usable label; ambiguous 'healthcare administrator' titles are left out."""
    docs: list[Doc] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                role = _role(row)
                if role and row.get("description"):
                    docs.append(Doc(row["description"], role, path.name, row.get("title") or ""))
    return docs


def title_docs(postings: list[Doc]) -> list[Doc]:
    """Each posting's title as a short training document of its own.

    Descriptions often name the post ("... to join our team as a Medical Secretary"), so the
    titles teach the model those words; they are training text only: a posting is always
    predicted from its description.
    """
    return [Doc(d.title, d.role, "title") for d in postings if d.title.strip()]


def duplicate_groups(postings: list[Doc]) -> list[int]:
    """Postings whose descriptions open with the same 300 characters share a group, so a
    re-advertised post never sits on both sides of a cross-validation split."""
    seen: dict[str, int] = {}
    return [seen.setdefault(" ".join(d.text.lower().split())[:300], len(seen)) for d in postings]


def _csv(name: str) -> Iterator[dict[str, str]]:
    with data_path(name).open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def reference_docs() -> list[Doc]:
    """Shipped CC BY text: O*NET task statements, occupations and alternate titles; ESCO."""
    docs = [
        Doc(r["task"], ONET_ROLE[r["onet_soc_code"]], "onet_task")
        for r in _csv("onet_task_statements.csv")
        if r["onet_soc_code"] in ONET_ROLE
    ]
    docs += [
        Doc(r["description"], ONET_ROLE[r["onet_soc_code"]], "onet_occupation")
        for r in _csv("onet_occupations.csv")
        if r["onet_soc_code"] in ONET_ROLE
    ]
    titles: dict[str, list[str]] = {}
    for r in _csv("onet_alternate_titles.csv"):
        titles.setdefault(r["onet_soc_code"], []).append(r["alternate_title"])
    for code, names in titles.items():
        if code in ONET_ROLE:
            docs += [
                Doc(". ".join(names[i : i + 8]), ONET_ROLE[code], "onet_titles")
                for i in range(0, len(names), 8)
            ]
    docs += _task_bundles()
    for r in _csv("esco_occupations_medical_admin.csv"):
        label = r["preferred_label_assigned"].lower()
        role = (
            "receptionist"
            if "receptionist" in label
            else "secretary"
            if r["is_medical"].strip().lower() in {"true", "1", "yes", "y"}
            and any(
                w in label for w in ("secretary", "coder", "coding", "records", "transcription")
            )
            else "other"
            if r["is_medical"].strip().lower() not in {"true", "1", "yes", "y"}
            else None
        )
        if role:
            docs.append(Doc(r["labels_and_description_concatenated"], role, "esco"))
    return docs


def _task_bundles(per_occupation: int = 40, size: int = 5) -> list[Doc]:
    """Posting-length documents of US wording: random bundles of one occupation's task statements.

    The postings are UK (medical admin) or US (almost all non-medical), so without these the
    model would learn "US wording means other".
    """
    rng = np.random.default_rng(SEED)
    by_code: dict[str, list[str]] = {}
    for r in _csv("onet_task_statements.csv"):
        by_code.setdefault(r["onet_soc_code"], []).append(r["task"])
    docs = []
    for code in sorted(by_code):
        tasks = by_code[code]
        if code not in ONET_ROLE:
            continue
        for _ in range(per_occupation):
            pick = rng.choice(len(tasks), size=min(size, len(tasks)), replace=False)
            docs.append(Doc(" ".join(tasks[i] for i in pick), ONET_ROLE[code], "onet_task_bundle"))
    return docs


def make_pipeline(C: float = 100.0) -> Pipeline:
    """Word 1-2-grams, character 3-5-grams inside words, and the taxonomy's front/back skill shares.

    The last keeps US front-desk wording (absent from the UK postings) from reading as "other".
    """
    words = TfidfVectorizer(
        stop_words="english", ngram_range=(1, NGRAM_MAX), sublinear_tf=True, min_df=2
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=3
    )
    taxonomy = FunctionTransformer(taxonomy_feature_matrix)
    return Pipeline(
        [
            ("tfidf", FeatureUnion([("word", words), ("char", chars), ("taxonomy", taxonomy)])),
            ("clf", LogisticRegression(C=C, max_iter=3000, random_state=SEED)),
        ]
    )


def _fold_tfidf(counts: sp.csr_matrix, train: npt.NDArray[np.intp], min_df: int) -> sp.csr_matrix:
    """What TfidfVectorizer(sublinear_tf=True, min_df) fitted on `train` outputs for all rows."""
    df = np.asarray((counts[train] > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(df >= min_df)
    idf = np.log((1 + len(train)) / (1 + df[keep])) + 1.0
    X = counts[:, keep].astype(np.float64).tocsr()
    X.data = 1.0 + np.log(X.data)
    return normalize(X @ sp.diags(idf))


def cross_validate(directory: Path, folds: int = 5) -> dict[str, Any]:
    """Macro-F1 on held-out postings; each fold trains on the other postings plus reference text.

    Counting is done once for all documents and each fold then keeps only its training
    documents' vocabulary and IDF, which is exactly what refitting the pipeline would do,
    five times faster.
    """
    postings = posting_docs(directory)
    reference = reference_docs()
    titled = [i for i, d in enumerate(postings) if d.title.strip()]
    extra = reference + title_docs(postings)  # title_docs keeps the order of `titled`
    texts = [d.text for d in postings + extra]
    labels = np.array([d.role for d in postings + extra])
    pipe = make_pipeline()
    union: FeatureUnion = pipe.named_steps["tfidf"]
    blocks = []
    for name, step in union.transformer_list:
        if name == "taxonomy":
            blocks.append((None, 0, sp.csr_matrix(taxonomy_feature_matrix(texts))))
        else:
            counter = CountVectorizer(
                analyzer=step.analyzer, stop_words=step.stop_words, ngram_range=step.ngram_range
            )
            blocks.append((step, step.min_df, counter.fit_transform(texts).tocsr()))
    n_post = len(postings)
    y = labels[:n_post]
    predicted = np.empty_like(y)
    n_ref = len(reference)
    title_row = np.full(n_post, -1)
    title_row[titled] = n_post + n_ref + np.arange(len(titled))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train_posts, test in splitter.split(np.zeros(n_post), y, duplicate_groups(postings)):
        own_titles = title_row[train_posts]  # only the training postings' titles
        train = np.concatenate(
            [train_posts, np.arange(n_post, n_post + n_ref), own_titles[own_titles >= 0]]
        )
        X = sp.hstack(
            [m if step is None else _fold_tfidf(m, train, min_df) for step, min_df, m in blocks],
            format="csr",
        )
        clf = clone(pipe.named_steps["clf"]).fit(X[train], labels[train])
        predicted[test] = clf.predict(X[test])
    labels_ = list(ROLE_LABELS)
    precision, recall, per_class, _ = precision_recall_fscore_support(
        y, predicted, labels=labels_, zero_division=0
    )
    return {
        "macro_f1": float(f1_score(y, predicted, labels=labels_, average="macro")),
        "per_class_f1": {r: float(v) for r, v in zip(ROLE_LABELS, per_class, strict=True)},
        "per_class_precision": {r: float(v) for r, v in zip(ROLE_LABELS, precision, strict=True)},
        "per_class_recall": {r: float(v) for r, v in zip(ROLE_LABELS, recall, strict=True)},
        # Rows: the true role; columns: the predicted one (ROLE_LABELS order).
        "confusion": confusion_matrix(y, predicted, labels=labels_).tolist(),
        "n_postings": n_post,
        "counts": {r: int((y == r).sum()) for r in ROLE_LABELS},
        "folds": folds,
    }


def train(directory: Path) -> dict[str, Any]:
    """Fit on every posting plus reference text; return the JSON-ready model (no posting text)."""
    postings = posting_docs(directory)
    docs = postings + reference_docs() + title_docs(postings)
    texts = [d.text for d in docs]
    pipe = make_pipeline().fit(texts, [d.role for d in docs])
    union: FeatureUnion = pipe.named_steps["tfidf"]
    clf: LogisticRegression = pipe.named_steps["clf"]
    blocks: list[dict[str, Any]] = []
    for name, vec in union.transformer_list:
        if name == "taxonomy":
            blocks.append({"analyzer": "taxonomy"})
            continue
        blocks.append(
            {
                "analyzer": vec.analyzer,
                "ngram": list(vec.ngram_range),
                "vocabulary": sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__),
                "idf": [round(float(v), 5) for v in vec.idf_],
            }
        )
    order = [list(clf.classes_).index(r) for r in ROLE_LABELS]
    space = TextSpace(min_df=2).fit(texts)
    data = {
        "meta": {
            "kind": "tfidf(word 1-2 + char_wb 3-5) + taxonomy side shares, logistic regression;"
            " trained on descriptions, reference text and posting titles",
            "sklearn_version": sklearn.__version__,
            "seed": SEED,
            "trained_on": {
                "postings": len(postings),
                "reference_docs": len(reference_docs()),
                "titles": len(docs) - len(postings) - len(reference_docs()),
            },
            "command": "python -m matching train-role ../shared/data/postings",
        },
        "classifier": {
            "classes": list(ROLE_LABELS),
            "blocks": blocks,
            "coef": [[round(float(v), 5) for v in row] for row in clf.coef_[order]],
            "intercept": [round(float(v), 6) for v in clf.intercept_[order]],
        },
        "text_space": space.to_dict(),
    }
    _check_export(pipe, data, texts[:200])
    return data


def _check_export(pipe: Pipeline, data: dict[str, Any], texts: list[str]) -> None:
    """The JSON model must reproduce the fitted pipeline's probabilities."""
    model = RoleModel.from_json(data)
    expected = pipe.predict_proba(texts)
    order = [list(pipe.classes_).index(r) for r in ROLE_LABELS]
    got = np.array([model.proba(t) for t in texts])
    if not np.allclose(got, expected[:, order], atol=2e-3):
        raise RuntimeError("exported role model disagrees with the fitted pipeline")


def write_model(data: dict[str, Any], path: Path | None = None) -> Path:
    target = path or data_path(MODEL_FILE)
    target.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return target
