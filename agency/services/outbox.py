"""Write background work and notifications as outbox rows in the caller's transaction.

After the transaction commits, the new rows are handed to the enqueue seam the app registered
(the Celery wiring in `workers`); if that fails or nothing is registered, the periodic sweep
picks the rows up, so a lost enqueue only delays a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

EnqueueFn = Callable[[list[int]], None]
_PENDING_KEY = "outbox_new_ids"
_PENDING_IDS_KEY = "outbox_new_row_ids"  # rows written without ORM objects (add_bulk)


def add(
    kind: str, payload: dict[str, Any], dedupe_key: str, *, not_before: datetime | None = None
) -> OutboxMessage | None:
    """Stage one message in the current transaction, unless the dedupe key already exists.

    Returns the new row, or None when an identical message was already recorded.
    """
    exists = db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if exists is not None:
        return None
    for pending in db.session.new:
        if isinstance(pending, OutboxMessage) and pending.dedupe_key == dedupe_key:
            return None
    message = OutboxMessage(
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key[:255],
        next_attempt_at=not_before or utcnow(),
    )
    db.session.add(message)
    return message


def email(
    template: str,
    to: str,
    context: dict[str, Any],
    dedupe_key: str,
    *,
    essential: bool = False,
    user_id: int | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage | None:
    """Stage an e-mail: the worker renders `templates/email/<template>.{txt,html}` and sends it.

    With `user_id`, a non-essential e-mail is dropped at send time if the user opted out since.
    `attachments` are small text files built now and kept in the row (a calendar invitation is
    a snapshot of its event at this moment): {"filename", "content_type", "content"}, see
    mail.compose.
    """
    payload = email_payload(template, to, context, essential=essential)
    if user_id is not None:
        payload["user_id"] = user_id
    if attachments:
        payload["attachments"] = attachments
    return add("email", payload, dedupe_key)


def add_many(kind: str, messages: Iterable[tuple[dict[str, Any], str]]) -> list[OutboxMessage]:
    """Stage many messages of one kind (payload, dedupe key) with one look-up of existing keys:
    a broadcast (a shift offered to 300 people) in the caller's transaction. Returns the new
    rows; keys already recorded or repeated are skipped, as `add` does."""
    wanted = [(payload, key[:255]) for payload, key in messages]
    taken = {m.dedupe_key for m in db.session.new if isinstance(m, OutboxMessage)}
    keys = [key for _, key in wanted]
    for start in range(0, len(keys), 500):  # bounded IN lists
        taken.update(
            db.session.execute(
                select(OutboxMessage.dedupe_key).where(
                    OutboxMessage.dedupe_key.in_(keys[start : start + 500])
                )
            ).scalars()
        )
    now, added = utcnow(), []
    for payload, key in wanted:
        if key in taken:
            continue
        taken.add(key)
        added.append(OutboxMessage(kind=kind, payload=payload, dedupe_key=key, next_attempt_at=now))
    db.session.add_all(added)
    return added


def email_many(
    template: str,
    recipients: Iterable[tuple[str, dict[str, Any], str]],
    *,
    essential: bool = False,
) -> list[OutboxMessage]:
    """Stage one e-mail per (to, context, dedupe key), as `email` would, in one go."""
    payloads = (
        (email_payload(template, to, context, essential=essential), key)
        for to, context, key in recipients
    )
    return add_many("email", payloads)


def email_payload(
    template: str, to: str, context: dict[str, Any], *, essential: bool = False
) -> dict[str, Any]:
    """The outbox payload of one e-mail (what `email` stages and the handler reads)."""
    return {"template": template, "to": to, "context": context, "essential": essential}


def add_bulk(
    kind: str, messages: list[tuple[Any, str]], *, keys_are_new: bool = False
) -> list[int]:
    """Stage thousands of (payload, dedupe key) at once (an import): the rows are written in
    one statement (bulk.insert_with_ids: COPY on PostgreSQL) instead of as ORM objects, whose
    multi-row INSERT costs seconds per thousand to build, and are handed to the broker after
    commit the same way. A payload may come encoded already (bulk.Encoded). Keys already
    recorded or repeated are skipped; `keys_are_new` says no key can be on file (each names a
    row drawn in the caller's transaction), which spares looking them up. Returns the new
    ids."""
    from agency.services import bulk

    wanted = [(payload, key[:255]) for payload, key in messages]
    keys = [] if keys_are_new else [key for _, key in wanted]
    taken: set[str] = set()
    for some_keys in bulk.lookup_slices(keys):
        taken.update(
            db.session.execute(
                select(OutboxMessage.dedupe_key).where(
                    bulk.among(OutboxMessage.dedupe_key, some_keys)
                )
            ).scalars()
        )
    now, rows = utcnow(), []
    for payload, key in wanted:
        if key in taken:
            continue
        taken.add(key)
        rows.append(
            {
                "kind": kind,
                "payload": payload,
                "dedupe_key": key,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "created_at": now,
            }
        )
    ids = bulk.insert_with_ids(OutboxMessage, rows)
    _stage(db.session(), _PENDING_IDS_KEY, ids)
    return ids


def enqueue_after_commit(message: OutboxMessage) -> None:
    """Hand an existing row (a staff retry) to the broker once the caller's transaction commits."""
    _stage(db.session(), _PENDING_KEY, [message])


def set_enqueuer(app: Flask, fn: EnqueueFn | None) -> None:
    """Register how ids reach the broker (the Celery wiring does); None leaves it to the sweep."""
    app.extensions["outbox_enqueue"] = fn


def _stage(session: Session, key: str, messages: list[Any]) -> None:
    """Remember messages to hand to the broker after the commit. The after-commit and rollback
    hooks are attached to this session only once it has staged something, so a commit that
    wrote no message (a page recording who viewed it) never runs this module."""
    session.info.setdefault(key, []).extend(messages)
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        _stage(session, _PENDING_KEY, new)


def _after_commit(session: Session) -> None:
    # The identity, not the attribute: reading an expired attribute here would start SQL.
    identities = (sa_inspect(m).identity for m in session.info.pop(_PENDING_KEY, []))
    ids = sorted(
        [identity[0] for identity in identities if identity]
        + session.info.pop(_PENDING_IDS_KEY, [])
    )
    if not ids:
        return
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:
        return
    if not app.config.get("OUTBOX_ENQUEUE_AFTER_COMMIT", True):
        return
    enqueue: EnqueueFn | None = app.extensions.get("outbox_enqueue")
    if enqueue is None:
        return
    try:
        enqueue(ids)
    except Exception:  # the sweep will deliver these; never fail the user's request
        log.warning("could not enqueue outbox messages %s; the sweep will", ids, exc_info=True)


def _after_rollback(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_PENDING_IDS_KEY, None)


def init_app(app: Flask) -> None:
    app.extensions.setdefault("outbox_enqueue", None)
    session_cls = db.session.session_factory.class_
    if not event.contains(session_cls, "before_flush", _before_flush):
        event.listen(session_cls, "before_flush", _before_flush)
