"""Deliver outbox messages: claim, act once, record the outcome; retry with backoff, then dead.

A claim is one conditional UPDATE (PostgreSQL picks the rows with FOR UPDATE SKIP LOCKED; SQLite
serialises writers, so the UPDATE holds the write lock from its read to its write, as BEGIN
IMMEDIATE would). The claim carries a lease and an attempt number; every later write checks
both, so a worker that outlived its lease cannot overwrite the next claimer's outcome.

A worker claims a batch at once (`deliver_many`): the messages it was handed plus, for the
kinds that are quick sends (e-mail), other due ones up to BATCH_SIZE, so a backlog drains in
batches instead of one task, one claim and one connection per message. Each message is marked
sent right after the server accepted it, on a thread of its own (`sent_marks`) while the next
one goes out: the window in which a killed worker's message is sent twice stays one commit wide.
In a batch an e-mail's text goes out with the next one's envelope (`handlers.perform_later`),
so its acceptance, and its mark, come as the next one is sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, Update, and_, bindparam, case, or_, select, tuple_, update
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, utcnow
from agency.services import outbox, sent_marks
from agency.services import outbox_handlers as handlers

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Defaults, in seconds; the OUTBOX_* settings of the same names override them.
LEASE_SECONDS = 30  # a claim's hold; the task's hard time limit is shorter
SWEEP_GRACE_SECONDS = 30  # a fresh message is left to the after-commit enqueue this long
REENQUEUE_SECONDS = 120  # the sweep re-enqueues a message it already enqueued after this
BATCH_SIZE = 20  # messages one worker claims at once (OUTBOX_BATCH_SIZE overrides)
# A batch starts no new message after this long; the rest go back to pending for another task.
# Short against the lease: a message started late still ends (or is killed) before its lease.
BATCH_SECONDS = 5.0
PENDING, SENDING = OutboxStatus.PENDING, OutboxStatus.SENDING
SENT, DEAD = OutboxStatus.SENT, OutboxStatus.DEAD


def _seconds(key: str, default: float) -> timedelta:
    return timedelta(seconds=float(current_app.config.get(key, default)))


def lease() -> timedelta:
    """How long a claim holds a message; longer than the task's hard time limit."""
    return _seconds("OUTBOX_LEASE_SECONDS", LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failure: 30 s after the first, growing geometrically to 2 h.

    The factor (about 2.5) is chosen so the last retry before `dead` waits the full cap.
    """
    base = float(current_app.config.get("OUTBOX_RETRY_BASE_SECONDS", 30))
    cap = float(current_app.config.get("OUTBOX_RETRY_MAX_SECONDS", 7200))
    factor = (cap / base) ** (1 / (MAX_ATTEMPTS - 2))
    return timedelta(seconds=min(base * factor ** max(attempts - 1, 0), cap))


@dataclass(frozen=True)
class Claim:
    id: int
    kind: str
    payload: dict[str, Any]
    dedupe_key: str
    attempt: int


def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _due(now: Any) -> ColumnElement[bool]:
    # Pending and due, or held by a claim whose lease ran out (its worker died).
    return or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.locked_until < now),
    )


def claim(message_id: int) -> Claim | None:
    """Take the message for this worker and commit; None if it is sent, dead, held or not due."""
    now = utcnow()
    condition = and_(OutboxMessage.id == message_id, _due(now))
    if _on_postgres():
        locked = select(OutboxMessage.id).where(condition).with_for_update(skip_locked=True)
        condition = OutboxMessage.id == locked.scalar_subquery()
    stmt = (
        update(OutboxMessage)
        .where(condition)
        .values(
            status=SENDING,
            attempts=OutboxMessage.attempts + 1,
            locked_until=now + lease(),
            enqueued_at=None,
        )
        .returning(
            OutboxMessage.kind,
            OutboxMessage.payload,
            OutboxMessage.dedupe_key,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(stmt).first()
    db.session.commit()
    if row is None:
        return None
    return Claim(message_id, row.kind, dict(row.payload or {}), row.dedupe_key, row.attempts)


def _held(c: Claim) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.id == c.id,
        OutboxMessage.status == SENDING,
        OutboxMessage.attempts == c.attempt,
    )


def _finish(c: Claim, note: str) -> bool:
    """Mark sent in the same transaction as anything the handler staged."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(_held(c))
        .values(status=SENT, sent_at=utcnow(), locked_until=None, last_error=note[:2000])
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        log.error("outbox %s: lease lost before it was marked sent (attempt %s)", c.id, c.attempt)
        return False
    db.session.commit()
    return True


def _fail(c: Claim, error: str, permanent: bool) -> None:
    dead = permanent or c.attempt >= MAX_ATTEMPTS
    values: dict[str, Any] = {"last_error": error[:2000], "locked_until": None}
    if dead:
        values["status"] = DEAD
    else:
        values.update(status=PENDING, next_attempt_at=utcnow() + backoff(c.attempt))
    db.session.execute(
        update(OutboxMessage)
        .where(_held(c))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    level = logging.ERROR if dead else logging.WARNING
    log.log(level, "outbox %s attempt %s failed%s: %s", c.id, c.attempt, " (dead)" * dead, error)


def batch_size() -> int:
    return int(current_app.config.get("OUTBOX_BATCH_SIZE", BATCH_SIZE))


def _claim_statement(postgres: bool) -> Update:
    """claim_many's statement, built once per dialect with bound parameters (building and
    caching it per call, through the ORM, cost 2 ms of CPU a batch): the due rows among `ids`,
    then of `kinds`, oldest first, up to `limit`, taken until `until`."""
    t = _T.c
    now: BindParameter[Any] = bindparam("now")  # typed by the columns it is compared with
    wanted = t.id.in_(bindparam("ids", expanding=True))
    due = or_(
        and_(t.status == PENDING, t.next_attempt_at <= now),
        and_(t.status == SENDING, t.locked_until < now),
    )
    pick = (
        select(t.id)
        .where(due, or_(wanted, t.kind.in_(bindparam("kinds", expanding=True))))
        .order_by(case((wanted, 0), else_=1), t.next_attempt_at, t.id)
        .limit(bindparam("limit"))
    )
    if postgres:
        # A CTE runs once: the locked rows are exactly the updated ones.
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        stmt = update(_T).where(t.id == picked.c.id)
    else:
        stmt = update(_T).where(t.id.in_(pick.scalar_subquery()), due)
    return stmt.values(
        status=SENDING, attempts=t.attempts + 1, locked_until=bindparam("until"), enqueued_at=None
    ).returning(t.id, t.kind, t.payload, t.dedupe_key, t.attempts)


_T = cast(Table, OutboxMessage.__table__)
_CLAIM = {postgres: _claim_statement(postgres) for postgres in (True, False)}


def claim_many(message_ids: Sequence[int], fill: int = 0) -> list[Claim]:
    """Claim the due ones of `message_ids` and up to `fill` other due messages of the batched
    kinds (oldest first) in one statement, and commit. The requested ones come first."""
    now = utcnow()
    params = {
        "now": now,
        "ids": list(message_ids),
        "kinds": sorted(handlers.BATCHED_KINDS) if fill > 0 else [],
        "limit": len(message_ids) + max(fill, 0),
        "until": now + lease(),
    }
    rows = list(db.session.execute(_CLAIM[_on_postgres()], params).all())
    db.session.commit()
    asked = set(message_ids)
    rows.sort(key=lambda r: (r.id not in asked, r.id))
    return [Claim(r.id, r.kind, dict(r.payload or {}), r.dedupe_key, r.attempts) for r in rows]


def release(claims: Sequence[Claim]) -> list[int]:
    """Give back claims that were never attempted: pending and due now, attempt not counted."""
    if not claims:
        return []
    pairs = [(c.id, c.attempt) for c in claims]
    released = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == SENDING,
            tuple_(OutboxMessage.id, OutboxMessage.attempts).in_(pairs),
        )
        .values(
            status=PENDING,
            attempts=OutboxMessage.attempts - 1,
            locked_until=None,
            next_attempt_at=utcnow(),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    result = sorted(released)
    db.session.commit()
    return result


def deliver_many(message_ids: Sequence[int], *, fill: bool = True) -> list[int]:
    """Deliver these messages (and, with `fill`, other due quick ones up to a batch) if due and
    unclaimed. Returns the ids handed back unattempted when the batch ran out of time, for the
    caller to enqueue again (the sweep would find them too)."""
    extra = max(batch_size() - len(message_ids), 0) if fill else 0
    claims = claim_many(message_ids, extra)
    started = time.monotonic()
    limit = float(current_app.config.get("OUTBOX_BATCH_SECONDS", BATCH_SECONDS))
    marks = sent_marks.marker(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        for n, c in enumerate(claims):
            if n and time.monotonic() - started > limit:
                return release(claims[n:])
            _deliver_claimed(c, marks)
    finally:
        try:
            handlers.settle()  # the last message's text, and its outcome
        finally:
            marks.flush()  # the batch ends when every message it sent is marked
    return []


def deliver(message_id: int) -> bool:
    """Deliver one message if it is due and unclaimed; True if this call completed it."""
    c = claim(message_id)
    if c is None:
        return False
    return _deliver_claimed(c)


def _deliver_claimed(c: Claim, marks: sent_marks.Marker | None = None) -> bool:
    if c.attempt > MAX_ATTEMPTS:
        # Earlier claims died with their workers; a message that kills workers stops here.
        _fail(c, "worker lost during delivery too many times", permanent=True)
        return False
    if marks is not None and c.kind in handlers.BATCHED_KINDS:
        return _deliver_batched(c, marks)
    handlers.settle()  # an e-mail left open does not wait for a slow kind's work
    try:
        note = handlers.perform(c.kind, c.payload, c.dedupe_key)
    except Exception as exc:  # any failure is kept for staff; only PermanentFailure is final
        _failed(c, exc)
        return False
    return _finish(c, note)


def _deliver_batched(c: Claim, marks: sent_marks.Marker) -> bool:
    """A quick send in a batch: its outcome may come with the next message's send (or the
    batch's settle). True if it was sent or handed over without an error so far."""

    def done(note: str, exc: BaseException | None) -> None:
        if exc is not None:
            _failed(c, exc)
            return
        session = db.session
        if session.new or session.dirty or session.deleted:
            _finish(c, note)  # a handler staged rows: they commit with its mark
            return
        session.rollback()  # end the handler's reads; the mark is written on its own thread
        marks.put(sent_marks.Mark(c.id, c.attempt, note))

    try:
        handlers.perform_later(c.kind, c.payload, c.dedupe_key, done)
    except Exception as exc:
        _failed(c, exc)
        return False
    return True


def _failed(c: Claim, exc: BaseException) -> None:
    db.session.rollback()
    if isinstance(exc, handlers.PermanentFailure):
        _fail(c, str(exc), permanent=True)
    else:  # any other failure is retried; the error is kept for staff
        _fail(c, f"{type(exc).__name__}: {exc}", permanent=False)


def sweep(limit: int = 1000) -> list[int]:
    """Mark due messages as enqueued and return their ids, for the caller to hand to the broker.

    Fresh messages get a grace period (the after-commit enqueue handles them); a message the
    sweep already enqueued waits OUTBOX_REENQUEUE_SECONDS before it is enqueued again.
    """
    now = utcnow()
    grace = _seconds("OUTBOX_SWEEP_GRACE_SECONDS", SWEEP_GRACE_SECONDS)
    again = _seconds("OUTBOX_REENQUEUE_SECONDS", REENQUEUE_SECONDS)
    pick = (
        select(OutboxMessage.id)
        .where(
            _due(now),
            OutboxMessage.created_at <= now - grace,
            or_(OutboxMessage.enqueued_at.is_(None), OutboxMessage.enqueued_at <= now - again),
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )
    if _on_postgres():
        # Two sweepers at once split the due rows instead of both taking them.
        pick = pick.with_for_update(skip_locked=True)
    ids = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(pick.scalar_subquery()))
        .values(enqueued_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    result = sorted(ids)
    db.session.commit()
    return result


def retry(message_id: int) -> bool:
    """Staff retry of a dead or failing message: due now with a fresh budget. Caller commits."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status not in (DEAD, PENDING):
        return False
    message.status = PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.enqueued_at = None
    outbox.enqueue_after_commit(message)
    return True
