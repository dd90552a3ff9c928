"""Synthetic candidates with a known disparity planted in them, for the bias audit's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Application, Match, StageChange, utcnow
from agency.models.self_id import SelfIdentification


@dataclass
class Person:
    sex: str | None  # None: never answered
    race: str
    selected: bool
    score: float
    via_history: bool = False  # selected once, rejected later


def planted_people() -> list[Person]:
    """Men are selected at 0.5, women at 0.2 (ratio 0.4: flagged); race plays no part (each sex
    half white, half Black, selected alike). Three people of another sex identity, all selected,
    are too few to judge. Scores: men all 80, women five 80s and fifteen 40s, the rest 60, so
    the median is 60 and the scoring rates are 1.0 and 0.25."""
    people = []
    for i in range(20):
        race = "white" if i % 2 else "black"
        # Five men of each race selected: the first ten indexes.
        people.append(Person("male", race, i < 10, 80.0, via_history=i == 0))
        people.append(Person("female", race, i < 4, 80.0 if i < 5 else 40.0))
    people += [Person("another", "asian", True, 60.0) for _ in range(3)]
    people += [Person("declined", "declined", False, 60.0) for _ in range(4)]
    people += [Person(None, "", False, 60.0) for _ in range(4)]
    return people


def plant(people: list[Person], make_candidate: Any, make_opening: Any) -> list[int]:
    """Candidates, one application each (made today) and their best score, plus noise the
    report must leave out: an old application and an old score of a rejected woman."""
    opening, other = make_opening(), make_opening()
    now = utcnow()
    ids = []
    for person in people:
        candidate = make_candidate(with_user=False)
        ids.append(candidate.id)
        if person.sex is not None:
            db.session.add(
                SelfIdentification(
                    candidate_id=candidate.id,
                    sex=person.sex,
                    race_ethnicity=person.race,
                    age_band="25_39",
                    disability="no",
                    veteran_status="not_protected",
                )
            )
        if person.via_history:
            path = ["applied", "shortlisted", "rejected"]
        else:
            path = ["applied", "submitted"] if person.selected else ["applied", "rejected"]
        application = Application(
            candidate_id=candidate.id,
            opening_id=opening.id,
            source="applied",
            stage=path[-1],
            created_at=now,
        )
        db.session.add(application)
        db.session.flush()
        for step, stage in enumerate(path):
            db.session.add(
                StageChange(
                    application_id=application.id,
                    from_stage=path[step - 1] if step else None,
                    to_stage=stage,
                    created_at=now,
                )
            )
        db.session.add(
            Match(
                candidate_id=candidate.id,
                opening_id=opening.id,
                score=person.score,
                model_version="test",
                computed_at=now,
            )
        )
        # A lower score on another opening: the best score is what counts.
        db.session.add(
            Match(
                candidate_id=candidate.id,
                opening_id=other.id,
                score=person.score - 30,
                model_version="test",
                computed_at=now,
            )
        )
    # Outside the period: a woman selected two years ago must not lift today's rate.
    old_woman = next(
        i for i, p in zip(ids, people, strict=True) if p.sex == "female" and not p.selected
    )
    old = now - timedelta(days=730)
    db.session.add(
        Application(
            candidate_id=old_woman,
            opening_id=other.id,
            source="applied",
            stage="placed",
            created_at=old,
        )
    )
    db.session.commit()
    return ids


@pytest.fixture
def planted(app: Any, make_candidate: Any, make_opening: Any) -> list[int]:
    return plant(planted_people(), make_candidate, make_opening)
