"""Two people accepting the last place at the same moment: real concurrent requests, each on its
own connection, against PostgreSQL. Exactly one gets it."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from flask import Flask

from agency.extensions import db
from agency.models import Shift, ShiftBooking, ShiftOffer
from agency.services import shifts
from tests.concurrency import MARKS, backend, race_on_held_row
from tests.shifts.conftest import ShiftScene, make_shift

__all__ = ["backend"]
pytestmark = MARKS


@pytest.mark.parametrize("people,places", [(2, 1), (6, 2)])
def test_concurrent_accepts_never_overbook(
    app: Flask,
    scene: ShiftScene,
    make_candidate: Any,
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

    statuses: list[int] = []

    def accept(link: str) -> None:
        statuses.append(app.test_client().post(link).status_code)

    # Hold the shift's row so every request reaches its UPDATE and waits there together; then
    # let them all go at once. Without the conditional UPDATE, more than `places` would book.
    race_on_held_row(
        "SELECT id FROM shifts WHERE id = :id FOR UPDATE",
        {"id": shift_id},
        [functools.partial(accept, link) for link in links],
        "the shift's row",
    )
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
