"""Talent pools: staff's named lists of candidates, and ranking a pool against an opening.

Nothing here commits; the caller does, once per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    CandidateStatus,
    Opening,
    TalentPool,
    TalentPoolMember,
    User,
)
from agency.services import audit
from agency.services.errors import FieldError

NAME_MAX = 120


class PoolError(FieldError):
    """A refused pool change; `field` names the form field."""


def all_pools() -> list[tuple[TalentPool, int]]:
    """Every pool with its number of members, by name."""
    count = (
        select(func.count(TalentPoolMember.id))
        .where(TalentPoolMember.pool_id == TalentPool.id)
        .scalar_subquery()
    )
    rows = db.session.execute(select(TalentPool, count).order_by(TalentPool.name)).all()
    return [(pool, int(n)) for pool, n in rows]


def pool_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(TalentPool.id, TalentPool.name).order_by(TalentPool.name))
    return [(str(pid), name) for pid, name in rows]


def _name_taken(name: str, but: int | None = None) -> bool:
    # Compared in Python: SQLite's lower() folds ASCII only (two names differing in the case of
    # an accented letter passed the check and hit the unique constraint); pools are few.
    query = select(TalentPool.name)
    if but is not None:
        query = query.where(TalentPool.id != but)
    return name.casefold() in {other.casefold() for other in db.session.execute(query).scalars()}


def create(name: str, actor: User, ip: str = "") -> TalentPool:
    name = " ".join(name.split())[:NAME_MAX]
    if not name:
        raise PoolError("Give the pool a name.", field="name")
    if _name_taken(name):
        raise PoolError("A pool with this name exists already.", field="name")
    pool = TalentPool(name=name[:NAME_MAX], created_by_id=actor.id)
    db.session.add(pool)
    db.session.flush()
    audit.record("pool_created", actor_id=actor.id, object_type="pool", object_id=pool.id, ip=ip)
    return pool


def rename(pool: TalentPool, name: str, actor: User, ip: str = "") -> None:
    name = " ".join(name.split())[:NAME_MAX]
    if not name:
        raise PoolError("Give the pool a name.", field="name")
    if _name_taken(name, but=pool.id):
        raise PoolError("A pool with this name exists already.", field="name")
    pool.name = name[:NAME_MAX]
    audit.record("pool_renamed", actor_id=actor.id, object_type="pool", object_id=pool.id, ip=ip)


def delete_pool(pool: TalentPool, actor: User, ip: str = "") -> None:
    audit.record(
        "pool_deleted",
        actor_id=actor.id,
        object_type="pool",
        object_id=pool.id,
        ip=ip,
        details={"name": pool.name},
    )
    db.session.execute(delete(TalentPoolMember).where(TalentPoolMember.pool_id == pool.id))
    db.session.delete(pool)


def member_ids(pool_id: int) -> list[int]:
    return list(
        db.session.execute(
            select(TalentPoolMember.candidate_id)
            .where(TalentPoolMember.pool_id == pool_id)
            .order_by(TalentPoolMember.added_at, TalentPoolMember.id)
        ).scalars()
    )


def members(pool_id: int) -> list[Candidate]:
    """The pool's candidates, erased people left out (they are in no list), by name."""
    return list(
        db.session.execute(
            select(Candidate)
            .join(TalentPoolMember, TalentPoolMember.candidate_id == Candidate.id)
            .where(
                TalentPoolMember.pool_id == pool_id,
                Candidate.status != CandidateStatus.ERASED.value,
            )
            .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)
        ).scalars()
    )


def pools_of(candidate_id: int) -> list[TalentPool]:
    return list(
        db.session.execute(
            select(TalentPool)
            .join(TalentPoolMember, TalentPoolMember.pool_id == TalentPool.id)
            .where(TalentPoolMember.candidate_id == candidate_id)
            .order_by(TalentPool.name)
        ).scalars()
    )


