"""Staff type in a candidate who phoned in; the person claims the record from the e-mail."""

from __future__ import annotations

from typing import Any

import pytest

from agency.extensions import db
from agency.models import AuditEvent, Candidate, OutboxMessage, Role, Stage, User
from agency.services import link_secrets, pipeline
from tests.factories import PASSWORD

FORM = {
    "first_name": "Rosa",
    "last_name": "Diaz",
    "email": "rosa.diaz@example.com",
    "phone": "617 555 0142",
    "zip_code": "02139",
    "desired_role": "receptionist",
    "years_experience": "4",
}


def _entered() -> Candidate:
    return db.session.execute(
        db.select(Candidate).where(Candidate.first_name == "Rosa")
    ).scalar_one()


def _claim_path() -> str:
    message = db.session.execute(
        db.select(OutboxMessage).where(
            OutboxMessage.payload["template"].as_string() == "account_invitation"
        )
    ).scalar_one()
    assert message.payload["to"] == "rosa.diaz@example.com"
    url = link_secrets.open_context(message.payload["context"])["claim_url"]
    return url[url.index("/claim/") :]


def test_staff_enter_a_candidate_who_is_invited_to_claim_it(
    client: Any, staff: User, taxonomy: Any
) -> None:
    response = client.post("/staff/candidates/new", data=FORM)
    assert response.status_code == 302
    person = _entered()
    assert (person.entered_by_id, person.phone, person.zip_code) == (
        staff.id,
        "(617) 555-0142",
        "02139",
    )
    assert person.user.email == "rosa.diaz@example.com" and person.awaiting_claim
    assert person.consent_share_profile is False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "an invitation to claim the record went to rosa.diaz@example.com" in page
    assert "not claimed yet: cannot be submitted" in page
    assert _claim_path().startswith("/claim/")
    assert (
        db.session.execute(
            db.select(AuditEvent.actor_id).where(AuditEvent.action == "candidate_entered")
        ).scalar_one()
        == staff.id
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "This field is required."),
        ("email", "not-an-email", "Invalid email address."),
        ("phone", "12", "Enter a phone number like"),
        ("zip_code", "00000", "Enter a real 5-digit US ZIP code."),
        ("years_experience", "nan", "Not a valid integer value."),
    ],
)
def test_a_wrong_field_is_shown_next_to_it_and_nothing_is_saved(
    client: Any, staff: User, field: str, value: str, message: str
) -> None:
    response = client.post("/staff/candidates/new", data={**FORM, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="Diaz"' in page  # what staff typed is kept
    assert db.session.execute(db.select(Candidate)).first() is None
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_an_existing_e_mail_is_refused(client: Any, staff: User, make_user: Any) -> None:
    make_user(Role.CANDIDATE, email="rosa.diaz@example.com")
    page = client.post("/staff/candidates/new", data=FORM).get_data(as_text=True)
    assert "An account with this e-mail already exists" in page


def test_an_unclaimed_record_cannot_go_to_a_clinic_until_claimed(
    client: Any, staff: User, make_opening: Any, taxonomy: Any
) -> None:
    client.post("/staff/candidates/new", data=FORM)
    person, path = _entered(), _claim_path()
    application = pipeline.source(person, make_opening(), staff)
    db.session.commit()
    with pytest.raises(pipeline.PipelineError, match="has not claimed"):
        pipeline.move(application, Stage.SUBMITTED, staff, confirm_ineligible=True)
    db.session.rollback()

    client.post("/logout")
    assert "Set your password" in client.get(path).get_data(as_text=True)
    # The terms must be accepted; the typed password is not kept, the page says what is missing.
    refused = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert "Please accept the terms" in refused.get_data(as_text=True)
    response = client.post(
        path, data={"password": PASSWORD, "confirm": PASSWORD, "accept_terms": "y"}
    )
    assert response.status_code == 302
    assert client.get("/me/profile").status_code == 200  # logged in as the person
    db.session.expire_all()
    person = _entered()
    assert not person.awaiting_claim and person.consent_share_profile and person.consent_terms_at
    # The link works once.
    assert client.get(path).status_code == 302
    application = db.session.merge(application)
    pipeline.move(application, Stage.SUBMITTED, staff, confirm_ineligible=True)
    assert application.stage == Stage.SUBMITTED


def test_a_wrong_claim_link_sends_to_login(client: Any) -> None:
    response = client.get("/claim/not-a-token")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
