"""The staff searches: candidates and openings by filters, and the filter choices."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.models import (
    Candidate,
    CandidateSkill,
    Clinic,
    Credential,
    CredentialType,
    Opening,
    Skill,
    User,
    VerificationStatus,
)
from agency.services.like import ESCAPE, contains


@dataclass
class CandidateFilters:
    q: str = ""
    role: str = ""
    skill: str = ""
    skill_level: int = 0
    credential: str = ""
    zip_code: str = ""
    radius: float | None = None
    availability: int = 0
    status: str = "active"


def candidate_search(f: CandidateFilters, page: int, per_page: int = 25) -> Any:
    """Candidates matching every given filter, newest first, as a Flask-SQLAlchemy page."""
    return db.paginate(candidate_query(f), page=page, per_page=per_page, error_out=False)


def candidate_query(f: CandidateFilters) -> Any:
    """Candidates matching every given filter, newest first (the search page and its export)."""
    query = select(Candidate).options(joinedload(Candidate.user))
    if f.status:
        query = query.where(Candidate.status == f.status)
    if f.q:
        like = contains(f.q.lower())
        query = query.where(
            or_(
                func.lower(Candidate.first_name + " " + Candidate.last_name).like(like, ESCAPE),
                func.lower(Candidate.summary).like(like, ESCAPE),
                func.lower(Candidate.resume_text).like(like, ESCAPE),
                Candidate.user.has(func.lower(User.email).like(like, ESCAPE)),
                Candidate.zip_code == f.q,
            )
        )
    if f.role:
        query = query.where(cast(Candidate.desired_roles, String).like(f'%"{f.role}"%'))
    if f.skill:
        query = query.where(
            exists().where(
                CandidateSkill.candidate_id == Candidate.id,
                CandidateSkill.skill_id == Skill.id,
                Skill.code == f.skill,
                CandidateSkill.level >= max(f.skill_level, 1),
            )
        )
    if f.credential:
        query = query.where(
            exists().where(
                Credential.candidate_id == Candidate.id,
                Credential.credential_type_id == CredentialType.id,
                CredentialType.code == f.credential,
                Credential.verification_status == VerificationStatus.VERIFIED,
                or_(Credential.expires_on.is_(None), Credential.expires_on >= date.today()),
            )
        )
    if f.availability:
        query = query.where(Candidate.availability_mask.op("&")(f.availability) == f.availability)
    if f.radius is not None and f.zip_code:
        from agency.services import geo

        loc = geo.lookup_zip(f.zip_code)
        if loc is not None:
            # Equirectangular distance: exact enough under a few hundred miles, plain SQL
            # arithmetic on both SQLite and PostgreSQL.
            kx = 69.17 * math.cos(math.radians(loc.lat))
            dy = (Candidate.lat - loc.lat) * 69.0
            dx = (Candidate.lon - loc.lon) * kx
            query = query.where(
                Candidate.lat.is_not(None), dy * dy + dx * dx <= f.radius * f.radius
            )
    return query.order_by(Candidate.updated_at.desc(), Candidate.id.desc())


@dataclass
class OpeningFilters:
    q: str = ""
    clinic_id: int | None = None
    role: str = ""
    status: str = ""
    start_from: date | None = None
    start_to: date | None = None


def opening_query(f: OpeningFilters) -> Any:
    query = select(Opening).options(joinedload(Opening.clinic))
    if f.q:
        like = contains(f.q.lower())
        query = query.where(
            or_(
                func.lower(Opening.title).like(like, ESCAPE),
                Opening.clinic.has(func.lower(Clinic.name).like(like, ESCAPE)),
            )
        )
    if f.clinic_id:
        query = query.where(Opening.clinic_id == f.clinic_id)
    if f.role:
        query = query.where(Opening.role_type == f.role)
    if f.status:
        query = query.where(Opening.status == f.status)
    if f.start_from:
        query = query.where(Opening.start_date >= f.start_from)
    if f.start_to:
        query = query.where(Opening.start_date <= f.start_to)
    return query.order_by(Opening.start_date, Opening.id)


def opening_list(f: OpeningFilters, limit: int) -> list[Opening]:
    """The first `limit` openings matching the filters, by start date."""
    return list(db.session.execute(opening_query(f).limit(limit)).scalars())


def opening_search(f: OpeningFilters, page: int, per_page: int = 25) -> Any:
    return db.paginate(opening_query(f), page=page, per_page=per_page, error_out=False)


def clinic_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Clinic.id, Clinic.name).order_by(Clinic.name)).all()
    return [(str(cid), name) for cid, name in rows]


def skill_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Skill.code, Skill.name).order_by(Skill.name)).all()
    return [(code, name) for code, name in rows]


def credential_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(CredentialType.code, CredentialType.name).order_by(CredentialType.code)
    ).all()
    return [(code, f"{code} — {name}" if name != code else code) for code, name in rows]
