"""A US agency never offers the UK's systems and qualifications: not in the choices of clinics
and candidates, not among the chips a pasted ad fills in, not in the demo. A UK agency does."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from agency.extensions import db
from agency.models import Candidate, Credential, CredentialType, Opening
from agency.services import demo, openings

UK_NAMES = ("EMIS", "SystmOne", "Vision (UK GP)", "Lorenzo", "Medway", "AMSPAR", "ECDL", "NVQ")
UK_CODES = {"emis", "systmone", "vision", "lorenzo", "medway", "docman"}
UK_CREDENTIALS = {"AMSPAR", "ECDL", "NVQ_ADMIN", "RSA_OCR"}
AD = (
    "Medical Receptionist\n\nGreet patients, answer phones and schedule appointments. "
    "You will use EMIS Web and SystmOne; AMSPAR or NVQ level 2 in business admin and ECDL "
    "welcome. Epic experience a plus."
)


@pytest.fixture
def clinic_member(make_clinic: Any, taxonomy: Any) -> Any:
    return make_clinic().members[0]


def _no_uk_names(html: str) -> list[str]:
    return [name for name in UK_NAMES if name in html]


def test_clinic_and_candidate_forms_offer_no_uk_entries(
    client: FlaskClient, login_as: Any, clinic_member: Any, make_candidate: Any
) -> None:
    login_as(clinic_member)
    for page in ("/clinic/openings/new?role=receptionist", "/clinic/profile"):
        html = client.get(page).get_data(as_text=True)
        assert "athenahealth" in html or page.endswith("profile")
        assert _no_uk_names(html) == [], page
    client.post("/logout")
    login_as(make_candidate().user)
    for page in ("/me/profile", "/me/credentials"):
        html = client.get(page).get_data(as_text=True)
        assert _no_uk_names(html) == [], page
    assert "NextGen" in client.get("/me/profile").get_data(as_text=True)


def test_a_pasted_ad_fills_no_uk_chips(app: Any, taxonomy: Any) -> None:
    draft, findings = openings.draft_from_text(AD)
    assert draft.ehr_systems == ["epic"]
    assert draft.credentials == []
    assert _no_uk_names(" ".join(findings.ehr + findings.credentials)) == []


def test_a_uk_agency_sees_its_own_entries(app: Any, taxonomy: Any) -> None:
    app.config["COUNTRY"] = "GB"
    draft, _findings = openings.draft_from_text(AD)
    assert {"emis", "systmone", "epic"} <= set(draft.ehr_systems)
    assert "AMSPAR" in draft.credentials


def test_the_demo_holds_no_uk_entries(app: Any) -> None:
    demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
    db.session.commit()
    for opening in db.session.execute(select(Opening)).scalars():
        assert UK_CODES.isdisjoint(opening.ehr_systems), opening.title
        assert _no_uk_names(opening.description) == [], opening.title
    for candidate in db.session.execute(select(Candidate)).scalars():
        assert UK_CODES.isdisjoint(candidate.ehr_systems)
        assert _no_uk_names(candidate.resume_text) == []
    held = db.session.execute(
        select(CredentialType.code).join(
            Credential, Credential.credential_type_id == CredentialType.id
        )
    ).scalars()
    assert UK_CREDENTIALS.isdisjoint(held)
