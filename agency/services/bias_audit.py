"""The bias audit of the automated ranking, in the style of New York City Local Law 144.

For a period, two rates per group of candidates who identified themselves (docs/bias_audit.md):

- **selection rate**: of the candidates with an application made in the period, the share that
  was shortlisted or submitted to a clinic (an application that went further passed through
  one of those);
- **scoring rate**: of the candidates the engine scored in the period, the share whose best
  score is above the median of everybody's best score.

Each group's impact ratio is its rate over the highest rate among the groups large enough to
judge; under 0.8 (the four-fifths rule) it is flagged. Groups too small to judge are shown and
marked, never hidden, and never set the reference. "Prefer not to say" and "not answered" are
counted apart and left out of the comparison. Every category is reported alone and crossed
with every other (sex x race/ethnicity first, as the law asks).

The per-group rates come from fairlearn's MetricFrame, imported when a report is made: pandas
and fairlearn cost seconds to import, which no other page should pay.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations, product

from sqlalchemy import func, select

from agency.extensions import db
from agency.models import Application, Match, Stage, StageChange
from agency.models.self_id import CATEGORIES, DECLINED, DECLINED_LABEL, SelfIdentification, label

# A candidate counts as selected once an application reaches one of these stages.
SELECTED_STAGES = (Stage.SHORTLISTED, Stage.SUBMITTED)
# Reached only through a submission, whether or not the steps were recorded.
BEYOND_SELECTION = (Stage.INTERVIEW, Stage.OFFERED, Stage.PLACED)
# A group smaller than either of these is too small to judge (Local Law 144 lets an auditor
# leave out groups under 2 % of the data; a handful of people is noise whatever the share).
MIN_GROUP_SIZE = 5
MIN_GROUP_SHARE = 0.02
FOUR_FIFTHS = 0.8
NOT_ANSWERED = "not_answered"
NOT_ANSWERED_LABEL = "Not answered"
UNKNOWN_VALUES = (DECLINED, NOT_ANSWERED)


@dataclass(frozen=True)
class GroupResult:
    label: str
    n: int
    hits: int
    rate: float | None
    impact_ratio: float | None
    # "flagged" (under four fifths), "ok", "too_small" (shown, not judged) or "unknown"
    # (declined or not answered: counted, left out of the comparison).
    status: str

    @property
    def flagged(self) -> bool:
        return self.status == "flagged"


@dataclass(frozen=True)
class CategoryTable:
    key: str
    title: str
    groups: list[GroupResult]

    @property
    def flagged(self) -> list[GroupResult]:
        return [g for g in self.groups if g.flagged]


@dataclass(frozen=True)
class MetricReport:
    key: str  # "selection" or "scoring"
    title: str
    hit_words: str  # what a "hit" is, for column headers
    population: int
    tables: list[CategoryTable]

    def table(self, key: str) -> CategoryTable:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class AuditReport:
    start: date
    end: date
    median_score: float | None
    selection: MetricReport
    scoring: MetricReport
    metrics: list[MetricReport] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", [self.selection, self.scoring])

    @property
    def flagged_count(self) -> int:
        return sum(len(t.flagged) for m in self.metrics for t in m.tables)


def category_keys() -> list[tuple[str, ...]]:
    """Every category alone, then every pair of them (sex x race/ethnicity first)."""
    singles: list[tuple[str, ...]] = [(c,) for c in CATEGORIES]
    pairs: list[tuple[str, ...]] = list(combinations(CATEGORIES, 2))
    first = ("sex", "race_ethnicity")
    return singles + [first] + [p for p in pairs if p != first]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    # The end day is included: the period runs to the end of it (UTC).
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def selections(start: date, end: date) -> dict[int, int]:
    """Candidates with an application made in the period -> 1 if one was selected, else 0."""
    lo, hi = _bounds(start, end)
    in_period = (Application.created_at >= lo) & (Application.created_at < hi)
    people: dict[int, int] = {}
    rows = db.session.execute(
        select(Application.candidate_id, Application.stage).where(in_period)
    ).all()
    for candidate_id, stage in rows:
        hit = stage in SELECTED_STAGES or stage in BEYOND_SELECTION
        people[candidate_id] = max(people.get(candidate_id, 0), int(hit))
    passed = db.session.execute(
        select(Application.candidate_id)
        .join(StageChange, StageChange.application_id == Application.id)
        .where(in_period, StageChange.to_stage.in_(SELECTED_STAGES))
        .distinct()
    ).scalars()
    for candidate_id in passed:
        people[candidate_id] = 1
    return people


def best_scores(start: date, end: date) -> dict[int, float]:
    """Candidates scored in the period -> their best score (the engine keeps the latest score
    of each pair, so a period rescored since shows only what was scored in it)."""
    lo, hi = _bounds(start, end)
    rows = db.session.execute(
        select(Match.candidate_id, func.max(Match.score))
        .where(Match.computed_at >= lo, Match.computed_at < hi)
        .group_by(Match.candidate_id)
    ).all()
    return {candidate_id: float(score) for candidate_id, score in rows}


def _answers(candidate_ids: set[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    ids = sorted(candidate_ids)
    for chunk in range(0, len(ids), 5000):
        rows = db.session.execute(
            select(SelfIdentification).where(
                SelfIdentification.candidate_id.in_(ids[chunk : chunk + 5000])
            )
        ).scalars()
        for row in rows:
            found[row.candidate_id] = row.answers()
    blank = dict.fromkeys(CATEGORIES, NOT_ANSWERED)
    return {cid: found.get(cid, blank) for cid in candidate_ids}


def _label(columns: tuple[str, ...], values: tuple[str, ...]) -> str:
    return " · ".join(label(c, v) for c, v in zip(columns, values, strict=True))


def _rate(hits: int, n: int) -> float | None:
    return hits / n if n else None


def group_rates(
    columns: tuple[str, ...], hits: dict[int, int], answers: dict[int, dict[str, str]]
) -> dict[tuple[str, ...], tuple[int, int, float]]:
    """(group values) -> (people, hits, rate) over the people who answered every column, by
    fairlearn's MetricFrame (the groups of several columns are their intersections)."""
    known = [cid for cid in hits if all(answers[cid][c] not in UNKNOWN_VALUES for c in columns)]
    if not known:
        return {}
    import pandas as pd
    from fairlearn.metrics import MetricFrame, count, selection_rate

    y = [hits[cid] for cid in known]
    features = pd.DataFrame({c: [answers[cid][c] for cid in known] for c in columns})
    frame = MetricFrame(
        metrics={"rate": selection_rate, "n": count},
        y_true=y,
        y_pred=y,
        sensitive_features=features,
    )
    result = {}
    for index, rate, n in frame.by_group.itertuples():
        values = index if isinstance(index, tuple) else (index,)
        if pd.isna(n) or int(n) == 0:
            continue  # an intersection nobody is in
        result[tuple(str(v) for v in values)] = (int(n), round(float(rate) * int(n)), float(rate))
    return result


