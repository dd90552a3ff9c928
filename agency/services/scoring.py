"""The bridge from the database to the matching engine: profiles in, scores and Match rows out.

Each process keeps one candidate pool (arrays) built once from the database; every use first
applies the rows changed since the last use, so a profile edit is seen without a full reload.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import selectinload

from agency.extensions import db
from agency.models import (
    Application,
    Candidate,
    CandidateSkill,
    CandidateStatus,
    Clinic,
    Credential,
    CredentialType,
    Match,
    Opening,
    OpeningStatus,
    RankerModel,
    Skill,
    VerificationStatus,
    utcnow,
)
from agency.models.candidates import profile_loaded
from agency.models.openings import requirements_loaded
from agency.services import bulk, reliability
from matching.features import CandidateProfile, CredentialHeld, OpeningSpec
from matching.ranking import (
    CandidatePool,
    OpeningIndex,
    OpeningMatch,
    RankedMatch,
    rank,
    rank_many,
)
from matching.reranker import ReRanker
from matching.scorer import COMPONENTS, MatchExplanation, MatchScorer

# How many of the best candidates per opening are kept as Match rows (plus every applicant).
STORED_MATCHES_PER_OPENING = 100


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def candidate_profile(candidate: Candidate) -> CandidateProfile:
    return CandidateProfile(
        id=candidate.id,
        skills={cs.skill.code: cs.level for cs in candidate.skills},
        credentials=[
            CredentialHeld(
                code=cred.credential_type.code,
                verified=cred.verification_status == VerificationStatus.VERIFIED.value,
                expires=cred.expires_on,
            )
            for cred in candidate.credentials
        ],
        availability=candidate.availability_mask or 0,
        lat=candidate.lat,
        lon=candidate.lon,
        commute_miles=float(candidate.commute_miles or 0),
        min_pay=_float(candidate.min_pay),
        years_experience=float(candidate.years_experience or 0),
        typing_wpm=candidate.typing_wpm,
        ehr=set(candidate.ehr_systems or []),
        languages=set(candidate.languages or []),
        desired_roles=set(candidate.desired_roles or []),
        text=f"{candidate.summary or ''}\n{candidate.resume_text or ''}",
        # Reliability (issue 18): from the shift record, the population's mean without one.
        reliability=reliability.value_for(candidate.id) if candidate.id else None,
    )


def opening_spec(opening: Opening, today: date | None = None) -> OpeningSpec:
    """The engine's record of an opening, judged on `today` (default: the server's date)."""
    clinic = opening.clinic
    return OpeningSpec(
        id=opening.id,
        role=opening.role_type,
        required_skills={os.skill.code: (os.min_level, float(os.weight)) for os in opening.skills},
        required_credentials={oc.credential_type.code for oc in opening.credentials},
        ehr=set(opening.ehr_systems or []),
        languages=set(opening.languages or []),
        shift_mask=opening.shift_mask or 0,
        lat=clinic.lat if clinic else None,
        lon=clinic.lon if clinic else None,
        pay_min=_float(opening.pay_min),
        pay_max=_float(opening.pay_max),
        start_date=opening.start_date,
        positions=opening.positions,
        min_typing_wpm=opening.min_typing_wpm,
        text=f"{opening.title}\n{opening.description or ''}",
        today=today or date.today(),
    )


def _candidate_query():  # type: ignore[no-untyped-def]
    return select(Candidate).options(*profile_loaded())


def _opening_query():  # type: ignore[no-untyped-def]
    return select(Opening).options(*requirements_loaded(), selectinload(Opening.clinic))


def load_opening_specs(
    ids: Sequence[int] | None = None, open_only: bool = True
) -> list[OpeningSpec]:
    query = _opening_query()
    if open_only:
        query = query.where(Opening.status == OpeningStatus.OPEN.value)
    if ids is not None:
        query = query.where(Opening.id.in_(list(ids)))
    return [opening_spec(o) for o in db.session.execute(query).scalars()]


SYNC_OVERLAP = timedelta(seconds=10)


@dataclass
class _PoolState:
    pool: CandidatePool | None = None
    synced_at: datetime | None = None
    database: str = ""
    applied: dict[int, datetime] = field(default_factory=dict)


_state = _PoolState()
_lock = threading.Lock()


def reset_pool() -> None:
    """Forget the cached pool (tests, or after a bulk load)."""
    with _lock:
        _state.pool = None
        _state.synced_at = None
        _state.applied = {}
        _explained.clear()
        _openings.index, _openings.stamps = None, {}
        reliability.forget_prior()  # issue 18: a new pool takes the population's mean afresh


def _raw_rows(statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Plain DB-API tuples for a statement without bound parameters.

    SQLAlchemy's row objects and result processors cost a few microseconds per row; across the
    2.4 million skill rows of 100,000 candidates that is most of the pool's loading time.
    """
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _codes(value: object, cache: dict[str, list[str]]) -> list[str]:
    # SQLite hands JSON back as text, psycopg as lists; most values repeat (["english"], ...).
    if isinstance(value, str):
        found = cache.get(value)
        if found is None:
            found = cache[value] = json.loads(value)
        return found
    return list(value or [])  # type: ignore[call-overload]


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def load_active_profiles() -> list[CandidateProfile]:
    """Every active candidate as an engine profile, read with three flat queries.

    ORM objects cost about a millisecond and a half per candidate with their skills and
    credentials; plain DB-API rows make building a 100,000-candidate pool a matter of seconds.
    """
    active = Candidate.status == CandidateStatus.ACTIVE.value
    skill_codes = dict(db.session.execute(select(Skill.id, Skill.code)).all())
    skills: dict[int, dict[str, int]] = {}
    for cid, skill_id, level in _raw_rows(
        select(CandidateSkill.candidate_id, CandidateSkill.skill_id, CandidateSkill.level)
        .join(Candidate, Candidate.id == CandidateSkill.candidate_id)
        .where(active)
    ):
        got = skills.get(cid)
        if got is None:
            got = skills[cid] = {}
        got[skill_codes[skill_id]] = level
    cred_codes = dict(db.session.execute(select(CredentialType.id, CredentialType.code)).all())
    creds: dict[int, list[CredentialHeld]] = {}
    verified = VerificationStatus.VERIFIED.value
    for cid, type_id, status, expires in _raw_rows(
        select(
            Credential.candidate_id,
            Credential.credential_type_id,
            Credential.verification_status,
            Credential.expires_on,
        )
        .join(Candidate, Candidate.id == Credential.candidate_id)
        .where(active)
    ):
        creds.setdefault(cid, []).append(
            CredentialHeld(cred_codes[type_id], status == verified, _day(expires))
        )
    c = Candidate
    rows = _raw_rows(
        select(
            c.id,
            c.availability_mask,
            c.lat,
            c.lon,
            c.commute_miles,
            c.min_pay,
            c.years_experience,
            c.typing_wpm,
            c.ehr_systems,
            c.languages,
            c.desired_roles,
            c.summary,
            c.resume_text,
        ).where(active)
    )
    cache: dict[str, list[str]] = {}
    # Reliability (issue 18): from the shift records, the population's mean without one.
    reliable, newcomer = reliability.values_for_all()
    return [
        CandidateProfile(
            id=cid,
            skills=skills.get(cid, {}),
            credentials=creds.get(cid, []),
            availability=mask or 0,
            lat=_float(lat),
            lon=_float(lon),
            commute_miles=float(commute or 0),
            min_pay=_float(min_pay),
            years_experience=float(years or 0),
            typing_wpm=wpm,
            ehr=set(_codes(ehr, cache)),
            languages=set(_codes(langs, cache)),
            desired_roles=set(_codes(roles, cache)),
            text=f"{summary or ''}\n{resume or ''}",
            reliability=reliable.get(cid, newcomer),
        )
        for (
            cid,
            mask,
            lat,
            lon,
            commute,
            min_pay,
            years,
            wpm,
            ehr,
            langs,
            roles,
            summary,
            resume,
        ) in rows
    ]


