"""Read services of the JSON API's lists: one keyset page of a resource, newest first by id.

The API decodes its cursor into `after` (the last id the client saw) and asks for `limit + 1`
rows here, so it knows whether another page follows; each page is one index range scan
however deep the client has read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from agency.extensions import db
from agency.models import Application, Candidate, Clinic, Opening, OpeningStatus
from agency.models.candidates import profile_loaded
from agency.models.openings import requirements_loaded


def _page(statement: Select[Any], id_column: Any, after: int | None, limit: int) -> list[Any]:
    if after is not None:
        statement = statement.where(id_column < after)
    return list(db.session.execute(statement.order_by(id_column.desc()).limit(limit + 1)).scalars())


def applications(
    after: int | None,
    limit: int,
    opening_id: int | None = None,
    candidate_id: int | None = None,
    stage: str | None = None,
) -> list[Application]:
    query = select(Application).options(selectinload(Application.history))
    if opening_id is not None:
        query = query.where(Application.opening_id == opening_id)
    if candidate_id is not None:
        query = query.where(Application.candidate_id == candidate_id)
    if stage is not None:
        query = query.where(Application.stage == stage)
    return _page(query, Application.id, after, limit)


def openings(
    after: int | None,
    limit: int,
    clinic_id: int | None = None,
    role_type: str | None = None,
    employment_type: str | None = None,
) -> list[Opening]:
    """A clinic's own openings in every status (`clinic_id`), else the public ones: open, at
    approved clinics."""
    query = select(Opening).options(*requirements_loaded())
    if clinic_id is not None:
        query = query.where(Opening.clinic_id == clinic_id)
    else:
        query = query.join(Opening.clinic).where(
            Opening.status == OpeningStatus.OPEN, Clinic.approved.is_(True)
        )
    if role_type:
        query = query.where(Opening.role_type == role_type)
    if employment_type:
        query = query.where(Opening.employment_type == employment_type)
    return _page(query, Opening.id, after, limit)


def candidates(after: int | None, limit: int) -> list[Candidate]:
    query = select(Candidate).options(joinedload(Candidate.user), *profile_loaded())
    return _page(query, Candidate.id, after, limit)
