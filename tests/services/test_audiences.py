"""Three audiences: staff reasons stay with staff, a clinic's words with the agency, and the
candidate reads only what was written for them. The clinic sees a curated submittal."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import (
    Application,
    CredentialType,
    OpeningCredential,
    OutboxMessage,
    Role,
    StageChange,
)
from agency.services import mail, pipeline
from tests.conftest import login

STAFF_REASON = "Not a fit: rude on the phone screen"
CLINIC_DETAILS = "Wants twice our rate, says the office manager"


@pytest.fixture
def scene(app: Any, taxonomy: Any, make_user: Any, make_clinic: Any, make_opening: Any) -> Any:
    class Scene:
        staff = make_user(Role.STAFF)
        clinic = make_clinic()
        opening = make_opening(clinic, title="Medical Secretary")

    return Scene


def client_for(app: Any, user: Any) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def mails_to(email: str) -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [m for m in rows.scalars() if m.payload["to"] == email]


def rendered(message: OutboxMessage) -> str:
    """The whole e-mail as its reader gets it: subject, text and HTML parts."""
    msg = mail.build(
        message.payload["template"], message.payload["to"], message.payload["context"], "k"
    )
    parts = [str(msg["Subject"])]
    parts += [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
    return "\n".join(parts)


def require(opening: Any, code: str) -> None:
    ctype = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == code)
    ).scalar_one()
    db.session.add(OpeningCredential(opening_id=opening.id, credential_type_id=ctype.id))
    db.session.commit()


def test_a_staff_rejection_reason_never_reaches_the_candidate(
    app: Any, scene: Any, make_candidate: Any, make_application: Any
) -> None:
    nora = make_candidate(first_name="Nora", last_name="Applicant")
    application = make_application(nora, scene.opening)
    pipeline.move(application, "rejected", scene.staff, reason=STAFF_REASON)
    db.session.commit()

    me = client_for(app, nora.user)
    for path in ("/me", f"/me/applications/{application.id}"):
        page = me.get(path).get_data(as_text=True)
        assert pipeline.AGENCY_REJECTED in page, path
        assert "rude on the phone" not in page, path
    (message,) = mails_to(nora.user.email)
    text = rendered(message)
    assert pipeline.AGENCY_REJECTED in text and "rude on the phone" not in text
    exported = me.post("/me/export").get_data(as_text=True)
    assert "rude on the phone" not in exported
    # Staff still read their colleague's words, marked as theirs alone.
    staff_page = client_for(app, scene.staff).get(f"/staff/applications/{application.id}")
    assert f"Reason (staff only): {STAFF_REASON}" in staff_page.get_data(as_text=True)


def test_the_clinic_never_shows_a_staff_reason_as_its_own_decline(
    app: Any, scene: Any, make_candidate: Any
) -> None:
    nora = make_candidate(first_name="Nora", last_name="Sourced")
    application = pipeline.source(nora, scene.opening, scene.staff)
    pipeline.move(application, "submitted", scene.staff)
    pipeline.move(application, "rejected", scene.staff, reason=STAFF_REASON)
    db.session.commit()
    page = client_for(app, scene.clinic.members[0]).get(f"/clinic/openings/{scene.opening.id}")
    html = page.get_data(as_text=True)
    assert "Nora S." in html and "Withdrawn by the agency" in html
    assert "rude on the phone" not in html and "Declined" not in html


def test_the_clinics_decline_details_reach_the_agency_not_the_candidate(
    app: Any, scene: Any, make_candidate: Any, make_application: Any
) -> None:
    nora = make_candidate(first_name="Nora", last_name="Applicant")
    application = make_application(nora, scene.opening)
    pipeline.move(application, "submitted", scene.staff)
    db.session.commit()
    clinic = client_for(app, scene.clinic.members[0])
    form = clinic.get(f"/clinic/openings/{scene.opening.id}").get_data(as_text=True)
    assert "(optional; read by the agency only, never the candidate)" in form
    clinic.post(
        f"/clinic/applications/{application.id}/move",
        data={"to_stage": "rejected", "reason": "Skills do not match", "details": CLINIC_DETAILS},
    )
    change = db.session.execute(
        db.select(StageChange).where(StageChange.to_stage == "rejected")
    ).scalar_one()
    assert change.reason_audience == "clinic"

    me = client_for(app, nora.user)
    for path in ("/me", f"/me/applications/{application.id}"):
        page = me.get(path).get_data(as_text=True)
        assert pipeline.CLINIC_DECLINED in page, path
        assert "twice our rate" not in page and "Skills do not match" not in page, path
    rejection = [m for m in mails_to(nora.user.email) if "not selected" in rendered(m)]
    (message,) = rejection
    assert pipeline.CLINIC_DECLINED in rendered(message)
    assert "twice our rate" not in rendered(message)
    # The clinic reads its own reason back; the agency reads it, marked as the clinic's.
    html = clinic.get(f"/clinic/openings/{scene.opening.id}").get_data(as_text=True)
    assert "Declined" in html and CLINIC_DETAILS in html
    staff_page = client_for(app, scene.staff).get(f"/staff/applications/{application.id}")
    assert f"Reason (read by the clinic): Skills do not match: {CLINIC_DETAILS}" in (
        staff_page.get_data(as_text=True)
    )


def test_people_the_agency_sourced_and_rejected_never_hear_of_it(
    app: Any, scene: Any, make_candidate: Any, make_credential: Any
) -> None:
    omar = make_candidate(first_name="Omar", last_name="Ranked")
    staff = client_for(app, scene.staff)
    response = staff.post(
        f"/staff/openings/{scene.opening.id}/act",
        data={"single": f"{omar.id}:reject", "reason": STAFF_REASON},
    )
    assert response.status_code == 302
    application = db.session.execute(
        db.select(Application).where(Application.candidate_id == omar.id)
    ).scalar_one()
    assert application.stage == "rejected"
    assert mails_to(omar.user.email) == []

    me = client_for(app, omar.user)
    page = me.get("/me").get_data(as_text=True)
    assert "Medical Secretary" not in page.split("Openings that fit me")[0]
    assert "No applications yet" in page
    assert me.get(f"/me/applications/{application.id}").status_code == 404
    # Applying later is their own application, with nothing of the agency's earlier steps.
    assert me.post(f"/me/apply/{scene.opening.id}", data={"note": ""}).status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert (application.source, application.stage) == ("applied", "applied")
    page = me.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert "Rejected" not in page and pipeline.AGENCY_REJECTED not in page


def test_a_sourced_candidate_hears_once_submitted(
    app: Any, scene: Any, make_candidate: Any
) -> None:
    omar = make_candidate(first_name="Omar", last_name="Ranked")
    application = pipeline.source(omar, scene.opening, scene.staff)
    pipeline.move(application, "shortlisted", scene.staff)
    db.session.commit()
    me = client_for(app, omar.user)
    assert "No applications yet" in me.get("/me").get_data(as_text=True)
    pipeline.move(application, "submitted", scene.staff)
    db.session.commit()
    page = me.get("/me").get_data(as_text=True)
    assert "Medical Secretary" in page and "Shortlisted" not in page
    assert [m.payload["template"] for m in mails_to(omar.user.email)] == ["stage_changed"]


def test_the_clinic_sees_the_recruiters_note_never_the_engines_verdict(
    app: Any, scene: Any, make_candidate: Any, make_credential: Any
) -> None:
    require(scene.opening, "BLS")
    nadia = make_candidate(first_name="Natalie", last_name="Abbott")
    make_credential(nadia, "BLS", verification_status="pending")
    staff = client_for(app, scene.staff)
    act = f"/staff/openings/{scene.opening.id}/act"
    data = {
        "single": f"{nadia.id}:submit",
        "note": "Staff only: wants to work near home",
        "clinic_note": "Warm with patients; three years at a busy front desk.",
    }
    # The engine says no: staff are shown why, and nothing goes to the clinic yet.
    warning = staff.post(act, data=data)
    assert warning.status_code == 200
    html = warning.get_data(as_text=True)
    assert "BLS not verified yet" in html and "Submit anyway" in html
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0
    assert staff.post(act, data={**data, "confirm_ineligible": "y"}).status_code == 302
    application = db.session.execute(db.select(Application)).scalar_one()
    assert application.stage == "submitted"

    page = client_for(app, scene.clinic.members[0]).get(f"/clinic/openings/{scene.opening.id}")
    html = page.get_data(as_text=True)
    assert "Natalie A." in html and "Warm with patients" in html
    assert "Not eligible" not in html and "BLS not verified yet" not in html
    assert "wants to work near home" not in html


def test_submitting_from_the_application_page_warns_and_waits_for_confirmation(
    app: Any, scene: Any, make_candidate: Any, make_application: Any
) -> None:
    require(scene.opening, "CPC")
    nora = make_candidate(first_name="Nora")  # holds no CPC
    application = make_application(nora, scene.opening)
    staff = client_for(app, scene.staff)
    url = f"/staff/applications/{application.id}/move"
    page = staff.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "Submit anyway" not in page  # no box before the warning
    response = staff.post(url, data={"to_stage": "submitted", "clinic_note": "Strong typist"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        "The engine marks this candidate not eligible: no CPC on file" in html
        and "Submit anyway" in html
    )
    assert "Strong typist" in html  # the input is kept
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "applied"
    response = staff.post(
        url,
        data={"to_stage": "submitted", "clinic_note": "Strong typist", "confirm_ineligible": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "submitted"


def test_clinic_mails_name_the_candidate_as_the_portal_does(
    app: Any, scene: Any, make_candidate: Any
) -> None:
    natalie = make_candidate(first_name="Natalie", last_name="Abbott")
    application = pipeline.source(natalie, scene.opening, scene.staff)
    for stage in ("submitted", "interview", "offered", "placed"):
        pipeline.move(application, stage, scene.staff)
    db.session.commit()
    messages = mails_to(scene.clinic.members[0].email)
    assert sorted(m.payload["template"] for m in messages) == [
        "placement_confirmed_clinic",
        "submitted_to_clinic",
    ]
    for message in messages:
        text = rendered(message)
        assert "Natalie A." in text and "Abbott" not in text


def test_a_note_is_for_the_clinic_only_when_staff_say_so(
    app: Any, scene: Any, make_candidate: Any
) -> None:
    nora = make_candidate(first_name="Nora")
    application = pipeline.source(nora, scene.opening, scene.staff)
    pipeline.move(application, "submitted", scene.staff)
    db.session.commit()
    staff = client_for(app, scene.staff)
    url = f"/staff/applications/{application.id}/notes"
    form = staff.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "Who reads this note" in form and "Staff and the clinic" in form
    staff.post(url, data={"body": "Internal: check references again", "audience": "staff"})
    staff.post(url, data={"body": "Available from next Monday", "audience": "clinic"})
    refused = staff.post(url, data={"body": "x", "audience": "candidate"})
    # Re-shown with the error next to the field (the one status every form error answers).
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    html = client_for(app, scene.clinic.members[0]).get(f"/clinic/openings/{scene.opening.id}")
    page = html.get_data(as_text=True)
    assert "Available from next Monday" in page and "check references" not in page