def _build_pool() -> CandidatePool:
    profiles = load_active_profiles()
    texts = [o.text for o in load_opening_specs()]
    return CandidatePool.from_profiles(profiles, opening_texts=texts)


def _sync(pool: CandidatePool, since: datetime, applied: dict[int, datetime]) -> None:
    """Apply the candidates changed since `since` that this pool has not applied yet.

    `applied` remembers the change each candidate was last applied at, within the look-back
    window: without it every request in the window re-encoded the same rows and bumped the
    pool's version, which keys the explanation cache below.
    """
    stamps = db.session.execute(
        select(Candidate.id, Candidate.updated_at).where(Candidate.updated_at > since)
    ).all()
    for cid in [cid for cid, at in applied.items() if at <= since]:
        del applied[cid]
    fresh = [cid for cid, at in stamps if applied.get(cid) != at]
    if not fresh:
        return
    changed = db.session.execute(_candidate_query().where(Candidate.id.in_(fresh))).scalars()
    for candidate in changed:
        applied[candidate.id] = candidate.updated_at
        _apply(pool, candidate.id, candidate)


def _apply(pool: CandidatePool, candidate_id: int, candidate: Candidate | None) -> None:
    """Make the pool's row for this candidate match the database (None: the row is gone)."""
    if candidate is None or candidate.status != CandidateStatus.ACTIVE.value:
        if candidate_id in pool:
            pool.remove(candidate_id)
    elif candidate_id in pool:
        pool.update(candidate_profile(candidate))
    else:
        pool.add(candidate_profile(candidate))


