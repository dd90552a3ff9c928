"""The profile form, the availability grid, skill levels and the progress message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Candidate, CandidateSkill, OutboxMessage, Skill
from agency.services import profiles

VALID = {
    "first_name": "Ana",
    "last_name": "Silva",
    "phone": "617 555 0199",
    "zip_code": "02139",
    "commute_miles": "12",
    "desired_roles": ["receptionist", "hybrid"],
    "min_pay": "21.50",
    "availability": ["0", "1", "3", "4", "20"],
    "years_experience": "4",
    "typing_wpm": "60",
    "ehr_systems": ["epic", "athenahealth"],
    "languages": ["english", "spanish"],
    "summary": "Front desk lead.",
}


def _reload(candidate: Candidate) -> Candidate:
    db.session.expire_all()
    return db.session.get(Candidate, candidate.id)


def test_profile_page_shows_the_week_grid_from_the_mask(client: FlaskClient, signed_in) -> None:
    signed_in.availability_mask = (1 << 0) | (1 << 20)  # Monday morning, Sunday evening
    db.session.commit()
    html = client.get("/me/profile").get_data(as_text=True)
    assert 'value="0" checked' in html and 'value="20" checked' in html
    assert 'value="1" checked' not in html
    assert "Monday morning" in html and "Sunday evening" in html  # labels for screen readers


def test_saving_the_profile_stores_every_field(client: FlaskClient, signed_in) -> None:
    response = client.post("/me/profile", data=VALID)
    assert response.status_code == 302
    c = _reload(signed_in)
    assert (c.first_name, c.last_name, c.phone) == ("Ana", "Silva", "(617) 555-0199")
    assert c.zip_code == "02139" and c.lat and c.lon
    assert c.commute_miles == 12 and c.min_pay == Decimal("21.50")
    assert c.desired_roles == ["hybrid", "receptionist"]
    assert c.availability_mask == 0b1 | 0b10 | 0b1000 | 0b10000 | (1 << 20)
    assert profiles.bits_from_mask(c.availability_mask) == [0, 1, 3, 4, 20]
    assert c.typing_wpm == 60 and c.years_experience == 4
    assert c.ehr_systems == ["athenahealth", "epic"] and c.languages == ["english", "spanish"]
    assert c.summary == "Front desk lead."


def test_saving_requests_a_rescore_through_the_outbox(client: FlaskClient, signed_in) -> None:
    client.post("/me/profile", data=VALID)
    rows = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert [(r.kind, r.payload) for r in rows] == [
        ("rescore_candidate", {"candidate_id": signed_in.id})
    ]
    assert rows[0].dedupe_key.startswith(f"rescore-candidate:{signed_in.id}:")


def test_saving_leads_to_the_next_missing_step(client: FlaskClient, signed_in) -> None:
    # The factory candidate has no skills yet: after the profile comes the skills page.
    response = client.post("/me/profile", data=VALID)
    assert response.headers["Location"].endswith("/me/skills")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("zip_code", "00000", "real 5-digit US ZIP"),
        ("zip_code", "abcde", "real 5-digit US ZIP"),
        ("phone", "12", "phone number like"),
        ("commute_miles", "0", "Between 1 and 100"),
        ("commute_miles", "99999999999999999999999", "Between 1 and 100"),
        ("commute_miles", "ten", "Not a valid integer"),
        ("min_pay", "-1", "Between $0 and $500"),
        ("min_pay", "nan", "Enter a number"),
        ("min_pay", "Infinity", "Enter a number"),
        ("min_pay", "1e9", "Between $0 and $500"),
        ("min_pay", "abc", "Not a valid decimal"),
        ("years_experience", "61", "Between 0 and 60"),
        ("typing_wpm", "999", "Between 5 and 250"),
        ("first_name", "", "This field is required"),
        ("first_name", "x" * 101, "longer than 100"),
        ("summary", "x" * 2001, "longer than 2000"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(
    client: FlaskClient, signed_in, field: str, value: str, message: str
) -> None:
    before = _reload(signed_in).first_name
    response = client.post("/me/profile", data={**VALID, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'id="{field}-error"' in html  # the message sits next to its field
    assert "Silva" in html  # other input is kept
    assert _reload(signed_in).first_name == before  # nothing saved


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("availability", ["21"]),
        ("availability", ["-1"]),
        ("availability", ["x"]),
        ("desired_roles", ["surgeon"]),
        ("desired_roles", []),
        ("ehr_systems", ["not-a-system"]),
        ("languages", ["klingon"]),
    ],
)
def test_bad_choices_are_refused(client: FlaskClient, signed_in, field: str, value: Any) -> None:
    response = client.post("/me/profile", data={**VALID, field: value})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True) or "field-error" in (
        response.get_data(as_text=True)
    )
    assert _reload(signed_in).first_name != "Ana"


def test_skills_are_saved_grouped_and_level_zero_removes(client: FlaskClient, signed_in) -> None:
    skills = {s.code: s for s in db.session.execute(db.select(Skill)).scalars()}
    html = client.get("/me/skills").get_data(as_text=True)
    assert "Insurance verification" in html and "Coding (ICD-10, CPT, HCPCS)" in html
    data = {
        f"skill_{skills['appointment_scheduling'].id}": "4",
        f"skill_{skills['customer_service'].id}": "2",
    }
    assert client.post("/me/skills", data=data).status_code == 302
    levels = {cs.skill.code: cs.level for cs in _reload(signed_in).skills}
    assert levels == {"appointment_scheduling": 4, "customer_service": 2}
    data[f"skill_{skills['appointment_scheduling'].id}"] = "0"
    client.post("/me/skills", data=data)
    levels = {cs.skill.code: (cs.level, cs.source) for cs in _reload(signed_in).skills}
    assert levels == {"customer_service": (2, "self")}


@pytest.mark.parametrize("value", ["5", "-1", "expert", "99999999999999999999"])
def test_skill_level_outside_0_to_4_is_refused(client: FlaskClient, signed_in, value) -> None:
    skill = db.session.execute(db.select(Skill).limit(1)).scalar_one()
    response = client.post("/me/skills", data={f"skill_{skill.id}": value})
    assert response.status_code == 200
    assert f'id="skill_{skill.id}-error"' in response.get_data(as_text=True)
    assert db.session.execute(db.select(CandidateSkill)).first() is None


def test_progress_message_names_the_next_step(signed_in, make_credential) -> None:
    c = signed_in
    assert profiles.completeness(c).message == "Profile 55% complete: rate at least three skills"
    c.resume_path = "resumes/x.pdf"
    for skill in db.session.execute(db.select(Skill).limit(3)).scalars():
        c.skills.append(CandidateSkill(skill=skill, level=2))
    db.session.commit()
    assert profiles.completeness(c).message == "Profile 90% complete: add your credentials"
    make_credential(c, "CMAA")
    db.session.refresh(c)
    assert profiles.completeness(c).message == "Profile 100% complete"


def test_dashboard_shows_progress(client: FlaskClient, signed_in) -> None:
    html = client.get("/me").get_data(as_text=True)
    assert "Profile 55% complete: rate at least three skills" in html
    assert '<progress class="score-bar progress-bar" max="100" value="55"' in html
