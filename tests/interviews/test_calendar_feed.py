"""The private calendar feed: a secret address per user (only its hash kept, reset makes the old
one stop), listing the interviews that user takes part in, in their own words."""

from __future__ import annotations

import hashlib
import re

from flask import Flask
from icalendar import Calendar

from agency.extensions import db
from agency.models import CalendarFeed, Role
from agency.services import calendar_feed
from tests import factories
from tests.interviews.conftest import Scene, book_first, client_for, propose


def _feed_token(app: Flask, user: object) -> str:
    client = client_for(app, user)  # type: ignore[arg-type]
    page = client.post("/account/calendar").get_data(as_text=True)
    found = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", page)
    assert found, page
    return found.group(1)


def _events(app: Flask, token: str) -> list[object]:
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_each_party_sees_the_interview_in_their_words(app: Flask, scene: Scene) -> None:
    interview = book_first(scene, propose(scene))
    candidate_events = _events(app, _feed_token(app, scene.candidate_user))
    clinic_events = _events(app, _feed_token(app, scene.clinic_user))
    staff_events = _events(app, _feed_token(app, scene.staff))
    for events in (candidate_events, clinic_events, staff_events):
        assert [str(e["UID"]) for e in events] == [interview.uid]
        assert events[0].decoded("DTSTART") == interview.starts_at
        assert events[0]["DTSTART"].params["TZID"] == "America/New_York"
    assert "Harbor Family Practice" in str(candidate_events[0]["SUMMARY"])
    assert str(clinic_events[0]["SUMMARY"]).startswith("Interview with Rosa Q.")
    clinic_ics = app.test_client().get(f"/calendar/{_feed_token(app, scene.clinic_user)}.ics")
    assert b"Quintana" not in clinic_ics.data
    assert "Rosa Quintana" in str(staff_events[0]["SUMMARY"])


def test_strangers_feeds_do_not_show_it(app: Flask, scene: Scene) -> None:
    book_first(scene, propose(scene))
    other_clinic_user = scene.other_clinic.members[0]
    assert _events(app, _feed_token(app, other_clinic_user)) == []
    stranger = scene.other_candidate.user
    assert _events(app, _feed_token(app, stranger)) == []


def test_a_proposal_is_not_on_the_calendar_until_booked(app: Flask, scene: Scene) -> None:
    interview = propose(scene)
    token = _feed_token(app, scene.candidate_user)
    assert _events(app, token) == []
    book_first(scene, interview)
    assert len(_events(app, token)) == 1


def test_only_a_hash_is_kept_and_reset_kills_the_old_address(app: Flask, scene: Scene) -> None:
    first = _feed_token(app, scene.candidate_user)
    row = db.session.execute(db.select(CalendarFeed)).scalar_one()
    assert row.token_hash == hashlib.sha256(first.encode()).hexdigest()
    assert first not in repr(db.session.execute(db.select(CalendarFeed.__table__)).all())
    second = _feed_token(app, scene.candidate_user)
    assert second != first
    assert app.test_client().get(f"/calendar/{first}.ics").status_code == 404
    assert app.test_client().get(f"/calendar/{second}.ics").status_code == 200
    # The settings page never shows the address again, only that one exists.
    page = client_for(app, scene.candidate_user).get("/account/calendar").get_data(as_text=True)
    assert second not in page and "Reset the address" in page


def test_unknown_garbled_or_deactivated_addresses_answer_404(app: Flask, scene: Scene) -> None:
    client = app.test_client()
    for token in ("nope", "x" * 500, "%00", "a.b"):
        assert client.get(f"/calendar/{token}.ics").status_code == 404
    token = _feed_token(app, scene.candidate_user)
    scene.candidate_user.active = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_source_can_take_more_kinds_of_events(app: Flask, scene: Scene) -> None:
    """Shifts will add a source; the feed merges every source's events in time order."""
    interview = book_first(scene, propose(scene))
    staff = factories.UserFactory()(Role.STAFF)
    events = calendar_feed.events_for(staff)
    assert [e.uid for e in events] == [interview.uid]
    body = calendar_feed.feed(staff).decode()
    assert "BEGIN:VTIMEZONE" in body and "METHOD" not in body