def pool() -> CandidatePool:
    """This process's candidate pool, current with the database."""
    url = str(db.engine.url)
    with _lock:
        now = utcnow()
        if _state.pool is None or _state.database != url:
            _state.pool = _build_pool()
            _state.database = url
            _state.applied = {}
            _explained.clear()  # a new pool counts its versions from the start again
        elif _state.synced_at is not None:
            # Look back a little: a transaction that stamped updated_at before our last check
            # but committed after it would otherwise be missed. Re-applying a row is harmless.
            _sync(_state.pool, _state.synced_at - SYNC_OVERLAP, _state.applied)
        _state.synced_at = now
        return _state.pool


def refresh_candidate(candidate_id: int) -> None:
    """Apply one candidate's change to the pool now (the next use would also pick it up)."""
    with _lock:
        if _state.pool is None:
            return
        candidate = db.session.execute(
            _candidate_query().where(Candidate.id == candidate_id)
        ).scalar_one_or_none()
        _apply(_state.pool, candidate_id, candidate)


def scorer() -> MatchScorer:
    return MatchScorer()


def explain_in_pool(opening: Opening, candidate_ids: Sequence[int]) -> dict[int, MatchExplanation]:
    """Explanations for these candidates from the pool's own rows (no reload, no re-encoding).

    The numbers are the ones `rank` gives the same rows, so a breakdown opened from the review
    list adds up to the score shown there. Candidates not in the pool (not active) are left out.

    Memoized on what the result is a function of (this pool's version, the opening's spec, the
    ids; the cache is emptied with the pool): the review page explains the same stored
    proposals on every view, a fifth of its time. Callers get copies, so what they add to
    `extras` never reaches the cache.
    """
    spec = opening_spec(opening)
    current = pool()
    key = (current.version, repr(spec), tuple(candidate_ids))
    with _lock:
        explained = _explained.get(key)
        if explained is not None:
            _explained.move_to_end(key)
    if explained is None:
        explained = _explained_in_pool(spec, current, candidate_ids)
        with _lock:
            _explained[key] = explained
            # Bounded by explanations, not entries: an entry holds 1 to 200 of them.
            while sum(len(e) for e in _explained.values()) > EXPLAINED_CACHED and _explained:
                _explained.popitem(last=False)
    return {cid: replace(e, extras=dict(e.extras)) for cid, e in explained.items()}


# Explanations by (pool version, spec, ids), least recently used first; emptied with the pool.
# A few kilobytes each: 6,000 (a busy morning's reviews of 100-odd openings) stay near 30 MB.
EXPLAINED_CACHED = 6000
_explained: OrderedDict[tuple[Any, ...], dict[int, MatchExplanation]] = OrderedDict()


def _explained_in_pool(
    spec: OpeningSpec, current: CandidatePool, candidate_ids: Sequence[int]
) -> dict[int, MatchExplanation]:
    present = [cid for cid in candidate_ids if cid in current]
    if not present:
        return {}
    scorer_ = scorer()
    query = current.compile(spec, scorer_)
    rows = current.rows_for(present)
    cosines = current.text_cosine(rows, current.text_space.vector(spec.text))
    explained = scorer_.explain_rows(current.store, rows, query, cosines, current.layout)
    return dict(zip(present, explained, strict=True))


