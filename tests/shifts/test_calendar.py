"""A booked shift is on the worker's and the clinic's private calendar feeds, in the clinic's
time zone; a canceled one turns into a canceled event; strangers never see it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from icalendar import Calendar

from agency.extensions import db
from agency.models import User
from agency.services import calendar_feed
from tests.shifts.conftest import ShiftScene, book, make_shift


def _events(app: Flask, user: User) -> list[Any]:
    token = calendar_feed.reset(user)
    db.session.commit()
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return [e for e in Calendar.from_ical(response.data).walk("VEVENT")]


def test_a_booked_shift_is_on_the_workers_and_the_clinics_feeds(
    app: Flask, scene: ShiftScene
) -> None:
    shift = make_shift(scene, starts_in=timedelta(days=2))
    worker, stranger = scene.workers[0], scene.workers[1]
    book(shift, worker)
    for user in (worker.user, scene.member, scene.staff):
        (event,) = [e for e in _events(app, user) if str(e["UID"]).startswith("shift-")]
        assert str(event["UID"]) == f"shift-{shift.id}@clinicmatch"
        assert event.decoded("DTSTART") == shift.starts_at
        assert event["DTSTART"].params["TZID"] == scene.clinic.time_zone
        assert "park on Elm Street" in str(event["DESCRIPTION"])
    assert [e for e in _events(app, stranger.user) if str(e["UID"]).startswith("shift-")] == []


def test_a_cancelled_shift_becomes_a_cancelled_event_with_a_higher_sequence(
    app: Flask, scene: ShiftScene
) -> None:
    shift = make_shift(scene, starts_in=timedelta(days=2))
    book(shift, scene.workers[0])
    (before,) = _events(app, scene.member)
    shift.status = "cancelled"
    shift.updated_at = shift.updated_at + timedelta(seconds=5)
    db.session.commit()
    (after,) = _events(app, scene.member)
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
