"""Two people accepting the last place at the same moment: real concurrent requests, each on its
own connection, against PostgreSQL. Exactly one gets it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from agency.extensions import db
from agency.models import Shift, ShiftBooking, ShiftOffer
from agency.services import shifts
from tests.shifts.conftest import ShiftScene, make_shift

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
    ),
    pytest.mark.commits,  # concurrent transactions on their own connections
]
WAIT_LIMIT = 30.0


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def side_connection(app: Flask) -> Iterator[Any]:
    """A connection of our own, outside the app's pool: it holds the shift's row lock."""
    engine = create_engine(db.engine.url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _waiting_on_locks(conn: Any) -> int:
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    )


def _wait_until(condition: Any) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the requests never reached the shift's row")
        time.sleep(0.01)  # polling a condition, not sleeping for a result


@pytest.mark.parametrize("people,places", [(2, 1), (6, 2)])
def test_concurrent_accepts_never_overbook(
    app: Flask,
    scene: ShiftScene,
    make_candidate: Any,
    side_connection: Any,
    people: int,
    places: int,
) -> None:
    workers = [*scene.workers, *(make_candidate() for _ in range(people - len(scene.workers)))]
    shift = make_shift(scene, headcount=places)
    offers = shifts.offer(shift, [w.id for w in workers[:people]], scene.staff)
    db.session.commit()
    links = [f"/shifts/offer/{shifts.offer_token(o)}" for o in offers]
    shift_id = shift.id
    db.session.remove()

    # Hold the shift's row so every request reaches its UPDATE and waits there together; then
    # let them all go at once. Without the conditional UPDATE, more than `places` would book.
    probe = side_connection.begin()
    side_connection.execute(
        text("SELECT id FROM shifts WHERE id = :id FOR UPDATE"), {"id": shift_id}
    )
    statuses: list[int] = []
    errors: list[BaseException] = []

    def accept(link: str) -> None:
        try:
            statuses.append(app.test_client().post(link).status_code)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(link,)) for link in links]
    for thread in threads:
        thread.start()
    watcher = create_engine(db.engine.url)
    with watcher.connect() as watch:
        _wait_until(lambda: _waiting_on_locks(watch) >= people)
    watcher.dispose()
    probe.commit()
    for thread in threads:
        thread.join(WAIT_LIMIT)
    assert errors == []
    assert sorted(statuses) == [200] * places + [409] * (people - places)
    db.session.expire_all()
    booked = (
        db.session.execute(db.select(ShiftBooking).where(ShiftBooking.shift_id == shift_id))
        .scalars()
        .all()
    )
    assert len(booked) == places
    fresh = db.session.get(Shift, shift_id)
    assert (fresh.booked_count, fresh.status) == (places, "filled")
    accepted = (
        db.session.execute(
            db.select(ShiftOffer).where(
                ShiftOffer.shift_id == shift_id, ShiftOffer.status == "accepted"
            )
        )
        .scalars()
        .all()
    )
    assert {o.candidate_id for o in accepted} == {b.candidate_id for b in booked}
