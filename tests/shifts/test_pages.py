"""The shift pages of each role, with their access rules: a clinic reaches only its own shifts,
a candidate only their own offers and bookings, and nobody outside the agency reads staff's
words."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agency.extensions import db
from agency.models import Shift, ShiftBooking, ShiftOffer
from agency.services import shifts
from tests.conftest import login
from tests.shifts.conftest import ShiftScene, book, make_shift


def _form(day: date, **overrides: Any) -> dict[str, Any]:
    data = {
        "day": day.isoformat(),
        "start": "08:00",
        "end": "16:30",
        "break_minutes": "30",
        "headcount": "2",
        "notes": "Ask for Dana at the front desk",
    }
    data.update(overrides)
    return data


def test_a_clinic_requests_a_shift(scene: ShiftScene, client: Any, login_as: Any) -> None:
    login_as(scene.member)
    day = date.today() + timedelta(days=6)
    assert client.get("/clinic/shifts/new").status_code == 200
    response = client.post("/clinic/shifts/new", data=_form(day, opening_id=str(scene.opening.id)))
    assert response.status_code == 302
    shift = db.session.execute(db.select(Shift)).scalar_one()
    assert (shift.headcount, shift.notes) == (2, "Ask for Dana at the front desk")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "08:00 AM - 04:30 PM E" in page  # the clinic's zone (EST or EDT)
    listing = client.get("/clinic/shifts").get_data(as_text=True)
    assert f"/clinic/shifts/{shift.id}" in listing


def test_a_bad_shift_request_shows_the_error_next_to_the_field_and_keeps_the_input(
    scene: ShiftScene, client: Any, login_as: Any
) -> None:
    login_as(scene.member)
    yesterday = date.today() - timedelta(days=1)
    response = client.post(
        "/clinic/shifts/new", data=_form(yesterday, opening_id=str(scene.opening.id))
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="day-error"' in page and "must start in the future" in page
    assert "Ask for Dana at the front desk" in page
    assert db.session.execute(db.select(Shift)).first() is None
    garbage = client.post(
        "/clinic/shifts/new",
        data=_form(yesterday, opening_id="999999999999", start="25:99", headcount="-4"),
    )
    assert garbage.status_code == 200
    assert db.session.execute(db.select(Shift)).first() is None


def test_a_clinic_sees_and_acts_only_on_its_own_shifts(
    scene: ShiftScene, client: Any, make_clinic: Any, make_opening: Any
) -> None:
    shift = make_shift(scene)
    other = make_clinic()
    assert login(client, other.members[0].email).status_code == 302
    assert client.get(f"/clinic/shifts/{shift.id}").status_code == 404
    assert client.post(f"/clinic/shifts/{shift.id}/cancel", data={"reason": "x"}).status_code == 404
    booking = book(shift, scene.workers[0])
    url = f"/clinic/shifts/{shift.id}/bookings/{booking.id}/attendance"
    assert client.post(url, data={"outcome": "no_show"}).status_code == 404
    assert f"/clinic/shifts/{shift.id}" not in client.get("/clinic/shifts").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).status == "filled"
    assert db.session.get(ShiftBooking, booking.id).attendance is None


def test_the_clinic_marks_attendance_after_the_shift(
    scene: ShiftScene, client: Any, login_as: Any
) -> None:
    shift = make_shift(scene, starts_in=-timedelta(hours=10))
    booking = book(shift, scene.workers[0])
    login_as(scene.member)
    page = client.get(f"/clinic/shifts/{shift.id}").get_data(as_text=True)
    assert "Worker0 L." in page  # the name as the portal shows it
    url = f"/clinic/shifts/{shift.id}/bookings/{booking.id}/attendance"
    assert client.post(url, data={"outcome": "late"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ShiftBooking, booking.id).attendance == "late"
    # Staff corrected it: the clinic can no longer change it, and never reads staff's reason.
    shifts.correct_attendance(
        db.session.get(ShiftBooking, booking.id), "attended", "Bus strike, agreed", scene.staff
    )
    db.session.commit()
    client.post(url, data={"outcome": "no_show"})
    db.session.expire_all()
    assert db.session.get(ShiftBooking, booking.id).attendance == "attended"
    assert "Bus strike" not in client.get(f"/clinic/shifts/{shift.id}").get_data(as_text=True)


def test_a_candidate_accepts_only_their_own_offer(scene: ShiftScene, client: Any) -> None:
    shift = make_shift(scene)
    mine, theirs = shifts.offer(shift, [scene.workers[0].id, scene.workers[1].id], scene.staff)
    db.session.commit()
    assert login(client, scene.workers[0].user.email).status_code == 302
    assert client.post(f"/me/shifts/offers/{theirs.id}/accept").status_code == 404
    assert client.post(f"/me/shifts/offers/{theirs.id}/decline").status_code == 404
    page = client.get("/me/shifts").get_data(as_text=True)
    assert f"/me/shifts/offers/{mine.id}/accept" in page
    assert f"/me/shifts/offers/{theirs.id}/" not in page
    assert client.post(f"/me/shifts/offers/{mine.id}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(ShiftOffer, theirs.id).status == "taken"
    page = client.get("/me/shifts").get_data(as_text=True)
    assert shift.notes in page and "No shifts yet" in page


def test_a_candidate_cancels_their_booking_with_a_reason(
    scene: ShiftScene, client: Any, login_as: Any
) -> None:
    booking = book(make_shift(scene, timedelta(hours=12)), scene.workers[0])
    other = book(make_shift(scene, timedelta(days=5)), scene.workers[1])
    login_as(scene.workers[0].user)
    empty = client.post(f"/me/shifts/bookings/{booking.id}/cancel", data={"reason": ""})
    assert empty.status_code == 200 and "Say why you cancel." in empty.get_data(as_text=True)
    foreign = client.post(f"/me/shifts/bookings/{other.id}/cancel", data={"reason": "x"})
    assert foreign.status_code == 404
    done = client.post(f"/me/shifts/bookings/{booking.id}/cancel", data={"reason": "Flu"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ShiftBooking, booking.id).late_cancellation
    assert db.session.get(ShiftBooking, other.id).status == "booked"
    assert "1 late cancellation" in client.get("/me/shifts").get_data(as_text=True)


def test_the_offer_link_works_without_a_login_and_only_with_a_good_signature(
    scene: ShiftScene, client: Any
) -> None:
    shift = make_shift(scene)
    first, second = shifts.offer(shift, [scene.workers[0].id, scene.workers[1].id], scene.staff)
    db.session.commit()
    token = shifts.offer_token(first)
    assert client.get(f"/shifts/offer/{token[:-3]}abc").status_code == 404
    page = client.get(f"/shifts/offer/{token}")  # a mail scanner's GET books nothing
    assert page.status_code == 200 and "Accept this shift" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).booked_count == 0
    assert client.post(f"/shifts/offer/{token}").status_code == 200
    taken = client.post(f"/shifts/offer/{shifts.offer_token(second)}")
    assert taken.status_code == 409
    assert "someone else accepted this shift first" in taken.get_data(as_text=True)


def test_staff_week_lists_gaps_first_and_offers_from_the_proposals(
    scene: ShiftScene, client: Any, login_as: Any
) -> None:
    filled = make_shift(scene, timedelta(days=1, hours=1))
    book(filled, scene.workers[2])
    gap = make_shift(scene, timedelta(days=1, hours=3))
    login_as(scene.staff)
    week = client.get(f"/staff/shifts?week={filled.starts_at.date().isoformat()}")
    html = week.get_data(as_text=True)
    assert html.index(f"/staff/shifts/{gap.id}") < html.index(f"/staff/shifts/{filled.id}")
    page = client.get(f"/staff/shifts/{gap.id}").get_data(as_text=True)
    assert f'data-proposal="{scene.workers[0].id}"' in page
    assert client.post(f"/staff/shifts/{gap.id}/offer", data={}).status_code == 200
    response = client.post(
        f"/staff/shifts/{gap.id}/offer",
        data={"candidate_ids": [str(scene.workers[0].id), str(scene.workers[1].id)]},
    )
    assert response.status_code == 302
    offers = db.session.execute(db.select(ShiftOffer).where(ShiftOffer.shift_id == gap.id))
    assert len(offers.scalars().all()) == 2
    assert client.get("/staff/shifts?week=not-a-date").status_code == 200


def test_roles_outside_a_page_are_refused(scene: ShiftScene, app: Any) -> None:
    shift = make_shift(scene)
    assert app.test_client().get("/me/shifts").status_code == 302  # to the login page
    clinic = app.test_client()
    assert login(clinic, scene.member.email).status_code == 302
    assert clinic.get("/me/shifts").status_code == 403
    assert clinic.get(f"/staff/shifts/{shift.id}").status_code == 403
    worker = app.test_client()
    assert login(worker, scene.workers[0].user.email).status_code == 302
    assert worker.get("/clinic/shifts").status_code == 403
    assert worker.get("/staff/shifts").status_code == 403


def test_erasure_frees_upcoming_places_and_exports_the_record(
    scene: ShiftScene, client: Any, login_as: Any
) -> None:
    worker = scene.workers[0]
    upcoming = make_shift(scene)
    book(upcoming, worker)
    past = make_shift(scene, starts_in=-timedelta(days=2))
    booking = book(past, worker, attendance="attended")
    shifts.correct_attendance(
        booking, "attended", "Internal: checked the sign-in sheet", scene.staff
    )
    db.session.commit()
    login_as(worker.user)
    exported = client.post("/me/export").get_json()
    assert [b["attendance"] for b in exported["shift_bookings"]] == [None, "attended"]
    assert "sign-in sheet" not in str(exported)
    from tests.factories import PASSWORD

    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    reopened = db.session.get(Shift, upcoming.id)
    assert (reopened.status, reopened.booked_count) == ("open", 0)
    assert db.session.get(ShiftBooking, booking.id).attendance == "attended"  # the record stays
