"""Loading the candidate pool: stored rows -> the engine's records, and the process's pool
(arrays) kept current with the database, with its text space.

Rows -> records is the one read path every score starts from: a candidate becomes a
`CandidateProfile` only through `load_profiles` (the whole active pool, the rows a sync
applies, or the one person of a pair), so a pair explained on its own and the same pair ranked
in the pool start from identical numbers.

Invalidation of `PoolCache`, one rule each:
- the pool is built on first use; every later use applies the candidates whose `updated_at`
  moved since the last use (with a short look-back), so a profile edit shows without a reload;
  `reset()` drops it (a bulk load, tests);
- the TF-IDF text space is fitted once per pool (on the corpus the pool is built from) and is
  dropped with it. It can be fitted before the pool, from the texts alone, so that one pair is
  explained without building the pool; the pool built later reuses it.

The pool is read only inside a lease (`with cache.reading() as pool:`): the changes above are
written in place, and a writer waits for every lease to end (see `PoolCache`).
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from readerwriterlock import rwlock
from sqlalchemy import BigInteger, ColumnElement, Select, String, Text, cast, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Executable

from agency.extensions import db
from agency.models import (
    Candidate,
    CandidateSkill,
    CandidateStatus,
    Clinic,
    Credential,
    CredentialType,
    Opening,
    OpeningCredential,
    OpeningSkill,
    OpeningStatus,
    Skill,
    VerificationStatus,
    utcnow,
)
from agency.models.openings import requirements_loaded
from agency.services import reliability
from matching.features import (
    EPOCH,
    NO_EXPIRY,
    UNVERIFIED,
    CandidateColumns,
    CandidateProfile,
    CredentialHeld,
    OpeningSpec,
)
from matching.ranking import CandidatePool
from matching.similarity import TextSpace


def active() -> ColumnElement[bool]:
    """The candidates the pool holds."""
    return Candidate.status == CandidateStatus.ACTIVE


def plain_rows(statement: Executable) -> list[tuple[Any, ...]]:
    """The statement's rows as the driver's own tuples (parameters bound as usual).

    SQLAlchemy's row objects cost a few microseconds per row; across the 2.4 million skill
    rows of 100,000 candidates that was most of the pool's loading time. Pending ORM changes
    are flushed first, as `db.session.execute` would.
    """
    db.session.flush()
    result = db.session.connection().execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _codes(value: object, cache: dict[str, list[str]]) -> list[str]:
    # SQLite hands JSON back as text, psycopg as lists; most values repeat (["english"], ...).
    if isinstance(value, str):
        found = cache.get(value)
        if found is None:
            found = cache[value] = json.loads(value)
        return found
    return list(value or [])  # type: ignore[call-overload]


def _code_lists(values: Sequence[object]) -> list[list[str]]:
    """_codes of each value, each distinct value decoded once (the rows share the lists)."""
    decoded: dict[object, list[str]] = {}
    for value in set(values):
        decoded[value] = _codes(value, {})
    return list(map(decoded.__getitem__, values))


def _day(value: object, cache: dict[str, date] | None = None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    found = cache.get(text) if cache is not None else None
    if found is None:
        found = date.fromisoformat(text[:10])
        if cache is not None:  # SQLite hands dates back as text; many repeat
            cache[text] = found
    return found


def profile_text(summary: str | None, resume: str | None) -> str:
    """What the text similarity reads of a candidate (the pool's TF-IDF corpus too)."""
    return f"{summary or ''}\n{resume or ''}"


def opening_text(title: str, description: str | None) -> str:
    return f"{title}\n{description or ''}"


def _skills(where: ColumnElement[bool]) -> dict[int, dict[str, int]]:
    skills: dict[int, dict[str, int]] = {}
    for cid, code, level in plain_rows(
        select(CandidateSkill.candidate_id, Skill.code, CandidateSkill.level)
        .join(Skill, Skill.id == CandidateSkill.skill_id)
        .join(Candidate, Candidate.id == CandidateSkill.candidate_id)
        .where(where)
    ):
        got = skills.get(cid)
        if got is None:
            got = skills[cid] = {}
        got[code] = level
    return skills


def _credentials(where: ColumnElement[bool]) -> dict[int, list[CredentialHeld]]:
    creds: dict[int, list[CredentialHeld]] = {}
    verified = VerificationStatus.VERIFIED
    days: dict[str, date] = {}
    for cid, code, status, expires in plain_rows(
        select(
            Credential.candidate_id,
            CredentialType.code,
            Credential.verification_status,
            Credential.expires_on,
        )
        .join(CredentialType, CredentialType.id == Credential.credential_type_id)
        .join(Candidate, Candidate.id == Credential.candidate_id)
        .where(where)
    ):
        creds.setdefault(cid, []).append(
            CredentialHeld(code, status == verified, _day(expires, days))
        )
    return creds


# The candidate columns a profile is made of, in the order `load_profiles` reads them. A new
# input of the engine (a reliability estimate, ...) is one more column here and one more
# keyword below.
_PROFILE_COLUMNS = (
    Candidate.id,
    Candidate.availability_mask,
    Candidate.lat,
    Candidate.lon,
    Candidate.commute_miles,
    Candidate.min_pay,
    Candidate.years_experience,
    Candidate.typing_wpm,
    # As text: psycopg decodes a JSON value per row and cell (300,000 json.loads for a pool,
    # a fifth of its build); as text the few distinct values are decoded once (see _codes).
    cast(Candidate.ehr_systems, Text),
    cast(Candidate.languages, Text),
    cast(Candidate.desired_roles, Text),
    Candidate.summary,
    Candidate.resume_text,
)


def load_profiles(where: ColumnElement[bool]) -> list[CandidateProfile]:
    """The candidates matching `where` as engine profiles, in three flat queries.

    ORM objects cost about a millisecond and a half per candidate with their skills and
    credentials; plain rows make building a 100,000-candidate pool a matter of seconds.
    """
    skills = _skills(where)
    creds = _credentials(where)
    cache: dict[str, list[str]] = {}
    rows = plain_rows(select(*_PROFILE_COLUMNS).where(where))
    # Reliability (issue 18): from the shift records, the population's mean without one. Only
    # these candidates' records are read: explaining one pair no longer scored everyone.
    reliable, newcomer = reliability.values_for(row[0] for row in rows)
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
            text=profile_text(summary, resume),
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


# Rows fetched at a time while the pool is built: the driver's tuples of one chunk are turned
# into arrays before the next is read, so they never all exist at once.
CHUNK_ROWS = 50_000


def chunked_rows(statement: Executable) -> Iterator[Sequence[Any]]:
    """plain_rows in chunks of CHUNK_ROWS."""
    db.session.flush()
    result = db.session.connection().execute(statement)
    try:
        while chunk := result.cursor.fetchmany(CHUNK_ROWS):
            yield chunk
    finally:
        result.close()


def load_columns(where: ColumnElement[bool]) -> tuple[CandidateColumns, list[str]]:
    """The candidates matching `where` as the engine's columns, and each one's text: the pool's
    build, without a `CandidateProfile` (sets, dicts) per candidate. The same values as
    `load_profiles` reads (a test holds the two encodings equal). `where` picks the
    candidates; skill and credential rows are read whole, those of others dropped."""
    reliable, newcomer = reliability.values_for_all()
    columns = CandidateColumns.empty()
    texts: list[str] = []
    for chunk in chunked_rows(select(*_PROFILE_COLUMNS).where(where)):
        # Column by column (the same conversions as load_profiles, in _PROFILE_COLUMNS order).
        cids, mask, lat, lon, commute, min_pay, years, wpm, ehr, langs, roles, su, re = zip(
            *chunk, strict=True
        )
        del chunk
        columns.ids.extend(cids)
        columns.availability.extend(m or 0 for m in mask)
        columns.lat.extend(map(_float, lat))
        columns.lon.extend(map(_float, lon))
        columns.commute_miles.extend(float(c or 0) for c in commute)
        columns.min_pay.extend(map(_float, min_pay))
        columns.years_experience.extend(float(y or 0) for y in years)
        columns.typing_wpm.extend(wpm)
        columns.ehr.extend(_code_lists(ehr))
        columns.languages.extend(_code_lists(langs))
        columns.desired_roles.extend(_code_lists(roles))
        chunk_texts = list(map(profile_text, su, re))
        columns.has_text.extend(bool(t.strip()) for t in chunk_texts)
        columns.reliability.extend(reliable.get(c, newcomer) for c in cids)
        texts.extend(chunk_texts)
    ids = np.asarray(columns.ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    by_id = ids[order]

    def rows_of(cids: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Each id's row, -1 for an id not read above (a candidate who changed in between)."""
        if by_id.size == 0:
            return np.full(cids.size, -1, dtype=np.intp)
        at = np.minimum(np.searchsorted(by_id, cids), by_id.size - 1)
        return np.where(by_id[at] == cids, order[at], -1).astype(np.intp)

    skill_ids = plain_rows(select(Skill.id, Skill.code))
    columns.skill_code_table = [code for _, code in skill_ids]
    code_of = np.full(max((sid for sid, _ in skill_ids), default=0) + 1, -1, dtype=np.intp)
    code_of[[sid for sid, _ in skill_ids]] = np.arange(len(skill_ids))
    parts: list[npt.NDArray[np.int64]] = []
    for part in _skill_cells(int(ids.max(initial=0))):
        part[:, 0] = rows_of(part[:, 0])
        # A skill added since the table was read has no code here: -1, left out when encoded.
        known = part[:, 1] < code_of.size
        part[:, 1] = np.where(known, code_of[np.where(known, part[:, 1], 0)], -1)
        parts.append(part[part[:, 0] >= 0])
    cells = np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.int64)
    columns.skill_rows, columns.skill_code_ids = cells[:, 0], cells[:, 1]
    columns.skill_levels = cells[:, 2]
    _credential_cells(columns, rows_of)
    return columns, texts


# Candidate ids whose skills are read as one aggregated string (about 17 MB of text).
SKILL_ID_RANGE = 50_000
# A skill row packed into one integer: candidate id, skill id, level (CHECK 0-4: three bits).
_CANDIDATE_SHIFT, _SKILL_SHIFT = 2**32, 8


def _skill_cells(last_id: int) -> Iterator[npt.NDArray[np.int64]]:
    """(candidate id, skill id, level) of every skill row, SKILL_ID_RANGE candidate ids at a
    time; rows of candidates the caller did not read are the caller's to drop (cheaper than a
    join with candidates: most rows are an active candidate's).

    Each range comes as one string of packed integers aggregated by the database, parsed by
    numpy: 2.4 million rows fetched as driver tuples were a third of the pool's build.
    """
    cs = CandidateSkill
    packed = cast(cs.candidate_id, BigInteger) * _CANDIDATE_SHIFT + cs.skill_id * _SKILL_SHIFT
    packed += cs.level
    aggregated = func.aggregate_strings(cast(packed, String), ",")
    for low in range(0, last_id + 1, SKILL_ID_RANGE):
        text = db.session.execute(
            select(aggregated).where(cs.candidate_id.between(low, low + SKILL_ID_RANGE - 1))
        ).scalar()
        if not text:
            continue
        values = np.fromstring(text, dtype=np.int64, sep=",")
        yield np.stack(
            [
                values // _CANDIDATE_SHIFT,
                values % _CANDIDATE_SHIFT // _SKILL_SHIFT,
                values % _SKILL_SHIFT,
            ],
            axis=1,
        )


def _credential_cells(
    columns: CandidateColumns, rows_of: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.intp]]
) -> None:
    """Every credential of the candidates read into `columns`, as credential_cell() would
    encode it, worked out on arrays (a CredentialHeld per row was seconds at 150,000 rows)."""
    cred_rows = plain_rows(
        select(
            Credential.candidate_id,
            CredentialType.code,
            Credential.verification_status == VerificationStatus.VERIFIED,
            cast(Credential.expires_on, String),
        ).join(CredentialType, CredentialType.id == Credential.credential_type_id)
    )
    if not cred_rows:
        return
    cids, codes, verified, expires = zip(*cred_rows, strict=True)
    rows = rows_of(np.array(cids, dtype=np.int64))
    # Dates as text on both backends ("YYYY-MM-DD"), None as NaT.
    days = (np.array(expires, dtype="datetime64[D]") - np.datetime64(EPOCH, "D")).astype(np.int64)
    cells = np.where(
        np.isnat(np.array(expires, dtype="datetime64[D]")),
        NO_EXPIRY,
        np.clip(days, 0, NO_EXPIRY - 1),
    )
    cells = np.where(np.array(verified, dtype=bool), cells, UNVERIFIED)
    held = np.flatnonzero(rows >= 0)
    columns.credential_rows = rows[held].tolist()
    columns.credential_codes = [codes[i] for i in held.tolist()]
    columns.credential_cells = cells[held].tolist()


