"""Pipeline: moving an application with its history, and placement refused for credentials."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agency.extensions import db
from agency.models import Application, AuditEvent, OutboxMessage, StageChange


def _app(scene: Any, candidate: Any, stage: str) -> Application:
    application = Application(
        candidate_id=candidate.id, opening_id=scene.opening.id, source="sourced", stage=stage
    )
    db.session.add(application)
    db.session.commit()
    return application


def _move(client: Any, application: Application, to: str, reason: str = "") -> Any:
    return client.post(
        f"/staff/applications/{application.id}/move", data={"to_stage": to, "reason": reason}
    )


def test_application_page_shows_history_with_who_and_when(client, staff, scene) -> None:
    application = db.session.execute(
        db.select(Application).where(Application.candidate_id == scene.near.id)
    ).scalar_one()
    assert _move(client, application, "shortlisted").status_code == 302
    assert _move(client, application, "submitted").status_code == 302
    html = client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "applied → shortlisted" in html and "shortlisted → submitted" in html
    assert html.count(f"by {staff.email}") == 2
    assert "by the candidate" in html  # the original application


def test_placement_refused_for_an_expired_credential(client, staff, scene) -> None:
    application = _app(scene, scene.expired, "offered")
    page = client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "Placement not possible yet" in page
    response = _move(client, application, "placed")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expires = (scene.opening.start_date - timedelta(days=3)).isoformat()
    assert f"Cannot place: CPC expires {expires}, before the" in html
    db.session.refresh(application)
    assert application.stage == "offered"
    changes = db.select(db.func.count(StageChange.id)).where(
        StageChange.application_id == application.id
    )
    assert db.session.scalar(changes) == 0


def test_placement_refused_for_unverified_and_missing_credentials(
    client, staff, scene, make_candidate, make_credential
) -> None:
    unverified = make_candidate()
    make_credential(unverified, "CPC", verification_status="pending")
    missing = make_candidate()
    for person, words in (
        (unverified, "CPC is not verified yet"),
        (missing, "CPC is required and missing"),
    ):
        application = _app(scene, person, "offered")
        response = _move(client, application, "placed")
        assert response.status_code == 200
        assert words in response.get_data(as_text=True)


def test_placement_with_valid_credentials_confirms_and_fills(client, staff, scene) -> None:
    application = _app(scene, scene.other, "offered")
    assert _move(client, application, "placed").status_code == 302
    db.session.refresh(application)
    assert application.stage == "placed"
    assert application.opening.status == "filled"
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "placement" in actions
    keys = db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars().all()
    assert any(k.startswith("placed:") for k in keys)


def test_reject_needs_a_reason_and_not_allowed_moves_are_refused(client, staff, scene) -> None:
    application = _app(scene, scene.other, "submitted")
    response = _move(client, application, "rejected")
    assert response.status_code == 200 and "Please give a reason" in response.get_data(as_text=True)
    response = _move(client, application, "shortlisted")
    assert response.status_code == 200  # not a choice from "submitted"
    response = _move(client, application, "rejected", "Chose another candidate")
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.stage == "rejected"
    assert application.stage_reason == "Chose another candidate"


def test_final_stage_offers_no_move(client, staff, scene) -> None:
    application = _app(scene, scene.other, "withdrawn")
    html = client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "is final" in html


def test_application_notes_and_404s(client, staff, scene) -> None:
    application = _app(scene, scene.other, "sourced")
    response = client.post(f"/staff/applications/{application.id}/notes", data={"body": "Met her"})
    assert response.status_code == 302
    assert "Met her" in client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert client.post(f"/staff/applications/{application.id}/notes", data={}).status_code == 200
    assert client.get("/staff/applications/424242").status_code == 404
    assert client.post("/staff/applications/424242/move", data={}).status_code == 404
    assert client.get("/staff/applications/99999999999999999999").status_code == 404


def test_pipeline_board_by_stage(client, staff, scene) -> None:
    _app(scene, scene.other, "shortlisted")
    html = client.get("/staff/pipeline?stage=shortlisted").get_data(as_text=True)
    assert scene.other.full_name in html and scene.near.full_name not in html
    assert client.get("/staff/pipeline?stage=bogus").status_code == 404
    assert client.get("/staff/pipeline?page=abc").status_code == 200
    assert client.get("/staff/pipeline?page=99999999999999999").status_code == 200


def test_expiry_after_start_does_not_block(
    client, staff, scene, make_candidate, make_credential
) -> None:
    person = make_candidate()
    make_credential(person, "CPC", expires_on=date.today() + timedelta(days=400))
    application = _app(scene, person, "offered")
    assert _move(client, application, "placed").status_code == 302
