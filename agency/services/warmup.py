"""Load, before a server forks its workers, what each would otherwise load on a first request.

gunicorn (scripts/gunicorn.conf.py, `when_ready`) and the Celery worker (workers/app.py,
`celeryd_after_setup`) call `warm_before_fork` in the parent process: the children inherit the
candidate pool, the compiled open openings and the ZIP table copy-on-write, and no first
request waits ~16 s for a pool build at 100,000 candidates, ~1.5 s for 2,000 openings or
~0.6 s for the ZIP table. A cold start is only slower, never
wrong.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask

from agency.extensions import db
from agency.services import geo, password_policy
from agency.services.engine import engine


def warm(app: Flask) -> dict[str, float]:
    """Seconds spent per part. Closes the database connections: a connection must never be
    shared across a fork."""
    spent: dict[str, float] = {}
    started = time.perf_counter()
    geo.load_table()
    spent["zip table"] = time.perf_counter() - started
    started = time.perf_counter()
    # Compiling a page's templates costs a first visitor 1-2 s; compiled once here instead.
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        app.jinja_env.get_template(name)
    spent["templates"] = time.perf_counter() - started
    started = time.perf_counter()
    # A sign-up's first validation would otherwise import email_validator (its regexes compile
    # on import) and read the common-password list.
    import email_validator  # noqa: F401

    password_policy.common_passwords()
    spent["form checks"] = time.perf_counter() - started
    started = time.perf_counter()
    with app.app_context():
        try:
            with engine().pool():  # built on the way in
                pass
            spent["candidate pool"] = time.perf_counter() - started
            started = time.perf_counter()
            engine().opening_index()
            spent["open openings"] = time.perf_counter() - started
        finally:
            db.session.remove()
            for db_engine in db.engines.values():
                db_engine.dispose()
    return spent


def warm_before_fork(app: Flask, log: Any, children: str) -> None:
    """`warm`, logged to `log` (a logging.Logger, or gunicorn's); WARM_POOL=0 turns it off.
    A failure is logged, never raised: the children then load on first use."""
    if os.environ.get("WARM_POOL", "1") != "1":
        return
    try:
        spent = warm(app)
    except Exception:
        log.exception("could not warm up before forking the %s", children)
        return
    described = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in spent.items())
    log.info("warmed up before forking the %s: %s", children, described)