def load_profile(candidate_id: int) -> CandidateProfile | None:
    """One candidate's profile whatever their status (None: no such row)."""
    found = load_profiles(Candidate.id == candidate_id)
    return found[0] if found else None


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
        text=opening_text(opening.title, opening.description),
        today=today or date.today(),
    )


def opening_query() -> Select[Opening]:
    """Openings with what their spec reads (requirements and clinic) loaded."""
    return select(Opening).options(*requirements_loaded(), selectinload(Opening.clinic))


def load_opening_specs(
    ids: Sequence[int] | None = None, open_only: bool = True
) -> list[OpeningSpec]:
    """The engine's records of these openings (default: every open one), by id: the values
    opening_spec() reads (a test holds the two equal), from three narrow queries of plain rows.
    A full rescore reads every open opening: an ORM object per opening, requirement and
    vocabulary row (about 14,000) took a second of it."""
    which: list[ColumnElement[bool]] = []
    if open_only:
        which.append(Opening.status == OpeningStatus.OPEN)
    if ids is not None:
        which.append(Opening.id.in_(list(ids)))
    chosen = select(Opening.id).where(*which).scalar_subquery()
    skills: dict[int, dict[str, tuple[int, float]]] = {}
    for oid, code, level, weight in db.session.execute(
        select(OpeningSkill.opening_id, Skill.code, OpeningSkill.min_level, OpeningSkill.weight)
        .join(Skill, Skill.id == OpeningSkill.skill_id)
        .where(OpeningSkill.opening_id.in_(chosen))
        .order_by(OpeningSkill.id)
    ):
        skills.setdefault(oid, {})[code] = (level, float(weight))
    credentials: dict[int, set[str]] = {}
    for oid, code in db.session.execute(
        select(OpeningCredential.opening_id, CredentialType.code)
        .join(CredentialType, CredentialType.id == OpeningCredential.credential_type_id)
        .where(OpeningCredential.opening_id.in_(chosen))
    ):
        credentials.setdefault(oid, set()).add(code)
    today = date.today()
    rows = db.session.execute(
        select(
            Opening.id,
            Opening.role_type,
            Opening.ehr_systems,
            Opening.languages,
            Opening.shift_mask,
            Clinic.lat,
            Clinic.lon,
            Opening.pay_min,
            Opening.pay_max,
            Opening.start_date,
            Opening.positions,
            Opening.min_typing_wpm,
            Opening.title,
            Opening.description,
        )
        .outerjoin(Clinic, Clinic.id == Opening.clinic_id)
        .where(*which)
        .order_by(Opening.id)
    )
    return [
        OpeningSpec(
            id=oid,
            role=role,
            required_skills=skills.get(oid, {}),
            required_credentials=credentials.get(oid, set()),
            ehr=set(ehr or []),
            languages=set(languages or []),
            shift_mask=shift or 0,
            lat=lat,
            lon=lon,
            pay_min=_float(pay_min),
            pay_max=_float(pay_max),
            start_date=start,
            positions=positions,
            min_typing_wpm=wpm,
            text=opening_text(title, description),
            today=today,
        )
        for (
            oid,
            role,
            ehr,
            languages,
            shift,
            lat,
            lon,
            pay_min,
            pay_max,
            start,
            positions,
            wpm,
            title,
            description,
        ) in rows
    ]


