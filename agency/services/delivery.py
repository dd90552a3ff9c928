"""Deliver outbox messages: claim, act once, record the outcome; retry with backoff, then dead."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, utcnow
from agency.services import mail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 120


def backoff(attempts: int) -> timedelta:
    """About 30 s after the first failure, doubling, capped at 2 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 7200))


def due_message_ids(limit: int = 500) -> list[int]:
    now = utcnow()
    rows = db.session.execute(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    ).scalars()
    return list(rows)


def _claim(message_id: int) -> OutboxMessage | None:
    """Take the message for this worker, or None if it is sent, dead or held by another."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
            (OutboxMessage.locked_until.is_(None)) | (OutboxMessage.locked_until < now),
        )
        .values(
            status=OutboxStatus.SENDING.value,
            locked_until=now + timedelta(seconds=CLAIM_SECONDS),
            attempts=OutboxMessage.attempts + 1,
        )
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(OutboxMessage, message_id)


def _perform(message: OutboxMessage) -> None:
    if message.kind == "email":
        payload = message.payload
        msg = mail.build(payload["template"], payload["to"], payload["context"], message.dedupe_key)
        mail.send(msg)
    else:
        # Kinds without a handler yet are recorded as done so they do not block the queue.
        log.info("outbox kind %s has no handler; marking sent", message.kind)


def deliver(message_id: int) -> bool:
    """Deliver one message; True if it was sent by this call."""
    message = _claim(message_id)
    if message is None:
        return False
    try:
        _perform(message)
    except Exception as exc:  # any failure is retried; the error is kept for staff
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.locked_until = None
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.DEAD.value
        else:
            message.status = OutboxStatus.PENDING.value
            message.next_attempt_at = utcnow() + backoff(message.attempts)
        db.session.commit()
        return False
    message.status = OutboxStatus.SENT.value
    message.sent_at = utcnow()
    message.locked_until = None
    message.last_error = ""
    db.session.commit()
    return True
