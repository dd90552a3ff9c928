"""Real concurrent transactions against PostgreSQL, each on its own connection and thread.

`race_on_held_row` holds one row's lock on a connection of its own, starts every contender, waits
until all of them queue on that lock, then lets them go together: the moment a race is decided.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from agency.extensions import db

MARKS = [
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
    ),
    pytest.mark.commits,  # concurrent transactions on their own connections
]
WAIT_LIMIT = 30.0


@pytest.fixture
def backend() -> str:
    return "postgresql"


def waiting_on_locks(conn: Any) -> int:
    """How many connections to this database wait on a lock now. The transaction ends here:
    PostgreSQL keeps one snapshot of pg_stat_activity per transaction, so a poll inside one
    transaction would see the first answer forever."""
    try:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )
    finally:
        conn.rollback()


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the contenders never reached {what}")
        time.sleep(0.01)  # polling a condition, not sleeping for a result


def race_on_held_row(
    lock_sql: str, params: Mapping[str, Any], contenders: list[Callable[[], None]], what: str
) -> None:
    """Run every contender on its own thread while `lock_sql` (a SELECT ... FOR UPDATE) holds
    the row they all want; release it once each waits on a lock, and wait for them to finish.
    A contender's exception fails the test (raised here, not lost on its thread)."""
    errors: list[BaseException] = []

    def run(contender: Callable[[], None]) -> None:
        try:
            contender()
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    engine = create_engine(db.engine.url)  # outside the app's pool
    try:
        with engine.connect() as holder, engine.connect() as watch:
            held = holder.begin()
            holder.execute(text(lock_sql), dict(params))
            threads = [threading.Thread(target=run, args=(c,)) for c in contenders]
            for thread in threads:
                thread.start()
            try:
                _wait_until(
                    lambda: bool(errors) or waiting_on_locks(watch) >= len(contenders), what
                )
            finally:
                held.commit()
            for thread in threads:
                thread.join(WAIT_LIMIT)
    finally:
        engine.dispose()
    assert errors == []