def explain_pair(candidate: Candidate, opening: Opening) -> MatchExplanation:
    """Score one pair at once (microseconds), e.g. right after a candidate applies."""
    current = pool()
    return scorer().explain(
        candidate_profile(candidate), opening_spec(opening), text_space=current.text_space
    )


_learned: dict[str, ReRanker] = {}


def active_reranker() -> ReRanker | None:
    """The re-ranker staff decisions trained, when one beat the rules offline (else None)."""
    row = db.session.execute(
        select(RankerModel.version, RankerModel.params).where(RankerModel.active.is_(True)).limit(1)
    ).first()
    if row is None:
        return None
    version, params = row
    if version not in _learned:
        _learned.clear()
        _learned[version] = ReRanker.from_json(params)
    return _learned[version]


def rank_opening(
    opening: Opening, k: int = 50, include_ineligible: bool = False
) -> list[RankedMatch]:
    """The engine's top k for an opening; re-ordered by the learned re-ranker when one is active.

    The rule-based explanation (whose contributions add up to the score) is kept either way;
    the learned probability is added as `explanation.extras["learned_score"]`.
    """
    model = active_reranker()
    # Re-rank a wider slate than shown, so the learned order can lift someone into the top k.
    slate = k * 2 if model is not None else k
    results = rank(
        opening_spec(opening),
        pool(),
        k=slate,
        scorer=scorer(),
        include_ineligible=include_ineligible,
    )
    return _learned_order(results, model, k)


def _learned_order(results: list[RankedMatch], model: ReRanker | None, k: int) -> list[RankedMatch]:
    if model is None or not results:
        return results[:k]
    X = np.array(
        [[m.explanation.components.get(c, np.nan) for c in COMPONENTS] for m in results],
        dtype=np.float64,
    )
    learned = model.rescore(X)
    for match, value in zip(results, learned, strict=True):
        match.explanation.extras["learned_score"] = round(float(value), 1)
        match.explanation.extras["ranker_version"] = model.version_
    order = sorted(
        range(len(results)), key=lambda i: (not results[i].eligible, -learned[i], -results[i].score)
    )
    return [results[i] for i in order[:k]]


def stored_ranking(opening: Opening, k: int) -> list[RankedMatch] | None:
    """The opening's top k eligible candidates read from its Match rows, which the workers keep
    current (rescore_opening when the opening changes, rescore_candidate when a profile does);
    None when no full rescore has read the opening since its last change, or k is past them.

    Reading them instead of ranking the whole pool on every page view is what keeps the review
    page cheap at 100,000 candidates: only the k shown (plus the learned re-ranker's slate) are
    explained, from the pool's current rows, so what a row says is never staler than the pool.
    """
    if k > STORED_MATCHES_PER_OPENING:
        return None
    # Only a full rescore of the opening stands for its proposals: a candidate's own rescore
    # adds one row per opening, which is not a ranking.
    if opening.scored_at is None or opening.scored_at < opening.updated_at:
        return None
    model = active_reranker()
    slate = min(k * 2, STORED_MATCHES_PER_OPENING) if model is not None else k
    ids = list(
        db.session.execute(
            select(Match.candidate_id)
            .where(Match.opening_id == opening.id, Match.eligible.is_(True))
            .order_by(Match.score.desc(), Match.candidate_id)
            .limit(slate)
        ).scalars()
    )
    explained = explain_in_pool(opening, ids)
    results = [
        RankedMatch(cid, e.score, e.eligible, e) for cid, e in explained.items() if e.eligible
    ]
    results.sort(key=lambda m: (-m.score, m.candidate_id))
    return _learned_order(results, model, k)


def openings_for(candidate: Candidate, k: int = 10) -> list[OpeningMatch]:
    """The open openings that fit this candidate best, with reasons (none for an erased
    person: they are in no ranking, either way round)."""
    if candidate.status == CandidateStatus.ERASED.value:
        return []
    return opening_index().rank(candidate_profile(candidate), k=k)


