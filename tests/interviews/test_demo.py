"""`make run`'s demo data has interviews on every side: the demo candidate's booked one at the
demo clinic, times waiting for another candidate, and a past one with its outcome."""

from __future__ import annotations

from flask import Flask

from agency.extensions import db
from agency.models import Interview, User, utcnow
from agency.services import demo, interviews
from tests.conftest import login


def test_the_demo_has_a_scheduled_interview_every_role_can_see(app: Flask) -> None:
    demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
    db.session.commit()
    rows = db.session.execute(db.select(Interview).order_by(Interview.id)).scalars().all()
    assert sorted(i.status for i in rows) == ["completed", "proposed", "scheduled"]
    booked = next(i for i in rows if i.status == "scheduled")
    assert booked.starts_at is not None and booked.starts_at > utcnow()
    assert booked.application.candidate.user.email == demo.CANDIDATE_EMAIL
    # The demo clinic's member reaches it from the opening page.
    clinic_user = db.session.execute(
        db.select(User).where(User.email == demo.CLINIC_EMAIL)
    ).scalar_one()
    assert booked.application.opening.clinic_id == clinic_user.clinic_id
    for email, path in (
        (demo.CLINIC_EMAIL, f"/clinic/openings/{booked.application.opening_id}"),
        (demo.CANDIDATE_EMAIL, "/me/interviews"),
        (demo.STAFF_EMAIL, "/staff/interviews"),
    ):
        client = app.test_client()
        assert login(client, email, demo.DEMO_PASSWORD).status_code == 302
        page = client.get(path)
        assert page.status_code == 200
        assert interviews.local_time(booked.starts_at, booked.application.opening.clinic) in (
            page.get_data(as_text=True)
        ), path
