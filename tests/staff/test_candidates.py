"""Candidate view: profile, credential verification (who and when), notes, fits, timeline."""

from __future__ import annotations

from agency.extensions import db
from agency.models import AuditEvent, Credential, Note


def test_candidate_page_shows_profile_fits_applications_and_is_audited(
    client, staff, scene
) -> None:
    html = client.get(f"/staff/candidates/{scene.near.id}").get_data(as_text=True)
    assert scene.near.full_name in html
    assert scene.near.user.email in html
    assert "Front Desk Receptionist" in html  # the application and the fitting opening
    assert "Open openings that fit" in html
    assert "Profile created" in html
    # Systems and languages by name, not by taxonomy code.
    assert "<dd>Epic</dd>" in html and "<dd>English</dd>" in html
    viewed = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "candidate_viewed")
    ).scalar_one()
    assert viewed.actor_id == staff.id and viewed.object_id == scene.near.id


def test_verify_credential_records_who_and_when(client, staff, scene, make_credential) -> None:
    cred = make_credential(scene.other, "HIPAA", verification_status="pending")
    response = client.post(f"/staff/credentials/{cred.id}/verify", data={"outcome": "verified"})
    assert response.status_code == 302
    db.session.refresh(cred)
    assert cred.verification_status == "verified"
    assert cred.verified_by_id == staff.id and cred.verified_at is not None
    html = client.get(f"/staff/candidates/{scene.other.id}").get_data(as_text=True)
    assert f"Verified by {staff.email}" in html
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "credential_verified")
    ).scalar_one()
    assert event.details["code"] == "HIPAA" and event.details["from"] == "pending"


def test_reject_credential_and_bad_outcomes(client, staff, scene) -> None:
    cred = db.session.execute(
        db.select(Credential).where(Credential.candidate_id == scene.other.id)
    ).scalar_one()
    client.post(f"/staff/credentials/{cred.id}/verify", data={"outcome": "rejected"})
    db.session.refresh(cred)
    assert cred.verification_status == "rejected"
    client.post(f"/staff/credentials/{cred.id}/verify", data={"outcome": "bribed"})
    db.session.refresh(cred)
    assert cred.verification_status == "rejected"
    assert (
        client.post("/staff/credentials/999999/verify", data={"outcome": "verified"}).status_code
        == 404
    )


def test_candidate_notes(client, staff, scene) -> None:
    response = client.post(
        f"/staff/candidates/{scene.near.id}/notes", data={"body": "Great on the phone"}
    )
    assert response.status_code == 302
    note = db.session.execute(db.select(Note)).scalar_one()
    assert note.author_id == staff.id and note.candidate_id == scene.near.id
    html = client.get(f"/staff/candidates/{scene.near.id}").get_data(as_text=True)
    assert "Great on the phone" in html and f"Note by {staff.email}" in html
    response = client.post(f"/staff/candidates/{scene.near.id}/notes", data={"body": "  "})
    assert response.status_code == 200 and "This field is required" in response.get_data(
        as_text=True
    )


def test_unknown_candidate_is_404(client, staff) -> None:
    assert client.get("/staff/candidates/4242").status_code == 404
    assert client.post("/staff/candidates/4242/notes", data={"body": "x"}).status_code == 404