def category_table(
    columns: tuple[str, ...], hits: dict[int, int], answers: dict[int, dict[str, str]]
) -> CategoryTable:
    rates = group_rates(columns, hits, answers)
    known_total = sum(n for n, _h, _r in rates.values())
    if len(columns) == 1:
        # Every answer is listed, the ones nobody gave too (as too small to judge).
        order: list[tuple[str, ...]] = [(v,) for v in CATEGORIES[columns[0]][1]]
    else:
        order = [
            tuple(values)
            for values in product(*(CATEGORIES[c][1] for c in columns))
            if tuple(values) in rates
        ]

    def judged(n: int) -> bool:
        return n >= MIN_GROUP_SIZE and n >= MIN_GROUP_SHARE * known_total

    reference = max((r for n, _h, r in rates.values() if judged(n)), default=None)
    groups = []
    for values in order:
        n, group_hits, rate = rates.get(values, (0, 0, 0.0))
        ratio = rate / reference if reference and n else None
        if not judged(n):
            status = "too_small"
        elif ratio is not None and ratio < FOUR_FIFTHS:
            status = "flagged"
        else:
            status = "ok"
        groups.append(
            GroupResult(_label(columns, values), n, group_hits, _rate(group_hits, n), ratio, status)
        )
    groups += _unknown_rows(columns, hits, answers)
    names = [CATEGORIES[c][0] for c in columns]
    title = " and ".join([names[0], *(n.lower() for n in names[1:])])
    return CategoryTable("+".join(columns), title, groups)


def _unknown_rows(
    columns: tuple[str, ...], hits: dict[int, int], answers: dict[int, dict[str, str]]
) -> list[GroupResult]:
    """Who declined and who never answered: counted, not compared."""
    if len(columns) == 1:
        kinds = [(DECLINED, DECLINED_LABEL), (NOT_ANSWERED, NOT_ANSWERED_LABEL)]
        buckets = {
            kind: [cid for cid in hits if answers[cid][columns[0]] == kind] for kind, _ in kinds
        }
        rows = [(text, buckets[kind]) for kind, text in kinds]
    else:
        unknown = [cid for cid in hits if any(answers[cid][c] in UNKNOWN_VALUES for c in columns)]
        rows = [("Prefer not to say or not answered (either question)", unknown)]
    results = []
    for text, ids in rows:
        n, group_hits = len(ids), sum(hits[cid] for cid in ids)
        results.append(GroupResult(text, n, group_hits, _rate(group_hits, n), None, "unknown"))
    return results


def _metric(
    key: str, title: str, hit_words: str, hits: dict[int, int], answers: dict[int, dict[str, str]]
) -> MetricReport:
    tables = [category_table(columns, hits, answers) for columns in category_keys()]
    return MetricReport(key, title, hit_words, len(hits), tables)


def report(start: date, end: date) -> AuditReport:
    """The audit of [start, end] (both days included)."""
    selected = selections(start, end)
    scores = best_scores(start, end)
    median = statistics.median(scores.values()) if scores else None
    above = {cid: int(median is not None and s > median) for cid, s in scores.items()}
    answers = _answers(set(selected) | set(scores))
    return AuditReport(
        start=start,
        end=end,
        median_score=median,
        selection=_metric(
            "selection", "Selection rate", "shortlisted or submitted", selected, answers
        ),
        scoring=_metric("scoring", "Scoring rate", "above the median score", above, answers),
    )


STATUS_WORDS = {
    "flagged": "impact ratio under 0.8",
    "ok": "",
    "too_small": "too few to judge",
    "unknown": "not compared",
}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def to_csv(audit: AuditReport) -> str:
    """One row per metric, category and group: what the printable page shows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "period_start",
            "period_end",
            "metric",
            "category",
            "group",
            "people",
            "selected_or_scored_above_median",
            "rate",
            "impact_ratio",
            "note",
        ]
    )
    for metric in audit.metrics:
        for table in metric.tables:
            for g in table.groups:
                writer.writerow(
                    [
                        audit.start.isoformat(),
                        audit.end.isoformat(),
                        metric.key,
                        table.title,
                        g.label,
                        g.n,
                        g.hits,
                        _fmt(g.rate),
                        _fmt(g.impact_ratio),
                        STATUS_WORDS[g.status],
                    ]
                )
    return out.getvalue()
