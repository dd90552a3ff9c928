"""Posting an opening: approval, defaults from the role profile, paste-to-fill, every rule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.models import AuditEvent, Opening, OutboxMessage
from matching.taxonomy import load_taxonomy

START = (date.today() + timedelta(days=10)).isoformat()


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid opening form; the role profile's top skills at their default levels."""
    data: dict[str, Any] = {
        "title": "Front desk receptionist",
        "role_type": "receptionist",
        "description": "Greet patients and schedule visits.",
        "employment_type": "permanent",
        "positions": "2",
        "start_date": START,
        "pay_min": "19.50",
        "pay_max": "24",
        "min_typing_wpm": "40",
        "schedule": ["0", "1", "3", "4"],
        "credentials": ["CMAA"],
        "ehr_systems": ["epic"],
        "languages": ["english", "spanish"],
        "level_appointment_scheduling": "3",
        "weight_appointment_scheduling": "essential",
        "level_customer_service": "2",
        "weight_customer_service": "high",
        "publish": "Save and publish",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def clinic_user(make_clinic: Any, login_as: Any, taxonomy: Any) -> Any:
    clinic = make_clinic()
    login_as(clinic.members[0])
    return clinic.members[0]


def openings() -> list[Opening]:
    return list(db.session.execute(db.select(Opening)).scalars())


def outbox_kinds() -> list[tuple[str, dict[str, Any], str]]:
    rows = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
    return [(m.kind, m.payload, m.dedupe_key) for m in rows]


def test_unapproved_clinic_sees_waiting_state_and_cannot_post(
    client: Any, make_clinic: Any, login_as: Any, taxonomy: Any
) -> None:
    clinic = make_clinic(approved=False)
    login_as(clinic.members[0])
    page = client.get("/clinic/").get_data(as_text=True)
    assert "Waiting for approval" in page
    assert "Post an opening" not in page
    for response in (
        client.get("/clinic/openings/new"),
        client.get("/clinic/openings/new?role=receptionist"),
        client.post("/clinic/openings/new", data=form_data()),
        client.post("/clinic/openings/new/paste", data={"text": "Medical receptionist " * 5}),
    ):
        assert response.status_code == 403
        assert "waiting for approval" in response.get_data(as_text=True)
    assert openings() == []


def test_start_page_offers_paste_and_roles(client: Any, clinic_user: Any) -> None:
    page = client.get("/clinic/openings/new").get_data(as_text=True)
    assert "Paste your job description" in page
    assert "/clinic/openings/new?role=secretary" in page


def test_role_form_is_prefilled_from_the_role_profile(client: Any, clinic_user: Any) -> None:
    page = client.get("/clinic/openings/new?role=secretary").get_data(as_text=True)
    reqs = load_taxonomy().default_requirements("secretary")
    top = max(reqs, key=lambda code: reqs[code][1])
    level = reqs[top][0]
    # The top skill's level select has the default level chosen.
    select = page.split(f'id="level_{top}"')[1].split("</select>")[0]
    assert f'selected value="{level}"' in select or f'value="{level}" selected' in select
    assert 'value="secretary" checked' in page or 'checked id="role_type-1"' in page


def test_posting_writes_opening_and_outbox_rows_in_one_go(client: Any, clinic_user: Any) -> None:
    response = client.post("/clinic/openings/new", data=form_data())
    assert response.status_code == 302
    [opening] = openings()
    assert response.headers["Location"].endswith(f"/clinic/openings/{opening.id}")
    assert opening.status == "open" and opening.posted_at is not None
    assert opening.clinic_id == clinic_user.clinic_id
    assert opening.pay_min == 19.5 and opening.pay_max == 24
    assert opening.shift_mask == 0b11011
    assert opening.languages == ["english", "spanish"]
    assert {s.skill.code: s.min_level for s in opening.skills} == {
        "appointment_scheduling": 3,
        "customer_service": 2,
    }
    assert {s.skill.code: s.weight for s in opening.skills}["appointment_scheduling"] == 1.0
    assert [c.credential_type.code for c in opening.credentials] == ["CMAA"]
    kinds = outbox_kinds()
    assert kinds[0][0] == "rescore_opening" and kinds[0][1] == {"opening_id": opening.id}
    assert kinds[0][2].startswith(f"rescore-opening:{opening.id}:")
    assert ("notify_staff", {"event": "opening_posted", "opening_id": opening.id}) in [
        (k, p) for k, p, _ in kinds
    ]
    assert db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "opening_created")
    ).scalar_one()