def opening_index() -> OpeningIndex:
    """This process's compiled open openings, current with the database.

    Every call reads each open opening's (and its clinic's) last change, a narrow query, and
    recompiles only the openings whose stamps moved: loading and compiling all 2,000 on every
    candidate dashboard took about two seconds.
    """
    space = pool().text_space
    # Plain tuples: the stamps are only compared with the last call's, and converting 2,000
    # pairs of timestamps took most of this function's time.
    stamps = {
        oid: (changed, clinic_changed)
        for oid, changed, clinic_changed in _raw_rows(
            select(Opening.id, Opening.updated_at, Clinic.updated_at)
            .outerjoin(Opening.clinic)
            .where(Opening.status == OpeningStatus.OPEN.value)
        )
    }
    today = date.today()
    with _lock:
        state = _openings
        # Compiled openings are judged on the day they were compiled: a new day starts afresh.
        if state.index is None or state.index.text_space is not space or state.today != today:
            state.index, state.stamps, state.today = OpeningIndex(space, scorer()), {}, today
        index = state.index
        for oid in [oid for oid in state.stamps if oid not in stamps]:
            index.remove(oid)
            del state.stamps[oid]
        stale = [oid for oid, stamp in stamps.items() if state.stamps.get(oid) != stamp]
    # Outside the lock: loading runs queries, and pool() above takes the same lock.
    specs = load_opening_specs(stale) if stale else []
    with _lock:
        for spec in specs:
            index.put(spec)
            state.stamps[spec.id] = stamps[spec.id]
    return index


@dataclass
class _OpeningsState:
    index: OpeningIndex | None = None
    stamps: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    today: date | None = None


_openings = _OpeningsState()


def _match_row(candidate_id: int, opening_id: int, expl: MatchExplanation) -> dict[str, object]:
    return {
        "candidate_id": candidate_id,
        "opening_id": opening_id,
        "score": round(min(max(expl.score, 0.0), 100.0), 3),
        "eligible": expl.eligible,
        "components": {k: round(v, 4) for k, v in expl.components.items()},
        "failed_constraints": expl.failed_constraints,
        "model_version": expl.model_version,
        "computed_at": utcnow(),
    }


def save_match(candidate_id: int, opening_id: int, expl: MatchExplanation) -> None:
    db.session.execute(
        delete(Match).where(Match.candidate_id == candidate_id, Match.opening_id == opening_id)
    )
    db.session.add(Match(**_match_row(candidate_id, opening_id, expl)))


def _mark_scored(opening_ids: list[int], read_at: datetime) -> None:
    # updated_at means "last changed by a person": keep it (its onupdate would bump it here).
    db.session.execute(
        update(Opening)
        .where(Opening.id.in_(opening_ids))
        .values(scored_at=read_at, updated_at=Opening.updated_at)
        .execution_options(synchronize_session=False)
    )


def rescore_opening(opening_id: int) -> int:
    """Recompute the opening's Match rows (top candidates plus every applicant). Commits."""
    opening = db.session.execute(
        _opening_query().where(Opening.id == opening_id)
    ).scalar_one_or_none()
    if opening is None:
        return 0
    db.session.execute(delete(Match).where(Match.opening_id == opening_id))
    if opening.status != OpeningStatus.OPEN.value:
        db.session.commit()
        return 0
    # Stamped with the time the opening was read: an edit while this runs leaves it stale.
    _mark_scored([opening_id], utcnow())
    spec = opening_spec(opening)
    current = pool()
    ranked = rank(spec, current, k=STORED_MATCHES_PER_OPENING, scorer=scorer())
    applicant_ids = db.session.execute(
        select(Application.candidate_id).where(Application.opening_id == opening_id)
    ).scalars()
    rows = _opening_rows(spec, ranked, list(applicant_ids), current)
    if rows:
        db.session.execute(Match.__table__.insert(), list(rows.values()))
    db.session.commit()
    return len(rows)


