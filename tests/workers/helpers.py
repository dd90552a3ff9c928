"""Small helpers shared by the background-work tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from agency.extensions import db
from agency.models import OutboxMessage
from agency.services import outbox


def stage_email(key: str, to: str = "person@example.com", **extra: Any) -> None:
    """Stage one essential e-mail (the password-reset template) in the current transaction."""
    context = {"reset_url": f"http://127.0.0.1:5000/reset/{key}", "minutes": 60}
    outbox.email("password_reset", to, context, key, essential=True, **extra)


def message(key: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.execute(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
    ).scalar_one()


def all_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
