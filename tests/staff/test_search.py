"""Search: candidates by keyword, role, skill, credential, ZIP radius, availability; openings."""

from __future__ import annotations

from datetime import date, timedelta

from agency.extensions import db
from agency.models import CandidateSkill, Skill


def _names(client, **args) -> str:
    response = client.get("/staff/candidates", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_keyword_role_and_status(client, staff, scene, make_candidate) -> None:
    make_candidate(
        first_name="Sue",
        last_name="Secretary",
        desired_roles=["secretary"],
        summary="Medical transcription and coding",
    )
    html = _names(client, q="transcription")
    assert "Sue Secretary" in html and scene.near.full_name not in html
    html = _names(client, role="secretary")
    assert "Sue Secretary" in html and scene.other.full_name not in html
    html = _names(client, q=scene.near.user.email)
    assert scene.near.full_name in html and scene.other.full_name not in html


def test_skill_and_credential(client, staff, scene, make_candidate, make_credential) -> None:
    skill = db.session.execute(db.select(Skill).where(Skill.code == "medical_billing")).scalar_one()
    db.session.add(CandidateSkill(candidate_id=scene.other.id, skill_id=skill.id, level=3))
    db.session.commit()
    html = _names(client, skill="medical_billing", skill_level="3")
    assert scene.other.full_name in html and scene.near.full_name not in html
    assert scene.other.full_name not in _names(client, skill="medical_billing", skill_level="4")
    lapsed = make_candidate(first_name="Lee", last_name="Lapsed")
    make_credential(lapsed, "CPC", expires_on=date.today() - timedelta(days=1))
    html = _names(client, credential="CPC")
    # Valid (verified, not expired today) CPC only.
    assert scene.near.full_name in html and "Lee Lapsed" not in html


def test_zip_radius_and_availability(client, staff, scene, make_candidate) -> None:
    html = _names(client, zip_code="02139", radius="25")
    assert scene.near.full_name in html and scene.far.full_name not in html
    html = _names(client, zip_code="90012", radius="25")
    assert scene.far.full_name in html and scene.near.full_name not in html
    make_candidate(first_name="Mo", last_name="Mornings", availability_mask=0b001)
    html = _names(client, availability=["0"])
    assert "Mo Mornings" in html
    html = _names(client, availability=["0", "1"])
    assert "Mo Mornings" not in html and scene.near.full_name in html


def test_bad_search_input_gets_errors_not_500(client, staff, scene) -> None:
    for args in (
        {"zip_code": "00000", "radius": "5"},
        {"radius": "5"},
        {"radius": "far"},
        {"skill": "juggling"},
        {"availability": ["99"]},
        {"role": "surgeon"},
    ):
        response = client.get("/staff/candidates", query_string=args)
        assert response.status_code == 200, args
    assert client.get("/staff/candidates?page=-3").status_code == 200


def test_candidate_search_paginates(client, staff, make_candidate) -> None:
    for i in range(30):
        make_candidate(first_name="Pat", last_name=f"Page{i:02d}")
    first = _names(client)
    assert "Page 1 of 2" in first
    second = _names(client, page="2")
    assert second.count("Pat Page") == 5


def test_opening_search_by_clinic_role_status(client, staff, make_clinic, make_opening) -> None:
    a, b = make_clinic(name="Alder Clinic"), make_clinic(name="Birch Clinic")
    make_opening(clinic=a, title="Alder Receptionist")
    make_opening(clinic=b, title="Birch Secretary", role_type="secretary")
    make_opening(clinic=b, title="Birch Old", status="closed")
    html = client.get(f"/staff/openings?clinic={a.id}").get_data(as_text=True)
    assert "Alder Receptionist" in html and "Birch Secretary" not in html
    html = client.get("/staff/openings?role=secretary").get_data(as_text=True)
    assert "Birch Secretary" in html and "Alder Receptionist" not in html
    html = client.get("/staff/openings?status=closed").get_data(as_text=True)
    assert "Birch Old" in html and "Birch Secretary" not in html
    assert client.get("/staff/openings?clinic=99999").status_code == 200
    assert client.get("/staff/openings?status=sideways").status_code == 200


def test_typed_wildcards_match_themselves(
    client, staff, scene, make_candidate, make_clinic, make_opening
) -> None:
    make_candidate(first_name="Pia", last_name="Percent", summary="Hit 100% of coding targets")
    html = _names(client, q="100%")
    assert "Pia Percent" in html and scene.near.full_name not in html
    # Before, "%" and "_" were LIKE wildcards: a lone "%" listed every candidate.
    html = _names(client, q="%")
    assert "Pia Percent" in html and scene.near.full_name not in html
    assert scene.near.full_name not in _names(client, q="_")
    clinic = make_clinic(name="Oak_Tree Clinic")
    make_opening(clinic=clinic, title="Front desk")
    make_opening(clinic=make_clinic(name="Oak Tree Family"), title="Back office")
    html = client.get("/staff/openings?q=oak_tree").get_data(as_text=True)
    assert "Front desk" in html and "Back office" not in html