def open_opening_texts() -> list[str]:
    jobs = plain_rows(
        select(Opening.title, Opening.description).where(Opening.status == OpeningStatus.OPEN)
    )
    return [opening_text(title, description) for title, description in jobs]


def fit_text_space(candidate_texts: list[str] | None = None) -> TextSpace:
    """The pool's TF-IDF space, fitted on every active candidate's text and every open
    opening's (two narrow queries when the candidates' texts are not at hand: what a pair
    needs without loading the pool)."""
    if candidate_texts is None:
        people = plain_rows(select(Candidate.summary, Candidate.resume_text).where(active()))
        candidate_texts = [profile_text(summary, resume) for summary, resume in people]
    return TextSpace(min_df=1).fit(candidate_texts + open_opening_texts())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a bulk load that makes millions of objects and no
    cycles: each full collection walks every live object, and the pool's build set off
    several (about a tenth of a fresh process's build)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


# ---------- The pool of this process ----------

# How far each sync looks back before the last one: a transaction that stamped updated_at
# before our last check but committed after it would otherwise be missed.
SYNC_OVERLAP = timedelta(seconds=10)


class NestedLease(RuntimeError):
    """A thread asked for the pool again while it holds a lease on it: with a writer waiting in
    between, the second request would wait for that writer and the writer for the first lease
    (a deadlock), so it is refused instead."""


class PoolCache:
    """The pool and its text space, shared by the threads of one process.

    The pool's arrays are changed in place (a delta sync rewrites rows, appends, drops), so a
    reader must not look at them while a change is half applied (ids moved on, X rows not yet,
    or one candidate of a committed change applied and the next not). Readers take a lease,
    `with cache.reading() as pool:`, any number at once; a writer (build, sync, refresh,
    forget, reset) waits until no lease is held and holds new ones back while it writes
    (writer priority: a stream of readers cannot starve the sync). What a writer reads from
    the database, it reads before it asks for exclusive access, so readers wait only for the
    arrays being written. One thread at a time works out the changes (`_syncing`); the pool is
    never used outside a lease, and a lease is never taken inside another (`NestedLease`).
    """

    def __init__(self) -> None:
        # Serialises the writers and their bookkeeping (_synced_at, _applied, _space); taken
        # before `_access`'s write side, never while this thread holds a lease.
        self._syncing = threading.Lock()
        self._access = rwlock.RWLockWrite()
        self._leases = threading.local()
        self._pool: CandidatePool | None = None
        self._space: TextSpace | None = None
        # Bumped by every build: with the pool's own version it names one state of the rows.
        self.generation = 0
        self._synced_at: datetime | None = None
        # The change each candidate was last applied at, within the look-back window: without
        # it every request in the window re-applied the same rows and bumped the version.
        self._applied: dict[int, datetime] = {}

    @property
    def built(self) -> bool:
        return self._pool is not None

    @contextmanager
    def reading(self) -> Iterator[CandidatePool]:
        """A lease on the pool, current with the database: its arrays do not change until the
        block ends. Keep it short (no database writes inside): every writer waits for it."""
        self._refuse_nested()
        lease = self._access.gen_rlock()
        while True:
            self._bring_current()
            lease.acquire()
            pool = self._pool
            if pool is not None:
                break
            lease.release()  # reset() ran in between: build again
        self._leases.held = True
        try:
            yield pool
        finally:
            self._leases.held = False
            lease.release()

    def text_space(self) -> TextSpace:
        """The pool's text space; fitted from the texts alone when the pool is not built yet.
        A fitted space is never changed, so it may be used outside a lease."""
        self._refuse_nested()
        with self._syncing:
            if self._space is None:
                self._space = fit_text_space()
            return self._space

    def reset(self) -> None:
        self._refuse_nested()
        with self._syncing, self._writing():
            self._pool, self._space, self._synced_at, self._applied = None, None, None, {}

    def refresh(self, candidate_id: int) -> None:
        """Apply one candidate's change now (the next use would also pick it up)."""
        self._refuse_nested()
        with self._syncing:
            if self._pool is None:
                return
            status = db.session.execute(
                select(Candidate.status).where(Candidate.id == candidate_id)
            ).scalar_one_or_none()
            if status == CandidateStatus.ACTIVE:
                self._apply([candidate_id], [])
            else:
                self._apply([], [candidate_id])

    def forget(self, candidate_ids: list[int]) -> None:
        """Drop candidates whose rows were deleted outright (a sync only sees updates)."""
        self._refuse_nested()
        with self._syncing:
            if self._pool is not None:
                self._apply([], candidate_ids)

    def _refuse_nested(self) -> None:
        if getattr(self._leases, "held", False):
            raise NestedLease("this thread already holds a lease on the pool")

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Exclusive access to the pool: no lease held, new ones held back until the end."""
        with self._access.gen_wlock():
            yield

    def _bring_current(self) -> None:
        with self._syncing:
            now = utcnow()
            if self._pool is None:
                built = self._build()
                with self._writing():  # no reader can hold the pool yet: a formality
                    self._pool, self._applied = built, {}
                    self.generation += 1
            elif self._synced_at is not None:
                self._sync(self._synced_at - SYNC_OVERLAP)
            self._synced_at = now

    def _build(self) -> CandidatePool:
        with collector_paused():
            return self._build_arrays()

    def _build_arrays(self) -> CandidatePool:
        columns, texts = load_columns(active())
        matrix = None
        if self._space is None:
            # The same space fit_text_space(texts) gives, with the texts tokenized once.
            self._space = TextSpace(min_df=1)
            matrix = self._space.fit_transform(texts, open_opening_texts())
        return CandidatePool.from_columns(columns, texts, self._space, text_matrix=matrix)

    def _sync(self, since: datetime) -> None:
        """Apply the candidates changed since `since` that this pool has not applied yet."""
        stamps = db.session.execute(
            select(Candidate.id, Candidate.updated_at, Candidate.status).where(
                Candidate.updated_at > since
            )
        ).all()
        for cid in [cid for cid, at in self._applied.items() if at <= since]:
            del self._applied[cid]
        fresh = [(cid, at, status) for cid, at, status in stamps if self._applied.get(cid) != at]
        if not fresh:
            return
        for cid, at, _status in fresh:
            self._applied[cid] = at
        kept = [cid for cid, _at, status in fresh if status == CandidateStatus.ACTIVE]
        gone = [cid for cid, _at, status in fresh if status != CandidateStatus.ACTIVE]
        self._apply(kept, gone)

    def _apply(self, kept: list[int], gone: list[int]) -> None:
        """Make the pool's rows for these candidates match the database: their rows read
        first, then written in one exclusive stretch (a reader sees all of it or none)."""
        profiles = load_profiles(Candidate.id.in_(kept)) if kept else []
        with self._writing():
            pool = self._pool
            assert pool is not None
            for cid in gone:
                if cid in pool:
                    pool.remove(cid)
            for profile in profiles:
                if profile.id in pool:
                    pool.update(profile)
                else:
                    pool.add(profile)
