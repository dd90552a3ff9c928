"""The web app's logs: a request id on every line, one access line per request.

Each module logs through its own `logging.getLogger(__name__)`. Where the lines go is the
process's choice, not the app factory's: `configure()` is called once by the entry point that
serves or runs commands (agency/wsgi.py: `flask run`, the `flask` commands and gunicorn), so
tests and tools that build apps leave the process's logging alone.

The request id is the caller's `X-Request-Id` when it is a plain token (a proxy's id then links
both logs), else a new one; the response carries it back.
"""

from __future__ import annotations

import logging
import logging.config
import re
import time
import uuid

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

HEADER = "X-Request-Id"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

access_log = logging.getLogger("agency.access")


def request_id() -> str:
    """The current request's id, or "-" outside a request (commands, workers)."""
    if has_request_context():
        return str(g.get("request_id", "-"))
    return "-"


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` for the format, whichever library logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


def configure(level: str = "INFO") -> None:
    """Send every logger's lines to stderr with the request id (the process's entry point calls
    this once)."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {"plain": {"format": FORMAT}},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "filters": ["request_id"],
                    "formatter": "plain",
                }
            },
            "root": {"level": level, "handlers": ["stderr"]},
            # Alembic's plugin loader says which plugins it found at every start.
            "loggers": {"alembic.runtime.plugins": {"level": "WARNING"}},
        }
    )


def _user_id() -> int | None:
    # Only a user the request already loaded: the access line never costs a query.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return getattr(user, "id", None)
    token = g.get("api_token")
    return getattr(token, "user_id", None)


def _start() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if _PLAIN_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    if access_log.isEnabledFor(logging.INFO):
        started = g.get("request_started")
        ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        access_log.info(
            "%s %s %s %.0fms user=%s",
            request.method,
            request.path,
            response.status_code,
            ms,
            _user_id() or "-",
        )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
