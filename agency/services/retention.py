"""Retention clean-up: expired one-time tokens, old sent outbox rows, old files in instance/mail,
uploads kept for a form nobody came back to, imports never started."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete

from agency.extensions import db
from agency.models import AuthToken, OutboxMessage, OutboxStatus, utcnow
from agency.services import imports, pending_uploads

# Longer than any dedupe horizon (reminders look 60 days ahead): a purged key could send again.
SENT_DAYS = 90
TOKEN_GRACE_DAYS = 1
MAIL_FILE_DAYS = 30


@dataclass(frozen=True)
class Purged:
    tokens: int
    messages: int
    mail_files: int
    pending_uploads: int


def purge() -> Purged:
    """Delete what is past its retention and commit; idempotent."""
    now = utcnow()
    tokens = db.session.execute(
        delete(AuthToken).where(AuthToken.expires_at < now - timedelta(days=TOKEN_GRACE_DAYS))
    )
    messages = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at < now - timedelta(days=SENT_DAYS),
        )
    )
    imports.purge_abandoned()
    db.session.commit()
    return Purged(
        tokens=tokens.rowcount,  # type: ignore[attr-defined]
        messages=messages.rowcount,  # type: ignore[attr-defined]
        mail_files=_purge_mail_files(Path(current_app.config["MAIL_DIR"])),
        pending_uploads=pending_uploads.sweep(),
    )


def _purge_mail_files(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    cutoff = time.time() - MAIL_FILE_DAYS * 86400
    removed = 0
    for path in directory.glob("*.eml"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
