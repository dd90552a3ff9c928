"""Shifts as the services run them: requesting, offering, the first accept winning, canceling,
reminders and the unfilled alert."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agency.extensions import db
from agency.models import EmploymentType, OutboxMessage, ShiftOffer, utcnow
from agency.services import shifts
from agency.services.shifts import ShiftError, ShiftRequest
from tests.shifts.conftest import ShiftScene, book, make_shift


def emails(template: str) -> list[dict[str, Any]]:
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [m.payload for m in rows.scalars() if m.payload.get("template") == template]


def staff_events(event: str) -> list[OutboxMessage]:
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "notify_staff"))
    return [m for m in rows.scalars() if m.payload.get("event") == event]


def test_a_requested_shift_is_stored_in_utc_from_the_clinics_local_time(
    scene: ShiftScene, make_clinic: Any, make_opening: Any
) -> None:
    denver = make_clinic(zip_code="80202", city="Denver", state="CO", lat=39.75, lon=-104.99)
    assert denver.time_zone == "America/Denver"
    opening = make_opening(denver, employment_type=EmploymentType.TEMP)
    day = date.today() + timedelta(days=10)
    shift = shifts.request_shift(
        denver,
        ShiftRequest(opening.id, day, time(8, 0), time(16, 30), 30, 2, "Side door"),
        denver.members[0],
    )
    db.session.commit()
    local = shift.starts_at.astimezone(ZoneInfo("America/Denver"))
    assert (local.date(), local.hour, local.minute) == (day, 8, 0)
    assert shift.starts_at.utcoffset() == timedelta(0)
    assert shift.paid_minutes == 8 * 60
    assert "08:00 AM - 04:30 PM M" in shifts.when(shift)  # MST or MDT, the clinic's zone
    assert staff_events("shift_requested")


def test_a_night_shift_ends_the_next_morning(scene: ShiftScene) -> None:
    day = date.today() + timedelta(days=5)
    shift = shifts.request_shift(
        scene.clinic,
        ShiftRequest(scene.opening.id, day, time(22, 0), time(6, 0)),
        scene.member,
    )
    assert shift.ends_at - shift.starts_at == timedelta(hours=8)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"day": date.today() - timedelta(days=1)}, "day"),
        ({"break_minutes": 600}, "break_minutes"),
        ({"start": time(6, 0), "end": time(23, 30)}, "end"),
    ],
)
def test_a_bad_request_names_the_field(
    scene: ShiftScene, change: dict[str, Any], field: str
) -> None:
    base = {
        "opening_id": scene.opening.id,
        "day": date.today() + timedelta(days=3),
        "start": time(9, 0),
        "end": time(17, 0),
    }
    with pytest.raises(ShiftError) as raised:
        shifts.request_shift(scene.clinic, ShiftRequest(**{**base, **change}), scene.member)
    assert raised.value.field == field


def test_permanent_openings_and_other_clinics_openings_take_no_shifts(
    scene: ShiftScene, make_opening: Any
) -> None:
    permanent = make_opening(scene.clinic, employment_type=EmploymentType.PERMANENT)
    foreign = make_opening(employment_type=EmploymentType.TEMP)
    day = date.today() + timedelta(days=3)
    for opening in (permanent, foreign):
        with pytest.raises(ShiftError):
            shifts.request_shift(
                scene.clinic, ShiftRequest(opening.id, day, time(9), time(17)), scene.member
            )
    assert [o.id for o in shifts.shift_openings(scene.clinic)] == [scene.opening.id]


def test_the_first_to_accept_gets_it_and_the_others_are_told(scene: ShiftScene) -> None:
    shift = make_shift(scene)
    offers = shifts.offer(shift, [w.id for w in scene.workers], scene.staff)
    db.session.commit()
    sent = emails("shift_offer")
    assert len(sent) == 3 and all("/shifts/offer/" in e["context"]["accept_url"] for e in sent)
    # Notes for the worker are in the offer; nothing staff wrote is.
    assert sent[0]["context"]["notes"] == shift.notes

    first = shifts.accept(offers[1])
    assert first.booked and first.booking is not None
    db.session.refresh(shift)
    assert (shift.status, shift.booked_count) == ("filled", 1)
    late = shifts.accept(db.session.get(ShiftOffer, offers[0].id))
    assert late.outcome == "taken"
    statuses = {o.candidate_id: db.session.get(ShiftOffer, o.id).status for o in offers}
    assert statuses == {
        scene.workers[0].id: "taken",
        scene.workers[1].id: "accepted",
        scene.workers[2].id: "taken",
    }
    told = {e["to"] for e in emails("shift_taken")}
    assert told == {scene.workers[0].user.email, scene.workers[2].user.email}
    assert [e["to"] for e in emails("shift_booked")] == [scene.workers[1].user.email]
    assert [e["to"] for e in emails("shift_booked_clinic")] == [scene.member.email]


def test_a_booked_worker_cannot_take_a_shift_within_the_rest_period(scene: ShiftScene) -> None:
    worker = scene.workers[0]
    morning = make_shift(scene, starts_in=timedelta(days=3))
    book(morning, worker)
    # Starts 6 hours after the first one ends: less than the 10 hours of rest.
    evening = make_shift(scene, starts_in=timedelta(days=3, hours=14))
    (offer,) = shifts.offer(evening, [worker.id], scene.staff)
    assert shifts.accept(offer).outcome == "conflict"
    later = make_shift(scene, starts_in=timedelta(days=4, hours=4))  # 20 hours later
    (offer,) = shifts.offer(later, [worker.id], scene.staff)
    assert shifts.accept(offer).booked


def test_a_cancelled_or_started_shift_cannot_be_accepted(scene: ShiftScene) -> None:
    shift = make_shift(scene)
    (offer,) = shifts.offer(shift, [scene.workers[0].id], scene.staff)
    shifts.cancel_shift(shift, "clinic", "The doctor is away", scene.member)
    db.session.commit()
    assert db.session.get(ShiftOffer, offer.id).status == "withdrawn"
    assert shifts.accept(offer).outcome == "gone"


def test_a_workers_cancellation_inside_24_hours_is_late(scene: ShiftScene) -> None:
    soon, later = make_shift(scene, timedelta(hours=20)), make_shift(scene, timedelta(days=4))
    late_booking = book(soon, scene.workers[0])
    early_booking = book(later, scene.workers[0])
    shifts.cancel_booking(late_booking, "worker", "Sick", scene.workers[0].user)
    shifts.cancel_booking(early_booking, "worker", "Moving", scene.workers[0].user)
    db.session.commit()
    assert late_booking.late_cancellation and not early_booking.late_cancellation
    db.session.refresh(soon)
    assert (soon.status, soon.booked_count) == ("open", 0)  # a gap again, staff told
    assert len(staff_events("shift_gap")) == 2


def test_staff_cancelling_a_booking_is_never_the_workers_late_cancellation(
    scene: ShiftScene,
) -> None:
    booking = book(make_shift(scene, timedelta(hours=5)), scene.workers[0])
    shifts.cancel_booking(booking, "staff", "Clinic closed early", scene.staff)
    db.session.commit()
    assert not booking.late_cancellation
    assert [e["to"] for e in emails("shift_cancelled")] == [scene.workers[0].user.email]


def test_reminders_24_and_2_hours_before_each_once(scene: ShiftScene) -> None:
    shift = make_shift(scene, timedelta(hours=30))
    book(shift, scene.workers[0])
    now = utcnow()
    assert shifts.stage_reminders(now) == 0  # 30 hours ahead: nothing yet
    assert shifts.stage_reminders(now + timedelta(hours=7)) == 1  # 23 hours ahead
    assert shifts.stage_reminders(now + timedelta(hours=8)) == 0  # the 24-hour one is sent
    assert shifts.stage_reminders(now + timedelta(hours=28, minutes=30)) == 1  # 1.5 h ahead
    assert shifts.stage_reminders(now + timedelta(hours=29)) == 0
    assert sorted(e["context"]["hours"] for e in emails("shift_reminder")) == [2, 24]


def test_a_missed_scan_sends_only_the_nearer_reminder(scene: ShiftScene) -> None:
    book(make_shift(scene, timedelta(hours=1)), scene.workers[0])
    assert shifts.stage_reminders() == 1
    assert [e["context"]["hours"] for e in emails("shift_reminder")] == [2]


def test_an_unfilled_shift_48_hours_ahead_alerts_staff_once(scene: ShiftScene) -> None:
    gap = make_shift(scene, timedelta(hours=40))
    filled = make_shift(scene, timedelta(hours=30))
    book(filled, scene.workers[0])
    make_shift(scene, timedelta(days=5))  # too far ahead yet
    assert shifts.alert_unfilled() == 1
    assert shifts.alert_unfilled() == 0
    (event,) = staff_events("shift_unfilled")
    assert event.payload["shift_id"] == gap.id


def test_after_the_shift_the_clinic_is_asked_once_with_a_one_click_link(
    scene: ShiftScene,
) -> None:
    shift = make_shift(scene, -timedelta(hours=9), hours=8)
    booking = book(shift, scene.workers[0])
    assert shifts.ask_attendance() == 1
    assert shifts.ask_attendance() == 0
    (mail,) = emails("shift_attendance")
    assert mail["to"] == scene.member.email
    token = mail["context"]["mark_url"].rsplit("/", 1)[1]
    found = shifts.read_attendance_token(token)
    assert found is not None and found[0].id == booking.id
    assert shifts.read_attendance_token(token[:-2] + "xx") is None


def test_calendar_rows_show_each_user_only_their_shifts(
    scene: ShiftScene, make_clinic: Any
) -> None:
    mine = make_shift(scene)
    other_clinic = make_clinic()
    book(mine, scene.workers[0])
    rows = shifts.upcoming_shifts_for(scene.workers[0].user)
    assert [r.uid for r in rows] == [f"shift-{mine.id}@clinicmatch"]
    assert rows[0].time_zone == "America/New_York" and rows[0].description == mine.notes
    assert shifts.upcoming_shifts_for(scene.workers[1].user) == []
    assert len(shifts.upcoming_shifts_for(scene.member)) == 1
    assert shifts.upcoming_shifts_for(other_clinic.members[0]) == []
    assert len(shifts.upcoming_shifts_for(scene.staff)) == 1
