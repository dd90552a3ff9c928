"""A candidate's voluntary self-identification: give, change or remove it.

Read here by the candidate's own page and by the bias audit (admins); never by the engine (see
agency/models/self_id.py and the import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from agency.extensions import db
from agency.models.self_id import CATEGORIES, DECLINED, SelfIdentification


def get(candidate_id: int) -> SelfIdentification | None:
    return db.session.execute(
        select(SelfIdentification).where(SelfIdentification.candidate_id == candidate_id)
    ).scalar_one_or_none()


def save(candidate_id: int, answers: dict[str, str]) -> SelfIdentification:
    """Store the answers (anything not an allowed answer counts as declined). Staged."""
    row = get(candidate_id)
    if row is None:
        row = SelfIdentification(candidate_id=candidate_id)
        db.session.add(row)
    for column, (_question, allowed) in CATEGORIES.items():
        value = answers.get(column, DECLINED)
        setattr(row, column, value if value in allowed else DECLINED)
    return row


def remove(candidate_id: int) -> bool:
    """Forget every answer (the row goes, as if never given). Staged; True if there was one."""
    result = db.session.execute(
        delete(SelfIdentification).where(SelfIdentification.candidate_id == candidate_id)
    )
    return bool(cast(CursorResult[Any], result).rowcount)
