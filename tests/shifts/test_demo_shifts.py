"""The demo agency has shifts on every shift screen: past ones with attendance, upcoming
bookings, open gaps and an offer waiting for the demo candidate."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from agency.extensions import db
from agency.models import Candidate, Clinic, Shift, ShiftBooking, ShiftOffer, User, utcnow
from agency.services import demo, reliability


def test_the_demo_has_shifts_with_records_bookings_and_gaps(app: Flask, client: Any) -> None:
    demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
    db.session.commit()
    now = utcnow()
    shifts = db.session.execute(select(Shift)).scalars().all()
    assert any(s.status == "open" and s.starts_at > now for s in shifts)  # gaps
    bookings = db.session.execute(select(ShiftBooking)).scalars().all()
    assert any(b.attendance == "no_show" for b in bookings)
    assert any(b.late_cancellation for b in bookings)
    assert any(b.shift.starts_at > now and b.status == "booked" for b in bookings)
    assert all(c.time_zone for c in db.session.execute(select(Clinic)).scalars())

    user = db.session.execute(select(User).where(User.email == demo.CANDIDATE_EMAIL)).scalar_one()
    candidate = db.session.execute(
        select(Candidate).where(Candidate.user_id == user.id)
    ).scalar_one()
    assert reliability.record_of(candidate.id).shifts >= 4
    assert db.session.execute(
        select(ShiftOffer).where(ShiftOffer.candidate_id == candidate.id)
    ).first()
    assert (
        client.post(
            "/login", data={"email": demo.CANDIDATE_EMAIL, "password": demo.DEMO_PASSWORD}
        ).status_code
        == 302
    )
    page = client.get("/me/shifts").get_data(as_text=True)
    assert "Accept" in page and "shifts, 1 late arrival" in page
