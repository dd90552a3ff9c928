"""The demo agency has a money side: rate cards, rates on bookings, and weeks of timesheets in
every state the screens show."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import select

from agency.extensions import db
from agency.models import Clinic, RateCard, ShiftBooking, Timesheet
from agency.services import demo


def test_the_demo_has_rates_and_timesheets(app: Flask, client: Any) -> None:
    demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
    db.session.commit()
    clinics = db.session.execute(select(Clinic.id)).scalars().all()
    cards = db.session.execute(select(RateCard)).scalars().all()
    assert {c.clinic_id for c in cards} == set(clinics)
    assert all(c.bill_rate > c.pay_rate for c in cards)
    bookings = db.session.execute(select(ShiftBooking)).scalars().all()
    assert all(b.pay_rate is not None and b.bill_rate is not None for b in bookings)
    sheets = db.session.execute(select(Timesheet)).scalars().all()
    states = Counter(s.status for s in sheets)
    assert states["approved"] >= 10 and states["submitted"] == 3 and states["disputed"] == 1
    approved = [s for s in sheets if s.status == "approved"]
    assert all(s.bill_amount > s.pay_amount > 0 for s in approved)
    weeks = {s.started_at.isocalendar()[:2] for s in approved}
    assert len(weeks) >= 3
    assert (
        client.post(
            "/login", data={"email": demo.CLINIC_EMAIL, "password": demo.DEMO_PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/clinic/timesheets?show=all").status_code == 200
