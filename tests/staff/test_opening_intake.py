"""Staff type in a job order a clinic gave by phone, with the clinic's own opening form."""

from __future__ import annotations

from typing import Any

from agency.extensions import db
from agency.models import AuditEvent, Opening, Role, User
from tests.clinics.test_post_opening import form_data


def _openings() -> list[Opening]:
    return list(db.session.execute(db.select(Opening).order_by(Opening.id)).scalars())


def test_staff_enter_an_opening_for_a_clinic_marked_with_who_entered_it(
    client: Any, staff: User, make_clinic: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    page = client.get("/staff/openings/new?role=secretary")
    assert page.status_code == 200
    assert clinic.name in page.get_data(as_text=True)
    response = client.post("/staff/openings/new", data=form_data(clinic_id=str(clinic.id)))
    assert response.status_code == 302
    [opening] = _openings()
    assert (opening.clinic_id, opening.entered_by_id, opening.status) == (
        clinic.id,
        staff.id,
        "open",
    )
    assert opening.title == "Front desk receptionist" and opening.positions == 2
    assert response.headers["Location"].endswith(f"/staff/openings/{opening.id}")
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "opening_created")
    ).scalar_one()
    assert event.actor_id == staff.id and event.details.get("entered") is True


def test_a_clinic_posting_itself_is_not_marked_as_entered(
    client: Any, make_clinic: Any, login_as: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    login_as(clinic.members[0])
    assert client.post("/clinic/openings/new", data=form_data()).status_code == 302
    [opening] = _openings()
    assert opening.entered_by_id is None and opening.created_by_id == clinic.members[0].id


def test_the_same_rules_as_the_clinics_form_and_input_is_kept(
    client: Any, staff: User, make_clinic: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    bad = form_data(clinic_id=str(clinic.id), pay_min="30", pay_max="20", title="Keep me")
    page = client.post("/staff/openings/new", data=bad).get_data(as_text=True)
    assert "The minimum pay is above the maximum." in page
    assert 'value="Keep me"' in page
    page = client.post(
        "/staff/openings/new", data=form_data(clinic_id=str(clinic.id), start_date="2001-01-01")
    ).get_data(as_text=True)
    assert "The start date cannot be in the past." in page
    assert _openings() == []


def test_only_an_approved_clinic_can_be_chosen(
    client: Any, staff: User, make_clinic: Any, taxonomy: Any
) -> None:
    waiting = make_clinic(approved=False)
    page = client.post("/staff/openings/new", data=form_data(clinic_id=str(waiting.id)))
    assert "Not a valid choice" in page.get_data(as_text=True)
    page = client.post("/staff/openings/new", data=form_data(clinic_id=""))
    assert "Choose the clinic." in page.get_data(as_text=True)
    assert _openings() == []


def test_clinics_and_candidates_cannot_enter_openings(
    client: Any, make_clinic: Any, make_user: Any, login_as: Any, taxonomy: Any
) -> None:
    clinic = make_clinic()
    login_as(clinic.members[0])
    assert client.get("/staff/openings/new").status_code == 403
    data = form_data(clinic_id=str(clinic.id))
    assert client.post("/staff/openings/new", data=data).status_code == 403
    login_as(make_user(Role.CANDIDATE))
    assert client.post("/staff/openings/new", data=data).status_code == 403
    assert _openings() == []
