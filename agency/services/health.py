"""Health of the parts the site depends on, for /healthz and the operators' checks."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import text

from agency.extensions import db


def database_ok() -> tuple[bool, str]:
    try:
        db.session.execute(text("SELECT 1"))
        return True, db.engine.dialect.name
    except Exception as exc:  # any failure means "not healthy"; the reason is reported
        db.session.rollback()
        return False, type(exc).__name__


def broker_ok() -> tuple[bool, str]:
    checker = current_app.extensions.get("broker_check")
    if checker is None:
        return False, "not configured"
    try:
        return True, str(checker())
    except Exception as exc:  # the broker is down or unreachable
        return False, type(exc).__name__


def report() -> dict[str, Any]:
    db_up, db_info = database_ok()
    broker_up, broker_info = broker_ok()
    return {
        "status": "ok" if db_up and broker_up else "degraded",
        "database": {"ok": db_up, "info": db_info},
        "broker": {"ok": broker_up, "info": broker_info},
    }