def add(pool: TalentPool, candidate_ids: Iterable[int], actor: User, ip: str = "") -> int:
    """Add these candidates (existing, not erased); those already in the pool are skipped.
    Returns how many were added."""
    wanted = set(candidate_ids)
    if not wanted:
        return 0
    live = set(
        db.session.execute(
            select(Candidate.id).where(
                Candidate.id.in_(wanted), Candidate.status != CandidateStatus.ERASED.value
            )
        ).scalars()
    )
    there = set(
        db.session.execute(
            select(TalentPoolMember.candidate_id).where(
                TalentPoolMember.pool_id == pool.id, TalentPoolMember.candidate_id.in_(live)
            )
        ).scalars()
    )
    new = sorted(live - there)
    db.session.add_all(
        TalentPoolMember(pool_id=pool.id, candidate_id=cid, added_by_id=actor.id) for cid in new
    )
    if new:
        audit.record(
            "pool_members_added",
            actor_id=actor.id,
            object_type="pool",
            object_id=pool.id,
            ip=ip,
            details={"candidate_ids": new},
        )
    return len(new)


def remove(pool: TalentPool, candidate_ids: Iterable[int], actor: User, ip: str = "") -> int:
    wanted = sorted(set(candidate_ids))
    if not wanted:
        return 0
    result: Any = db.session.execute(
        delete(TalentPoolMember).where(
            TalentPoolMember.pool_id == pool.id, TalentPoolMember.candidate_id.in_(wanted)
        )
    )
    count = int(result.rowcount or 0)
    if count:
        audit.record(
            "pool_members_removed",
            actor_id=actor.id,
            object_type="pool",
            object_id=pool.id,
            ip=ip,
            details={"candidate_ids": wanted},
        )
    return count


def keep_one_membership(keep_id: int, drop_id: int) -> None:
    """Before two records are merged: the dropped record's memberships of pools the kept one is
    in already go (the rest move with the merge)."""
    kept_pools = select(TalentPoolMember.pool_id).where(TalentPoolMember.candidate_id == keep_id)
    db.session.execute(
        delete(TalentPoolMember).where(
            TalentPoolMember.candidate_id == drop_id, TalentPoolMember.pool_id.in_(kept_pools)
        )
    )


@dataclass(frozen=True)
class PoolRanking:
    """The pool's members scored for an opening: the rows of the usual ranked review, and the
    members the engine could not score (not active: not in the pool of candidates)."""

    rows: list[Any]
    unscored: list[Candidate]


def rank_against(pool: TalentPool, opening: Opening) -> PoolRanking:
    """Score every member for the opening through the engine bridge (the pool's own rows, as
    the review list does) and order them as the review does: eligible first, best score first."""
    from agency.services.engine import engine
    from agency.services.staff_queries.review import ReviewPerson, ReviewRow
    from matching.geo import miles_between

    people = members(pool.id)
    explained = engine().explain_in_pool(opening, [c.id for c in people])
    applications = {
        a.candidate_id: a
        for a in db.session.execute(
            select(Application).where(
                Application.opening_id == opening.id,
                Application.candidate_id.in_(list(explained)),
            )
        ).scalars()
    }
    by_id = {c.id: c for c in people}
    order = sorted(explained.items(), key=lambda kv: (not kv[1].eligible, -kv[1].score, kv[0]))
    clinic = opening.clinic
    rows = []
    for position, (cid, expl) in enumerate(order, start=1):
        c = by_id[cid]
        miles = None
        if clinic and None not in (clinic.lat, clinic.lon, c.lat, c.lon):
            miles = miles_between(c.lat, c.lon, clinic.lat, clinic.lon)  # type: ignore[arg-type]
        person = ReviewPerson(
            c.id, c.first_name, c.last_name, c.years_experience, c.zip_code, c.lat, c.lon
        )
        rows.append(
            ReviewRow(
                position, person, applications.get(cid), expl.score, expl.eligible, expl, miles
            )
        )
    return PoolRanking(rows, [c for c in people if c.id not in explained])
