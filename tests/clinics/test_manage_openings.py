"""Editing, holding, closing, reopening and duplicating openings; the clinic profile; access."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.models import Opening, OutboxMessage, Role
from tests.clinics.test_post_opening import form_data


@pytest.fixture
def clinic(make_clinic: Any, login_as: Any, taxonomy: Any) -> Any:
    clinic = make_clinic()
    login_as(clinic.members[0])
    return clinic


def rescore_keys() -> list[str]:
    return list(
        db.session.execute(
            db.select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "rescore_opening")
        ).scalars()
    )


def test_edit_form_is_prefilled_and_saving_requests_a_new_rescore(
    client: Any, clinic: Any, make_opening: Any
) -> None:
    opening = make_opening(clinic, title="Front desk lead")
    page = client.get(f"/clinic/openings/{opening.id}/edit").get_data(as_text=True)
    assert 'value="Front desk lead"' in page and 'value="18.00"' in page
    response = client.post(
        f"/clinic/openings/{opening.id}/edit", data=form_data(title="Front desk lead (AM)")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Opening, opening.id).title == "Front desk lead (AM)"
    first = rescore_keys()
    assert len(first) == 1
    client.post(f"/clinic/openings/{opening.id}/edit", data=form_data(positions="3"))
    assert len(rescore_keys()) == 2  # a new version of the opening, a new rescore


def test_edit_keeps_a_start_date_that_has_passed_but_refuses_a_new_past_one(
    client: Any, clinic: Any, make_opening: Any
) -> None:
    started = date.today() - timedelta(days=5)
    opening = make_opening(clinic, start_date=started)
    ok = client.post(
        f"/clinic/openings/{opening.id}/edit", data=form_data(start_date=started.isoformat())
    )
    assert ok.status_code == 302
    earlier = (started - timedelta(days=1)).isoformat()
    bad = client.post(f"/clinic/openings/{opening.id}/edit", data=form_data(start_date=earlier))
    assert "cannot be in the past" in bad.get_data(as_text=True)


def test_hold_close_reopen(client: Any, clinic: Any, make_opening: Any) -> None:
    opening = make_opening(clinic)

    def status() -> str:
        db.session.expire_all()
        return db.session.get(Opening, opening.id).status

    client.post(f"/clinic/openings/{opening.id}/status", data={"action": "hold"})
    assert status() == "on_hold"
    assert client.get(f"/jobs/{opening.id}").status_code == 200  # own clinic still previews
    client.post(f"/clinic/openings/{opening.id}/status", data={"action": "reopen"})
    assert status() == "open"
    client.post(f"/clinic/openings/{opening.id}/status", data={"action": "close"})
    assert status() == "closed"
    # Holding a closed opening is not a move: refused with a message, nothing changes.
    response = client.post(
        f"/clinic/openings/{opening.id}/status", data={"action": "hold"}, follow_redirects=True
    )
    assert "cannot be changed that way" in response.get_data(as_text=True)
    assert status() == "closed"
    assert (
        client.post(f"/clinic/openings/{opening.id}/status", data={"action": "x"}).status_code
        == 400
    )
    assert len(rescore_keys()) == 3


def test_closed_opening_leaves_the_job_board(client: Any, clinic: Any, make_opening: Any) -> None:
    opening = make_opening(clinic, title="Unique Title Zebra")
    assert "Unique Title Zebra" in client.get("/jobs").get_data(as_text=True)
    client.post(
        f"/clinic/openings/{opening.id}/status", data={"action": "close"}, follow_redirects=True
    )
    assert "Unique Title Zebra" not in client.get("/jobs").get_data(as_text=True)


def test_duplicate_prefills_a_new_opening_and_saves_a_second_one(
    client: Any, clinic: Any, make_opening: Any
) -> None:
    opening = make_opening(
        clinic, title="Billing secretary", start_date=date.today() - timedelta(days=30)
    )
    page = client.get(f"/clinic/openings/{opening.id}/duplicate").get_data(as_text=True)
    assert 'value="Billing secretary (copy)"' in page
    assert f'value="{date.today().isoformat()}"' in page  # an old start date moves to today
    assert 'action="/clinic/openings/new"' in page
    assert db.session.scalar(db.select(db.func.count(Opening.id))) == 1  # nothing saved yet
    client.post("/clinic/openings/new", data=form_data(title="Billing secretary (copy)"))
    assert db.session.scalar(db.select(db.func.count(Opening.id))) == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/clinic/openings/{id}"),
        ("get", "/clinic/openings/{id}/edit"),
        ("post", "/clinic/openings/{id}/edit"),
        ("get", "/clinic/openings/{id}/duplicate"),
        ("post", "/clinic/openings/{id}/status"),
    ],
)
def test_another_clinics_opening_is_not_found(
    client: Any, clinic: Any, make_clinic: Any, make_opening: Any, method: str, path: str
) -> None:
    foreign = make_opening(make_clinic())
    data = {"action": "close", **form_data()} if method == "post" else None
    for opening_id in (foreign.id, 999_999, 10**30):
        response = getattr(client, method)(path.format(id=opening_id), data=data)
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Opening, foreign.id).status == "open"


def test_other_roles_cannot_use_the_clinic_area(
    client: Any, make_user: Any, make_candidate: Any, login_as: Any
) -> None:
    assert client.get("/clinic/").status_code == 302  # anonymous: to the login page
    login_as(make_candidate().user)
    assert client.get("/clinic/").status_code == 403
    assert client.get("/clinic/openings/new").status_code == 403
    client.post("/logout")
    login_as(make_user(Role.STAFF))
    assert client.get("/clinic/profile").status_code == 403


def test_profile_sets_coordinates_from_the_zip(client: Any, clinic: Any) -> None:
    page = client.get("/clinic/profile").get_data(as_text=True)
    assert clinic.name in page
    response = client.post(
        "/clinic/profile",
        data={
            "name": "Harbor Pediatrics",
            "address_line": "1 Main St",
            "zip_code": "10001",
            "specialty": "Pediatrics",
            "ehr_system": "cerner",
            "phone": "212 555 0100",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    db.session.refresh(clinic)
    assert clinic.name == "Harbor Pediatrics" and clinic.zip_code == "10001"
    assert clinic.city.lower() == "new york" and clinic.state == "NY"
    assert 40.6 < clinic.lat < 40.8 and -74.1 < clinic.lon < -73.9
    assert clinic.phone == "(212) 555-0100" and clinic.ehr_system == "cerner"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("zip_code", "00000", "real 5-digit US ZIP"),
        ("zip_code", "abcde", "real 5-digit US ZIP"),
        ("phone", "12", "phone number like"),
        ("ehr_system", "excel", "Not a valid choice"),
        ("name", "", "This field is required"),
        ("state", "Massachusetts", "exactly 2 characters"),
    ],
)
def test_profile_bad_input(client: Any, clinic: Any, field: str, value: str, message: str) -> None:
    data = {"name": "Harbor Pediatrics", "zip_code": "02139", field: value}
    response = client.post("/clinic/profile", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert 'value="Harbor Pediatrics"' in page or field == "name"