def rescore_candidate(candidate_id: int) -> int:
    """Recompute this candidate's Match rows against every open opening. Commits."""
    refresh_candidate(candidate_id)
    candidate = db.session.execute(
        _candidate_query().where(Candidate.id == candidate_id)
    ).scalar_one_or_none()
    db.session.execute(delete(Match).where(Match.candidate_id == candidate_id))
    if candidate is None or candidate.status != CandidateStatus.ACTIVE.value:
        db.session.commit()
        return 0
    profile = candidate_profile(candidate)
    space = pool().text_space
    rows = []
    for spec in load_opening_specs():
        expl = scorer().explain(profile, spec, text_space=space)
        rows.append(_match_row(candidate_id, spec.id, expl))
    if rows:
        db.session.execute(Match.__table__.insert(), rows)
    db.session.commit()
    return len(rows)


def _opening_rows(
    spec: OpeningSpec,
    ranked: Sequence[RankedMatch],
    applicant_ids: Sequence[int],
    current: CandidatePool,
) -> dict[int, dict[str, object]]:
    """An opening's Match rows: its ranked top plus every applicant, minus deleted candidates."""
    rows = {m.candidate_id: _match_row(m.candidate_id, spec.id, m.explanation) for m in ranked}
    missing = [cid for cid in applicant_ids if cid not in rows]
    if missing:
        rows.update(_applicant_rows(spec, current, missing))
    _drop_deleted(current, rows)
    return rows


def _applicant_rows(
    spec: OpeningSpec, current: CandidatePool, candidate_ids: Sequence[int]
) -> dict[int, dict[str, object]]:
    """Match rows for applicants outside the top k, explained from the pool's own rows."""
    scorer_ = scorer()
    rows: dict[int, dict[str, object]] = {
        cid: _match_row(cid, spec.id, expl)
        for cid, expl in _explained_in_pool(spec, current, candidate_ids).items()
    }
    outside = [cid for cid in candidate_ids if cid not in current]
    if outside:  # withdrawn or paused candidates who applied earlier: read them from the rows
        for candidate in db.session.execute(
            # An erased person is in no ranking, not even through an old application.
            _candidate_query().where(
                Candidate.id.in_(outside), Candidate.status != CandidateStatus.ERASED.value
            )
        ).scalars():
            expl = scorer_.explain(
                candidate_profile(candidate), spec, text_space=current.text_space
            )
            rows[candidate.id] = _match_row(candidate.id, spec.id, expl)
    return rows


def _drop_deleted(current: CandidatePool, rows: dict[int, dict[str, object]]) -> None:
    """Forget candidates whose rows were deleted outright (the delta sync only sees updates)."""
    if not rows:
        return
    present = set(
        db.session.execute(select(Candidate.id).where(Candidate.id.in_(list(rows)))).scalars()
    )
    for cid in [c for c in rows if c not in present]:
        del rows[cid]
        if cid in current:
            current.remove(cid)


# Openings ranked together by rescore_all: one matrix product per batch, one commit per batch.
RESCORE_BATCH = 64


def rescore_all() -> int:
    """Rescore every open opening (demo seed, CLI, a nightly job). Commits once per batch.

    One pool build and `rank_many` (a shared matrix product per batch of openings) instead of a
    `rescore_opening` per opening: 1,800 openings x 100,000 candidates in well under a minute.
    """
    reset_pool()
    current = pool()
    read_at = utcnow()
    specs = load_opening_specs()
    db.session.commit()
    applicants: dict[int, list[int]] = {}
    for oid, cid in db.session.execute(
        select(Application.opening_id, Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Opening.status == OpeningStatus.OPEN.value)
    ):
        applicants.setdefault(oid, []).append(cid)
    stored = 0
    scorer_ = scorer()
    for start in range(0, len(specs), RESCORE_BATCH):
        batch = specs[start : start + RESCORE_BATCH]
        ranked = rank_many(batch, current, k=STORED_MATCHES_PER_OPENING, scorer=scorer_)
        rows: list[dict[str, object]] = []
        for spec in batch:
            by_candidate = _opening_rows(
                spec, ranked.get(spec.id, []), applicants.get(spec.id, []), current
            )
            rows.extend(by_candidate.values())
        batch_ids = [s.id for s in batch]
        db.session.execute(delete(Match).where(Match.opening_id.in_(batch_ids)))
        bulk.insert_rows(Match, rows)
        _mark_scored(batch_ids, read_at)
        db.session.commit()
        stored += len(rows)
    return stored