def test_save_as_draft_is_not_public_and_does_not_tell_staff(client: Any, clinic_user: Any) -> None:
    data = form_data(publish=None, save_draft="Save as draft")
    assert client.post("/clinic/openings/new", data=data).status_code == 302
    [opening] = openings()
    assert opening.status == "draft"
    assert [k for k, _, _ in outbox_kinds()] == ["rescore_opening"]
    assert client.get(f"/jobs/{opening.id}").status_code == 200  # its own clinic may preview
    client.post("/logout")
    assert client.get(f"/jobs/{opening.id}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pay_min": "30", "pay_max": "20"}, "pay_min", "minimum pay is above the maximum"),
        ({"start_date": "2001-01-01"}, "start_date", "cannot be in the past"),
        ({"end_date": (date.today() + timedelta(days=2)).isoformat()}, "end_date", "on or after"),
        ({"start_date": "not-a-date"}, "start_date", "Not a valid date"),
        ({"start_date": "99999-01-01"}, "start_date", "Not a valid date"),
        ({"start_date": None}, "start_date", "This field is required"),
        ({"title": ""}, "title", "This field is required"),
        ({"title": "\x00"}, "title", "Remove the invisible NUL character"),
        ({"positions": "0"}, "positions", "between 1 and 50"),
        ({"positions": "9" * 5000}, "positions", "Not a valid integer"),
        ({"pay_min": "abc"}, "pay_min", "Not a valid decimal"),
        ({"pay_min": "NaN"}, "pay_min", "Enter a number"),
        ({"pay_max": "Infinity"}, "pay_max", "Enter a number"),
        ({"pay_max": "1e308"}, "pay_max", "between 0 and 500"),
        ({"pay_min": "-5"}, "pay_min", "between 0 and 500"),
        ({"min_typing_wpm": "900"}, "min_typing_wpm", "between 0 and 200"),
        ({"role_type": "surgeon"}, "role_type", "Not a valid choice"),
        ({"employment_type": "forever"}, "employment_type", "Not a valid choice"),
        ({"schedule": ["0", "99"]}, "schedule", "not a valid choice"),
        ({"schedule": ["abc"]}, "schedule", "not a valid choice"),
        ({"credentials": ["FAKE"]}, "credentials", "not a valid choice"),
        ({"ehr_systems": ["excel"]}, "ehr_systems", "not a valid choice"),
        (
            {"level_appointment_scheduling": "9"},
            "level_appointment_scheduling",
            "Not a valid choice",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_with_input_kept(
    client: Any, clinic_user: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = client.post("/clinic/openings/new", data=form_data(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field}-error"')
    assert len(error) > 1 or field in ("schedule", "level_appointment_scheduling"), page[:200]
    assert message.lower() in page.lower()
    # The rest of the input is kept.
    assert 'value="Front desk receptionist"' in page or "title" in overrides
    assert openings() == []
    assert outbox_kinds() == []


def test_paste_fills_the_form_for_review_without_saving(client: Any, clinic_user: Any) -> None:
    text = (
        "Medical Secretary\n\n"
        "Busy cardiology practice seeks a medical secretary for medical records, "
        "transcription of dictation and correspondence with referring physicians. "
        "Must have CPC certification and know ICD-10 and CPT coding. Epic experience "
        "required. Bilingual English/Spanish preferred. Typing 60 wpm."
    )
    response = client.post("/clinic/openings/new/paste", data={"text": text})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "We filled the form from your description" in page
    assert 'value="Medical Secretary"' in page
    assert 'value="secretary" checked' in page or 'checked id="role_type-1"' in page
    assert (
        'value="CPC" checked' in page
        or 'checked id="credentials' in page.split('value="CPC"')[0][-80:]
    )
    assert 'value="60"' in page  # typing speed
    assert "Nothing is saved yet" in page
    assert openings() == [] and outbox_kinds() == []
    # The form posts to the normal save; saving it works.
    assert 'action="/clinic/openings/new"' in page


def test_paste_needs_some_text(client: Any, clinic_user: Any) -> None:
    for text in ("", "too short"):
        page = client.post("/clinic/openings/new/paste", data={"text": text}).get_data(as_text=True)
        assert 'id="text-error"' in page
    big = "receptionist " * 3000
    page = client.post("/clinic/openings/new/paste", data={"text": big}).get_data(as_text=True)
    assert 'id="text-error"' in page
