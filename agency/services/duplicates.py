"""Likely duplicate candidates: find them, flag them for staff, merge two records into one.

A person who registers twice (a new e-mail, a phone-in registration beside their own) leaves two
records whose applications and credentials the agency reads as two people. The rules that flag a
pair, each a staff-facing reason:

- the same e-mail (ignoring case) or the same phone number;
- a close name (rapidfuzz's token-sort ratio, so "Ann Lee" and "Lee, Anne" are close) with the
  same ZIP code, or with a credential of the same kind issued or expiring on the same day.

A merge moves everything that belongs to the dropped record to the kept one, in the caller's
transaction: applications (two for the same opening become one, the one further along, with the
other's history and notes moved onto it), notes, credentials, skills (the higher level wins),
staff decisions, audit history and every other row that points at the candidate. The profile's
blank fields are filled from the dropped record; the dropped record is deleted and the audit log
keeps what it held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from rapidfuzz import fuzz, process
from sqlalchemy import (
    CursorResult,
    Table,
    UniqueConstraint,
    Update,
    delete,
    func,
    or_,
    select,
    union_all,
    update,
)

from agency.extensions import db
from agency.models import (
    Application,
    AuditEvent,
    Candidate,
    CandidateStatus,
    Credential,
    DuplicateFlag,
    DuplicateStatus,
    Match,
    Note,
    Stage,
    StageChange,
    User,
    utcnow,
)
from agency.services import audit, bulk, pools, profiles

# Token-sort ratio (0-100) from which two names count as close: "Maria Garcia" / "Maria Garcia
# Lopez" is 80, "Jon Smith" / "John Smith" 95, "Ann Lee" / "Lee Ann" 100, two different people
# of one family ("Maria Garcia" / "Mario Garcia") 92 -- which is why a close name alone never
# flags a pair: it needs the same ZIP or the same credential date as well.
NAME_THRESHOLD = 85
# Candidates read for one check at most (a ZIP code with many candidates): the newest ones.
SCAN_LIMIT = 500
# ZIP codes read per statement by `flag_many` (one LIMIT subquery each).
ZIPS_PER_QUERY = 50

SAME_EMAIL = "same e-mail"
SAME_PHONE = "same phone"
NAME_AND_ZIP = "similar name, same ZIP code"
NAME_AND_CREDENTIAL = "similar name, a credential of the same kind dated the same day"

# How far along each stage is: two applications to one opening keep the further one.
_PROGRESS = {
    Stage.SOURCED: 0,
    Stage.APPLIED: 1,
    Stage.WITHDRAWN: 1,
    Stage.REJECTED: 2,
    Stage.SHORTLISTED: 3,
    Stage.SUBMITTED: 4,
    Stage.INTERVIEW: 5,
    Stage.OFFERED: 6,
    Stage.PLACED: 7,
}


class MergeError(ValueError):
    """A merge that cannot be done (the same record twice, an erased record)."""


@dataclass(frozen=True)
class Likely:
    other: Candidate
    reasons: tuple[str, ...]


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip().lower()


def _name(candidate: Candidate) -> str:
    return _full_name(candidate.first_name, candidate.last_name)


def names_close(a: Candidate, b: Candidate) -> bool:
    left, right = _name(a), _name(b)
    return bool(left and right) and fuzz.token_sort_ratio(left, right) >= NAME_THRESHOLD


def _live() -> Any:
    return Candidate.status != CandidateStatus.ERASED


def find_likely(candidate: Candidate) -> list[Likely]:
    """Other live candidates that may be this person, each with the reasons (several queries,
    each on an indexed column or bounded by SCAN_LIMIT)."""
    reasons: dict[int, list[str]] = {}
    found: dict[int, Candidate] = {}

    def note(others: Sequence[Candidate], reason: str) -> None:
        for other in others:
            if other.id != candidate.id and reason not in reasons.setdefault(other.id, []):
                reasons[other.id].append(reason)
                found[other.id] = other

    base = select(Candidate).where(_live(), Candidate.id != candidate.id)
    email = candidate.user.email.strip().lower() if candidate.user is not None else ""
    if email:
        note(
            db.session.execute(
                base.join(User, Candidate.user_id == User.id).where(func.lower(User.email) == email)
            )
            .scalars()
            .all(),
            SAME_EMAIL,
        )
    if candidate.phone:
        # Phones are stored as the form formats them ("(617) 555-0123"), so equal means equal.
        note(
            db.session.execute(base.where(Candidate.phone == candidate.phone)).scalars().all(),
            SAME_PHONE,
        )
    if candidate.zip_code:
        same_zip = db.session.execute(
            base.where(Candidate.zip_code == candidate.zip_code)
            .order_by(Candidate.id.desc())
            .limit(SCAN_LIMIT)
        ).scalars()
        note([o for o in same_zip if names_close(candidate, o)], NAME_AND_ZIP)
    dated = [
        (c.credential_type_id, day)
        for c in candidate.credentials
        for day in (c.issued_on, c.expires_on)
        if day is not None
    ]
    if dated:
        conditions = [
            (Credential.credential_type_id == type_id)
            & or_(Credential.issued_on == day, Credential.expires_on == day)
            for type_id, day in dated
        ]
        holders = select(Credential.candidate_id).where(or_(*conditions))
        same_dates = db.session.execute(
            base.where(Candidate.id.in_(holders)).order_by(Candidate.id.desc()).limit(SCAN_LIMIT)
        ).scalars()
        note([o for o in same_dates if names_close(candidate, o)], NAME_AND_CREDENTIAL)
    return [Likely(found[i], tuple(reasons[i])) for i in sorted(found)]


def flag(candidate: Candidate) -> list[DuplicateFlag]:
    """Record a flag for each likely duplicate of `candidate` (caller commits). A pair already
    flagged gets any new reasons; a pair staff dismissed stays dismissed."""
    if candidate.id is None:
        db.session.flush()
    flags = []
    for likely in find_likely(candidate):
        low, high = sorted((candidate.id, likely.other.id))
        existing = db.session.execute(
            select(DuplicateFlag).where(
                DuplicateFlag.candidate_id == low, DuplicateFlag.other_id == high
            )
        ).scalar_one_or_none()
        if existing is None:
            existing = DuplicateFlag(candidate_id=low, other_id=high, reasons=list(likely.reasons))
            db.session.add(existing)
        elif existing.status == DuplicateStatus.OPEN:
            existing.reasons = sorted(set(existing.reasons) | set(likely.reasons))
        flags.append(existing)
    return flags


class NewRecord(NamedTuple):
    """What the rules of `flag_many` read of a record the caller has just written."""

    id: int
    first_name: str
    last_name: str
    phone: str
    zip_code: str

    @classmethod
    def of(cls, candidate: Candidate) -> NewRecord:
        return cls(
            candidate.id,
            candidate.first_name,
            candidate.last_name,
            candidate.phone,
            candidate.zip_code,
        )


def flag_many(new: Sequence[NewRecord]) -> int:
    """Flag the likely duplicates of many records created in the caller's transaction (an
    import's batch) at once, by the rules of `flag` with one query per rule for the whole
    batch: the same phone; a close name with the same ZIP code (the newest SCAN_LIMIT of a ZIP,
    names compared as a matrix). The e-mail rule needs no check (an import skips a known
    e-mail) nor the credential one (an import brings no credentials). The records come as the
    caller wrote them (written, not read back: the caller holds them). Returns how many pairs
    were flagged (caller commits)."""
    if not new:
        return 0
    reasons: dict[tuple[int, int], list[str]] = {}

    def note(a: int, b: int, reason: str) -> None:
        pair = (min(a, b), max(a, b))
        if a != b and reason not in reasons.setdefault(pair, []):
            reasons[pair].append(reason)

    by_phone: dict[str, list[int]] = {}
    by_zip: dict[str, list[tuple[int, str]]] = {}
    phones = sorted({r.phone for r in new if r.phone})
    zips = sorted({r.zip_code for r in new if r.zip_code})
    for some_phones in bulk.lookup_slices(phones):
        for other_id, phone in db.session.execute(
            select(Candidate.id, Candidate.phone).where(
                _live(), bulk.among(Candidate.phone, some_phones)
            )
        ):
            by_phone.setdefault(phone, []).append(other_id)
    for start in range(0, len(zips), ZIPS_PER_QUERY):
        # All at once (`all`: one fetch): thousands of rows a batch, read one by one, cost more
        # than the query.
        for other_id, first, last, zip_code in db.session.execute(
            _newest_of_zips(zips[start : start + ZIPS_PER_QUERY])
        ).all():
            by_zip.setdefault(zip_code, []).append((other_id, _full_name(first, last)))
    for row in new:
        for other_id in by_phone.get(row.phone, []) if row.phone else []:
            note(row.id, other_id, SAME_PHONE)
    mine: dict[str, list[tuple[int, str]]] = {}
    for row in new:
        name = _full_name(row.first_name, row.last_name)
        if row.zip_code and name:
            mine.setdefault(row.zip_code, []).append((row.id, name))
    for zip_code, people in mine.items():
        others = [(i, n) for i, n in by_zip.get(zip_code, []) if n]
        if not others:
            continue
        scores = process.cdist(
            [n for _, n in people],
            [n for _, n in others],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=NAME_THRESHOLD,
        )
        # As Python ints: numpy's own scalars made this loop several times slower.
        close_i, close_j = scores.nonzero()
        for i, j in zip(close_i.tolist(), close_j.tolist(), strict=True):
            note(people[i][0], others[j][0], NAME_AND_ZIP)
    if not reasons:
        return 0
    # No pair is looked up on file: each holds a record of this transaction, which no flag
    # can name yet (a flag's foreign keys would wait for it to commit).
    now = utcnow()
    rows = [
        {
            "candidate_id": low,
            "other_id": high,
            "reasons": found,
            "status": DuplicateStatus.OPEN.value,
            "created_at": now,
        }
        for (low, high), found in reasons.items()
    ]
    bulk.insert_with_ids(DuplicateFlag, rows)
    return len(rows)


def _newest_of_zips(zips: Sequence[str]) -> Any:
    """The newest SCAN_LIMIT live candidates of each ZIP code: one `ORDER BY id DESC LIMIT`
    per ZIP joined with UNION ALL, each read backwards from the (zip_code, id) index and stopped
    at the limit. (A window function over the ZIP codes sorted every candidate they hold; the
    benchmark's ten ZIP codes made that the whole table for every batch.)"""
    parts = [
        select(
            select(Candidate.id, Candidate.first_name, Candidate.last_name, Candidate.zip_code)
            .where(_live(), Candidate.zip_code == zip_code)
            .order_by(Candidate.id.desc())
            .limit(SCAN_LIMIT)
            .subquery()
        )
        for zip_code in zips
    ]
    return parts[0] if len(parts) == 1 else union_all(*parts)


def open_flags() -> list[DuplicateFlag]:
    return list(
        db.session.execute(
            select(DuplicateFlag)
            .where(DuplicateFlag.status == DuplicateStatus.OPEN)
            .order_by(DuplicateFlag.created_at.desc(), DuplicateFlag.id.desc())
        ).scalars()
    )


def application_counts(candidate_ids: Sequence[int]) -> dict[int, int]:
    """How many applications each of these candidates has (0 for none), for the comparison."""
    counts = db.session.execute(
        select(Application.candidate_id, func.count())
        .where(Application.candidate_id.in_(candidate_ids))
        .group_by(Application.candidate_id)
    ).all()
    return {i: 0 for i in candidate_ids} | {cid: n for cid, n in counts}


def dismiss(pair: DuplicateFlag, actor: User, ip: str = "") -> None:
    """Staff say the two records are different people; the pair is not flagged again."""
    pair.status = DuplicateStatus.DISMISSED
    pair.resolved_at = utcnow()
    pair.resolved_by_id = actor.id
    audit.record(
        "duplicate_dismissed",
        actor_id=actor.id,
        object_type="candidate",
        object_id=pair.candidate_id,
        ip=ip,
        details={"other": pair.other_id},
    )


# ---- merging ------------------------------------------------------------------------------------


def _candidate_columns() -> list[tuple[Table, str]]:
    """Every (table, column) holding a foreign key to candidates, read from the schema so a
    table added later is moved too; the pairs table is handled on its own."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in ("candidates", "duplicate_flags"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "candidates":
                found.append((table, fk.parent.name))
    return found


def _one_per_candidate(table: Table, column: str) -> bool:
    """Whether the table holds at most one row per candidate (a unique candidate column)."""
    if table.c[column].unique:
        return True
    return any(
        isinstance(c, UniqueConstraint) and [col.name for col in c.columns] == [column]
        for c in table.constraints
    )


def _merge_applications(keep: Candidate, drop: Candidate) -> int:
    mine = {
        a.opening_id: a
        for a in db.session.execute(
            select(Application).where(Application.candidate_id == keep.id)
        ).scalars()
    }
    theirs = db.session.execute(
        select(Application).where(Application.candidate_id == drop.id)
    ).scalars()
    combined = 0
    for other in list(theirs):
        kept = mine.get(other.opening_id)
        if kept is None:
            continue  # moved with every other row below
        winner, loser = (
            (other, kept) if _PROGRESS[other.stage] > _PROGRESS[kept.stage] else (kept, other)
        )
        for model in (StageChange, Note):
            db.session.execute(
                update(model)
                .where(model.application_id == loser.id)
                .values(application_id=winner.id)
                .execution_options(synchronize_session=False)
            )
        if loser.note and loser.note not in winner.note:
            winner.note = "\n\n".join(n for n in (winner.note, loser.note) if n)
        db.session.flush()
        db.session.execute(delete(Application).where(Application.id == loser.id))
        if winner is other:
            mine[other.opening_id] = other
        combined += 1
    db.session.expire_all()
    return combined


def _merge_skills(keep: Candidate, drop: Candidate) -> None:
    levels = {s.skill_id: s for s in keep.skills}
    for theirs in list(drop.skills):
        mine = levels.get(theirs.skill_id)
        if mine is None:
            continue  # moved below
        if theirs.level > mine.level:
            mine.level, mine.source = theirs.level, theirs.source
        db.session.delete(theirs)
    db.session.flush()


def _merge_profile(keep: Candidate, drop: Candidate) -> list[str]:
    """Fill the kept record's blanks from the dropped one; lists are joined. Returns the
    fields that changed."""
    filled = []
    for field in ("phone", "zip_code", "summary", "resume_path", "resume_filename", "resume_text"):
        if not getattr(keep, field) and getattr(drop, field):
            setattr(keep, field, getattr(drop, field))
            filled.append(field)
    if "zip_code" in filled:
        keep.lat, keep.lon, keep.commute_miles = drop.lat, drop.lon, drop.commute_miles
    for field in ("typing_wpm", "min_pay"):
        if getattr(keep, field) is None and getattr(drop, field) is not None:
            setattr(keep, field, getattr(drop, field))
            filled.append(field)
    if drop.years_experience > keep.years_experience:
        keep.years_experience = drop.years_experience
        filled.append("years_experience")
    if drop.availability_mask & ~keep.availability_mask:
        keep.availability_mask |= drop.availability_mask
        filled.append("availability_mask")
    for field in ("desired_roles", "languages", "ehr_systems"):
        joined = sorted(set(getattr(keep, field) or []) | set(getattr(drop, field) or []))
        if joined != sorted(getattr(keep, field) or []):
            setattr(keep, field, joined)
            filled.append(field)
    return filled


def _changed(statement: Update, values: dict[str, int]) -> int:
    result = cast(CursorResult[Any], db.session.execute(statement.values(values)))
    return result.rowcount


def merge(keep: Candidate, drop: Candidate, actor: User, ip: str = "") -> dict[str, int]:
    """Move everything of `drop` onto `keep` and delete `drop` (caller commits; on any error
    the caller rolls back and nothing has changed). Returns the rows moved per table."""
    if keep.id == drop.id:
        raise MergeError("Choose two different records.")
    if CandidateStatus.ERASED in (keep.status, drop.status):
        raise MergeError("An erased record cannot be merged.")
    snapshot = {
        "merged_id": drop.id,
        "name": drop.full_name,
        "email": drop.user.email if drop.user is not None else "",
        "phone": drop.phone,
        "zip_code": drop.zip_code,
    }
    combined = _merge_applications(keep, drop)
    _merge_skills(keep, drop)
    filled = _merge_profile(keep, drop)
    # Matches are derived: the dropped record's go, the rescore below ranks the kept one.
    db.session.execute(delete(Match).where(Match.candidate_id == drop.id))
    pools.keep_one_membership(keep.id, drop.id)  # one membership per pool (issue 21)
    moved: dict[str, int] = {}
    for table, column in _candidate_columns():
        if table.name == Match.__tablename__:
            continue
        if (
            _one_per_candidate(table, column)
            and db.session.execute(
                select(table.c[column]).where(table.c[column] == keep.id).limit(1)
            ).first()
        ):
            # One row per person (self-identification): the kept record's answers stay.
            db.session.execute(table.delete().where(table.c[column] == drop.id))
            continue
        count = _changed(table.update().where(table.c[column] == drop.id), {column: keep.id})
        if count:
            moved[table.name] = count
    # Audit history of the dropped record (not a foreign key: it outlives erased rows).
    count = _changed(
        update(AuditEvent).where(AuditEvent.candidate_id == drop.id),
        {"candidate_id": keep.id},
    )
    if count:
        moved["audit_events"] = count
    _close_pairs(keep, drop)
    login = drop.user
    drop_user_note = ""
    if login is not None:
        drop.user = None
        db.session.flush()
        if keep.user is None:
            keep.user = login  # a record staff entered is claimed by the person's login
            drop_user_note = "login moved"
        else:
            login.active = False  # one person, one login: the kept record's
            login.session_version += 1
            drop_user_note = "second login disabled"
    db.session.flush()
    db.session.expire(drop)
    db.session.delete(drop)
    keep.updated_at = utcnow()
    audit.record(
        "candidates_merged",
        actor_id=actor.id,
        object_type="candidate",
        object_id=keep.id,
        ip=ip,
        details={
            **snapshot,
            "moved": moved,
            "applications_combined": combined,
            "filled": filled,
            "login": drop_user_note,
        },
    )
    profiles.request_rescore(keep.id)
    return moved


def _close_pairs(keep: Candidate, drop: Candidate) -> None:
    """The merged pair is done; other pairs of the dropped record now concern the kept one
    (or vanish, when they were the same pair twice over)."""
    pairs = db.session.execute(
        select(DuplicateFlag).where(
            or_(DuplicateFlag.candidate_id == drop.id, DuplicateFlag.other_id == drop.id)
        )
    ).scalars()
    for pair in list(pairs):
        other = pair.other_id if pair.candidate_id == drop.id else pair.candidate_id
        if other == keep.id:
            db.session.delete(pair)  # this merge resolves it; the audit log records the merge
            continue
        low, high = sorted((keep.id, other))
        clash = db.session.execute(
            select(DuplicateFlag.id).where(
                DuplicateFlag.candidate_id == low, DuplicateFlag.other_id == high
            )
        ).scalar_one_or_none()
        if clash is not None:
            db.session.delete(pair)
        else:
            pair.candidate_id, pair.other_id = low, high
    db.session.flush()
